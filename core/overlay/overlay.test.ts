import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { errnoOf } from "../errno.ts";
import type { LayerFilesystem } from "../image/layer-fs.ts";
import type { OpenRequest } from "../kernel/process.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Batch, CommitOptions, Store } from "../store/store.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { WouldBlock, retrying } from "../vfs/would-block.ts";
import { applyOperation, contentSummary, operator } from "../testing/operations.ts";
import type { Operation } from "../testing/scenarios.ts";
import {
  BASE,
  contentOf,
  layered,
  lowerLayers,
  newStore,
  openOverlay,
  reference,
  type StoreKind,
} from "../testing/layers.ts";
import { WHITEOUT } from "./upper-format.ts";

const long = "n".repeat(256);

/** Cases run on the overlay and on the reference; answers and trees must match. */
const cases: Array<{ name: string; ops: Operation[] }> = [
  {
    name: "writing into a lower file copies it up with its hard link",
    ops: [
      { op: "write", path: "/etc/passwd", data: "ROOT", offset: 0 },
      { op: "read", path: "/etc/passwd-" },
    ],
  },
  {
    name: "append, truncate and truncate-to-extend of lower files",
    ops: [
      { op: "append", path: "/etc/group", data: "wheel:x:10:\n" },
      { op: "truncate", path: "/usr/share/big", size: 70_000 },
      { op: "truncate", path: "/usr/share/big", size: 200_000 },
      { op: "truncate", path: "/etc/shadow", size: 0 },
    ],
  },
  {
    name: "metadata changes: chmod, chown, lchown of a symlink, setuid bits",
    ops: [
      { op: "chmod", path: "/bin/su", mode: 0o755 },
      { op: "chown", path: "/etc/shadow", uid: 7, gid: 8 },
      { op: "chown", path: "/bin/sh", uid: 3, gid: 3 },
      { op: "chmod", path: "/tmp", mode: 0o1770 },
    ],
  },
  {
    name: "hard links of lower and upper files share data",
    ops: [
      { op: "link", from: "/etc/group", to: "/tmp/group-link" },
      { op: "append", path: "/tmp/group-link", data: "more\n" },
      { op: "read", path: "/etc/group" },
      { op: "write", path: "/tmp/new", data: "new" },
      { op: "link", from: "/tmp/new", to: "/etc/new-link" },
      { op: "unlink", path: "/tmp/new" },
      { op: "link", from: "/etc", to: "/etc2", expect: "EPERM" },
    ],
  },
  {
    name: "rename of files: over a lower file, across directories, onto its own hard link",
    ops: [
      { op: "rename", from: "/etc/group", to: "/etc/shadow" },
      { op: "rename", from: "/bin/busybox", to: "/tmp/bb" },
      { op: "rename", from: "/etc/passwd", to: "/etc/passwd-" },
      { op: "read", path: "/etc/passwd" },
      { op: "rename", from: "/etc/nothing", to: "/etc/x", expect: "ENOENT" },
    ],
  },
  {
    name: "deleting lower files and directories leaves them deleted; re-created names are new",
    ops: [
      { op: "unlink", path: "/etc/passwd" },
      { op: "read", path: "/etc/passwd", expect: "ENOENT" },
      { op: "write", path: "/etc/passwd", data: "fresh" },
      { op: "unlink", path: "/a/b/c/deep" },
      { op: "rmdir", path: "/a/b/c" },
      { op: "rmdir", path: "/a/b" },
      { op: "readdir", path: "/a" },
      { op: "rmdir", path: "/a" },
    ],
  },
  {
    name: "errors of removal: ENOTEMPTY, ENOTDIR, EISDIR, ENOENT",
    ops: [
      { op: "rmdir", path: "/etc", expect: "ENOTEMPTY" },
      { op: "rmdir", path: "/etc/passwd", expect: "ENOTDIR" },
      { op: "unlink", path: "/etc", expect: "EISDIR" },
      { op: "unlink", path: "/nothing", expect: "ENOENT" },
      { op: "rmdir", path: "/empty" },
      { op: "rmdir", path: "/empty", expect: "ENOENT" },
    ],
  },
  {
    name: "the root takes new names after lower subdirectories leave it",
    ops: [
      { op: "rename", from: "/usr", to: "/a/usr" },
      { op: "rmdir", path: "/empty" },
      { op: "mkfifo", path: "/usr" },
      { op: "mkdir", path: "/empty" },
    ],
  },
  {
    name: "a directory re-made over a deleted one is opaque",
    ops: [
      { op: "unlink", path: "/a/b/c/deep" },
      { op: "rmdir", path: "/a/b/c" },
      { op: "rmdir", path: "/a/b" },
      { op: "mkdir", path: "/a/b" },
      { op: "readdir", path: "/a/b" },
      { op: "mkdir", path: "/a/b/c" },
      { op: "read", path: "/a/b/c/deep", expect: "ENOENT" },
    ],
  },
  {
    name: "rename of lower and merged directories (never EXDEV)",
    ops: [
      { op: "write", path: "/a/b/added", data: "added" },
      { op: "rename", from: "/a", to: "/z" },
      { op: "readdir", path: "/z/b" },
      { op: "read", path: "/z/b/c/deep" },
      { op: "mkdir", path: "/a" },
      { op: "readdir", path: "/a" },
      { op: "rename", from: "/z/b", to: "/a/b2" },
      { op: "rename", from: "/etc", to: "/a/b2/etc" },
      { op: "read", path: "/a/b2/etc/passwd" },
      { op: "rename", from: "/a/b2/etc", to: "/etc" },
      { op: "readdir", path: "/etc" },
    ],
  },
  {
    name: "rename errors of directories: EINVAL, ENOTEMPTY, ENOTDIR, EISDIR",
    ops: [
      { op: "rename", from: "/a", to: "/a/b/c/inside", expect: "EINVAL" },
      { op: "rename", from: "/a", to: "/etc", expect: "ENOTEMPTY" },
      { op: "rename", from: "/a", to: "/etc/passwd", expect: "ENOTDIR" },
      { op: "rename", from: "/etc/passwd", to: "/empty", expect: "EISDIR" },
      { op: "rename", from: "/a/b", to: "/empty" },
      { op: "read", path: "/empty/c/deep" },
    ],
  },
  {
    name: "names: ENAMETOOLONG, EEXIST, O_EXCL",
    ops: [
      { op: "write", path: `/tmp/${long}`, data: "x", expect: "ENAMETOOLONG" },
      { op: "mkdir", path: `/${long}`, expect: "ENAMETOOLONG" },
      { op: "rename", from: "/etc/group", to: `/etc/${long}`, expect: "ENAMETOOLONG" },
      { op: "read", path: `/etc/${long}`, expect: "ENAMETOOLONG" },
      { op: "mkdir", path: "/etc", expect: "EEXIST" },
      { op: "create", path: "/etc/passwd", expect: "EEXIST" },
      { op: "create", path: "/etc/fresh", mode: 0o600 },
    ],
  },
  {
    name: "symlinks resolve inside the container: absolute, relative, loops",
    ops: [
      { op: "read", path: "/usr/bin/env" },
      { op: "read", path: "/usr/bin/up/passwd" },
      { op: "symlink", target: "loop", path: "/tmp/loop" },
      { op: "read", path: "/tmp/loop", expect: "ELOOP" },
      { op: "symlink", target: "/../../../etc/passwd", path: "/tmp/escape" },
      { op: "read", path: "/tmp/escape" },
      { op: "read", path: "/etc/passwd/x", expect: "ENOTDIR" },
      { op: "write", path: "/bin/sh", data: "through the link", offset: 0 },
    ],
  },
  {
    name: "sparse files and holes read as zeros",
    ops: [
      { op: "write", path: "/tmp/sparse", data: "end", offset: 1_000_000 },
      { op: "write", path: "/usr/share/big", data: "middle", offset: 131_070 },
      { op: "write", path: "/usr/share/big", data: "past the end", offset: 400_000 },
    ],
  },
  {
    name: "an opaque lower directory shows only its own entries",
    ops: [
      { op: "readdir", path: "/opq" },
      { op: "unlink", path: "/opq/kept" },
      { op: "read", path: "/opq/junk-0", expect: "ENOENT" },
      { op: "rmdir", path: "/opq" },
      { op: "mkdir", path: "/opq" },
      { op: "readdir", path: "/opq" },
    ],
  },
  {
    name: "fifos and new files in lower directories",
    ops: [
      { op: "mkfifo", path: "/run/fifo2" },
      { op: "mkfifo", path: "/run/fifo", expect: "EEXIST" },
      { op: "unlink", path: "/run/fifo" },
      { op: "readdir", path: "/run" },
    ],
  },
];

const combos: Array<[StoreKind, number]> = [
  ["memory", 1],
  ["memory", 2],
  ["memory", 3],
  ["indexeddb", 1],
  ["indexeddb", 2],
  ["indexeddb", 3],
];

const readWrite: OpenRequest = {
  follow: true,
  create: false,
  exclusive: false,
  truncate: false,
  directory: false,
  read: true,
  write: true,
  append: false,
  mode: 0o644,
};

/** A store that records what it is asked, to assert on what reaches it. */
class SpyStore implements Store {
  readonly batches: Batch[] = [];
  /** Whether each batch was committed durable. */
  readonly durable: boolean[] = [];
  readonly fetched: string[] = [];
  constructor(private readonly inner: Store) {}
  get(key: string) {
    this.fetched.push(key);
    return this.inner.get(key);
  }
  getMany(keys: string[]) {
    this.fetched.push(...keys);
    return this.inner.getMany(keys);
  }
  keys(prefix?: string) {
    return this.inner.keys(prefix);
  }
  commit(batch: Batch, options: CommitOptions = {}) {
    this.batches.push(batch);
    this.durable.push(Boolean(options.durable));
    return this.inner.commit(batch, options);
  }
  clear() {
    return this.inner.clear();
  }
  close() {
    return this.inner.close();
  }
}

describe.each(combos)("overlay on the %s store over %i lower layers", (kind, count) => {
  let lowersCache: Promise<LayerFilesystem[]> | undefined;
  const lowers = () => (lowersCache ??= lowerLayers(layered(BASE, count)));

  it("shows the merged lower layers as the one tree they make", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    expect(await contentOf(ov)).toEqual(await contentOf(await reference(BASE)));
  });

  it.each(cases)("$name, as POSIX says, and the same after reopening", async ({ ops }) => {
    const store = newStore(kind);
    const ov = await openOverlay(store, await lowers());
    const ref = await reference(BASE);
    const ours = operator(ov);
    const theirs = operator(ref);
    for (const op of ops) {
      const got = await retrying(() => applyOperation(ours, op));
      const want = applyOperation(theirs, op);
      expect(got, JSON.stringify(op)).toEqual(want);
      expect(got.result, JSON.stringify(op)).toBe(op.expect ?? "ok");
    }
    const tree = await contentOf(ov);
    expect(tree).toEqual(await contentOf(ref));
    await ov.upper.close();
    const again = await openOverlay(reopened(store, kind), await lowers());
    expect(await contentOf(again)).toEqual(tree);
    await again.upper.close();
  });

  it("keeps inode numbers through copy-up and reopening", async () => {
    const store = newStore(kind);
    const ov = await openOverlay(store, await lowers());
    const passwd = resolveExisting(ov, ov.root, "/etc/passwd", { follow: true });
    const etc = resolveExisting(ov, ov.root, "/etc", { follow: true });
    const link = resolveExisting(ov, ov.root, "/etc/passwd-", { follow: true });
    expect(link).toBe(passwd);
    ov.write(passwd, 0, new TextEncoder().encode("R"));
    expect(resolveExisting(ov, ov.root, "/etc/passwd", { follow: true })).toBe(passwd);
    expect(resolveExisting(ov, ov.root, "/etc/passwd-", { follow: true })).toBe(passwd);
    expect(ov.upper.get(etc)).toBeDefined(); // the parent was copied up first
    await ov.upper.close();
    const again = await openOverlay(reopened(store, kind), await lowers());
    expect(resolveExisting(again, again.root, "/etc/passwd", { follow: true })).toBe(passwd);
    expect(resolveExisting(again, again.root, "/etc", { follow: true })).toBe(etc);
    await again.upper.close();
  });

  it("copies no data for a metadata change and stores only the chunks a write touches", async () => {
    const spy = new SpyStore(newStore(kind));
    const ov = await openOverlay(spy, await lowers(), { chunkSize: 4096 });
    const big = resolveExisting(ov, ov.root, "/usr/share/big", { follow: true });
    ov.setattr(big, { mode: 0o600 });
    await ov.upper.sync();
    const chunkKeys = () => spy.batches.flatMap((b) => [...b.puts.keys()]).filter(isChunk);
    expect(chunkKeys()).toEqual([]);
    ov.write(big, 10_000, new Uint8Array([1, 2, 3]));
    await ov.upper.sync();
    expect(chunkKeys()).toEqual([`c/${big}/2`]);
    expect(ov.read(big, 9_999, 5)).toEqual(new Uint8Array([9_999 % 251, 1, 2, 3, 10_003 % 251]));
  });

  it("leaves a whiteout for a deleted lower name and nothing for an upper-only one", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    const proc = operator(ov);
    applyOperation(proc, { op: "unlink", path: "/etc/group" });
    applyOperation(proc, { op: "write", path: "/etc/mine", data: "x" });
    applyOperation(proc, { op: "unlink", path: "/etc/mine" });
    const etc = resolveExisting(ov, ov.root, "/etc", { follow: true });
    const entries = ov.upper.get(etc)!.entries!;
    expect(entries.get("group")).toBe(WHITEOUT);
    expect(entries.has("mine")).toBe(false);
    applyOperation(proc, { op: "mkdir", path: "/etc/group" });
    expect(ov.upper.get(ov.lookup(etc, "group"))!.opaque).toBe(true);
  });

  it("keeps a directory listing's cookies while the directory changes", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    const proc = operator(ov);
    const fd = proc.open(3, "/etc", { ...readWrite, write: false, directory: true });
    const first = proc.readdir(fd, 0).map((e) => e.name);
    applyOperation(proc, { op: "unlink", path: "/etc/group" });
    applyOperation(proc, { op: "write", path: "/etc/zzz", data: "new" });
    expect(proc.readdir(fd, 3).map((e) => e.name)).toEqual(first.slice(3));
    expect(proc.readdir(fd, 0).map((e) => e.name)).toContain("zzz");
    expect(first.slice(0, 2)).toEqual([".", ".."]);
  });

  it("lets a file opened before its copy-up see the copied-up data", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    const proc = operator(ov);
    const reader = proc.open(3, "/etc/group", { ...readWrite, write: false });
    applyOperation(proc, { op: "write", path: "/etc/group", data: "changed" });
    expect(new TextDecoder().decode(proc.read(reader, 100))).toBe("changed");
  });

  it("keeps an unlinked file readable and writable while it is open, then drops it", async () => {
    const spy = new SpyStore(newStore(kind));
    const ov = await openOverlay(spy, await lowers());
    const proc = operator(ov);
    const fd = proc.open(3, "/etc/group", readWrite);
    const ino = proc.fstat(fd).ino;
    applyOperation(proc, { op: "unlink", path: "/etc/group" });
    proc.pwrite(fd, new TextEncoder().encode("ROOT"), 0);
    expect(new TextDecoder().decode(proc.pread(fd, 4, 0))).toBe("ROOT");
    await ov.upper.sync();
    proc.close(fd);
    expect(ov.upper.get(ino)).toBeUndefined();
    await ov.upper.sync();
    const keys = await spy.keys();
    expect(keys.filter((k) => k.startsWith(`i/${ino}`) || k.startsWith(`c/${ino}/`))).toEqual([]);
  });

  it("opens with O_APPEND, O_EXCL, O_TRUNC, O_DIRECTORY and O_NOFOLLOW as POSIX says", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    const proc = operator(ov);
    const append = proc.open(3, "/etc/group", { ...readWrite, append: true });
    proc.write(append, new TextEncoder().encode("+"));
    expect(proc.fstat(append).size).toBe("root:x:0:\n+".length);
    expect(
      errnoOf(() => proc.open(3, "/etc/group", { ...readWrite, create: true, exclusive: true })),
    ).toBe("EEXIST");
    expect(errnoOf(() => proc.open(3, "/etc/group", { ...readWrite, directory: true }))).toBe(
      "ENOTDIR",
    );
    expect(errnoOf(() => proc.open(3, "/bin/sh", { ...readWrite, follow: false }))).toBe("ELOOP");
    expect(errnoOf(() => proc.open(3, "/etc", readWrite))).toBe("EISDIR");
    const trunc = proc.open(3, "/etc/passwd", { ...readWrite, truncate: true });
    expect(proc.fstat(trunc).size).toBe(0);
    expect(ov.stat(resolveExisting(ov, ov.root, "/etc/passwd-", { follow: true })).size).toBe(0);
  });

  it("sets times as POSIX says, and reading copies nothing up", async () => {
    const ov = await openOverlay(newStore(kind), await lowers());
    const proc = operator(ov);
    const group = resolveExisting(ov, ov.root, "/etc/group", { follow: true });
    const before = ov.stat(group);
    applyOperation(proc, { op: "readdir", path: "/etc" });
    applyOperation(proc, { op: "read", path: "/etc/group" });
    expect(ov.upper.get(group)).toBeUndefined();
    applyOperation(proc, { op: "chmod", path: "/etc/group", mode: 0o600 });
    const chmodded = ov.stat(group);
    expect(chmodded.mtime).toBe(before.mtime);
    expect(chmodded.ctime > before.ctime).toBe(true);
    applyOperation(proc, { op: "append", path: "/etc/group", data: "x" });
    expect(ov.stat(group).mtime > before.mtime).toBe(true);
    ov.setattr(group, { atime: 5n, mtime: 7n });
    expect([ov.stat(group).atime, ov.stat(group).mtime]).toEqual([5n, 7n]);
    const shadow = resolveExisting(ov, ov.root, "/etc/shadow", { follow: true });
    ov.setattr(shadow, { atime: 9n }); // touch -a of a lower file: copied up, and set
    expect(ov.stat(shadow).atime).toBe(9n);
  });
});

describe("the upper layer in a store", () => {
  it("stores one chunk for a one-byte write into a 64 MiB lower file", async () => {
    const big = new Uint8Array(64 << 20);
    const layer = await lowerLayers([
      [{ path: "big", type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 1, data: big }],
    ]);
    const spy = new SpyStore(newStore("memory"));
    const ov = await openOverlay(spy, layer);
    const ino = resolveExisting(ov, ov.root, "/big", { follow: true });
    ov.write(ino, 40 << 20, new Uint8Array([42]));
    await ov.upper.sync();
    const puts = spy.batches.flatMap((b) => [...b.puts]);
    const chunks = puts.filter(([k]) => isChunk(k));
    expect(chunks.map(([k]) => k)).toEqual([`c/${ino}/${(40 << 20) / ov.upper.chunkSize}`]);
    expect(puts.reduce((n, [, v]) => n + v.length, 0)).toBeLessThan(ov.upper.chunkSize + 4096);
    expect(ov.read(ino, (40 << 20) - 1, 3)).toEqual(new Uint8Array([0, 42, 0]));
  });

  it("reads metadata when it opens and file data only when it is read, and what follows it", async () => {
    const store = newStore("indexeddb");
    const lowers = await lowerLayers([BASE]);
    const ov = await openOverlay(store, lowers, { chunkSize: 1024 });
    const proc = operator(ov);
    applyOperation(proc, { op: "write", path: "/tmp/data", data: "x".repeat(5000) });
    await ov.upper.close();
    const spy = new SpyStore(reopened(store, "indexeddb"));
    const again = await openOverlay(spy, lowers, { chunkSize: 1024 });
    expect(spy.fetched.filter(isChunk)).toEqual([]);
    const ino = resolveExisting(again, again.root, "/tmp/data", { follow: true });
    const blocked = (() => {
      try {
        again.read(ino, 2048, 10);
      } catch (e) {
        return e;
      }
    })();
    expect(blocked).toBeInstanceOf(WouldBlock);
    expect(await retrying(() => again.read(ino, 2048, 10))).toEqual(
      new TextEncoder().encode("x".repeat(10)),
    );
    // The chunk read, and (read-ahead) the rest of the file after it: not the chunks before.
    expect(spy.fetched.filter(isChunk)).toEqual([2, 3, 4].map((n) => `c/${ino}/${n}`));
  });

  it("reads within one chunk what was written, zeros past a short chunk, and a later write", async () => {
    const ov = await openOverlay(new MemoryStore(), await lowerLayers([BASE]), { chunkSize: 1024 });
    applyOperation(operator(ov), { op: "write", path: "/tmp/f", data: "abcdefghij" });
    const ino = resolveExisting(ov, ov.root, "/tmp/f", { follow: true });
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(text(ov.read(ino, 2, 5))).toBe("cdefg");
    // Extended past its only chunk, which holds 10 bytes: the rest reads as zeros.
    ov.truncate(ino, 3000);
    expect(ov.read(ino, 0, 1024)).toEqual(
      Uint8Array.from({ length: 1024 }, (_, i) => (i < 10 ? "abcdefghij".charCodeAt(i) : 0)),
    );
    expect(ov.read(ino, 1500, 100)).toEqual(new Uint8Array(100));
    ov.write(ino, 3, new TextEncoder().encode("XY"));
    expect(text(ov.read(ino, 0, 6))).toBe("abcXYf");
  });

  it("reads a file through with one wait per read-ahead, not per chunk, past what its cache holds", async () => {
    const store = new MemoryStore();
    const lowers = await lowerLayers([BASE]);
    const options = { chunkSize: 1024, cacheBytes: 64 * 1024 };
    const ov = await openOverlay(store, lowers, options);
    const data = Uint8Array.from({ length: 100 * 1024 }, (_, i) => i % 251);
    applyOperation(operator(ov), { op: "write", path: "/tmp/big", data: "" });
    const ino = resolveExisting(ov, ov.root, "/tmp/big", { follow: true });
    ov.write(ino, 0, data);
    await ov.upper.close();
    const again = await openOverlay(store.reopen(), lowers, options);
    let waits = 0;
    const read: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += 1024) {
      for (;;) {
        try {
          read.push(again.read(ino, at, 1024).slice());
          break;
        } catch (e) {
          if (!(e instanceof WouldBlock)) throw e;
          waits++;
          await e.ready;
        }
      }
    }
    expect(Buffer.concat(read)).toEqual(Buffer.from(data));
    // A quarter of the cache (16 chunks) read ahead at each miss: 100 chunks in 6 waits.
    expect(waits).toBe(6);
  });

  it("keeps the chunk size it was made with when reopened with another", async () => {
    const store = new MemoryStore();
    const lowers = await lowerLayers([BASE]);
    const ov = await openOverlay(store, lowers, { chunkSize: 1000 });
    const proc = operator(ov);
    applyOperation(proc, { op: "write", path: "/tmp/data", data: "0123456789".repeat(500) });
    await ov.upper.close();
    const again = await openOverlay(store.reopen(), lowers, { chunkSize: 4096 });
    expect(again.upper.chunkSize).toBe(1000);
    const ino = resolveExisting(again, again.root, "/tmp/data", { follow: true });
    const text = new TextDecoder().decode(await retrying(() => again.read(ino, 995, 10)));
    expect(text).toBe("5678901234");
  });

  it("makes fsync wait for the batch holding the change, one commit per batch", async () => {
    const spy = new SpyStore(newStore("indexeddb"));
    const ov = await openOverlay(spy, await lowerLayers([BASE]), { writeBack: 60_000 });
    const proc = operator(ov);
    const fd = proc.open(3, "/etc/group", readWrite);
    proc.write(fd, new TextEncoder().encode("synced"));
    const committed = spy.batches.length;
    expect(() => proc.fsync(fd)).toThrow(WouldBlock);
    await retrying(() => proc.fsync(fd));
    expect(spy.batches.length).toBe(committed + 1);
    expect([...spy.batches.at(-1)!.puts.keys()].some(isChunk)).toBe(true);
    proc.fsync(fd); // nothing left to wait for
  });

  it("commits in the background without waiting for the disk, and makes fsync and sync durable", async () => {
    const spy = new SpyStore(newStore("indexeddb"));
    const ov = await openOverlay(spy, await lowerLayers([BASE]), { writeBack: 1 });
    const proc = operator(ov);
    applyOperation(proc, { op: "write", path: "/tmp/a", data: "written back" });
    await new Promise((r) => setTimeout(r, 50));
    const background = spy.durable.length;
    expect(background).toBeGreaterThan(0);
    expect(spy.durable).not.toContain(true);
    // Nothing is dirty, but the write-back may be in the OS's cache only.
    const fd = proc.open(3, "/tmp/a", readWrite);
    expect(() => proc.fsync(fd)).toThrow(WouldBlock);
    await retrying(() => proc.fsync(fd));
    expect(spy.durable.slice(background)).toEqual([true]);
    proc.fsync(fd); // on the disk already: no commit
    await ov.upper.sync();
    expect(spy.durable.slice(background)).toEqual([true]);
    applyOperation(proc, { op: "write", path: "/tmp/b", data: "synced" });
    await ov.upper.sync();
    expect(spy.durable.slice(background)).toEqual([true, true]);
  });

  it("keeps a directory whose lower subdirectories left it when it reopens", async () => {
    const dir = (path: string) => ({
      path,
      type: "directory" as const,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 1,
    });
    // usr has 2 links in the top layer: the subdirectories are the bottom's.
    const lowers = await lowerLayers([[dir("usr"), dir("usr/bin"), dir("usr/lib")], [dir("usr")]]);
    const store = new MemoryStore();
    const ov = await openOverlay(store, lowers);
    applyOperation(operator(ov), { op: "rmdir", path: "/usr/bin" });
    applyOperation(operator(ov), { op: "rename", from: "/usr/lib", to: "/lib" });
    await ov.upper.close();
    const again = operator(await openOverlay(store.reopen(), lowers));
    expect(applyOperation(again, { op: "readdir", path: "/" }).output).toBe("lib usr");
    expect(applyOperation(again, { op: "readdir", path: "/usr" }).output).toBe("");
    expect(applyOperation(again, { op: "write", path: "/usr/x", data: "x" }).result).toBe("ok");
  });

  it("answers ENOSPC when the store is full and keeps what it had stored", async () => {
    const store = new MemoryStore(200_000);
    const lowers = await lowerLayers([BASE]);
    const ov = await openOverlay(store, lowers);
    const proc = operator(ov);
    applyOperation(proc, { op: "write", path: "/tmp/kept", data: "kept" });
    await ov.upper.sync();
    applyOperation(proc, { op: "write", path: "/tmp/huge", data: "y".repeat(300_000) });
    await expect(ov.upper.sync()).rejects.toMatchObject({ errno: "ENOSPC" });
    expect(applyOperation(proc, { op: "append", path: "/tmp/kept", data: "more" }).result).toBe(
      "ENOSPC",
    );
    const fd = proc.open(3, "/tmp/kept", readWrite);
    expect(errnoOf(() => proc.fsync(fd))).toBe("ENOSPC");
    proc.close(fd);
    applyOperation(proc, { op: "unlink", path: "/tmp/huge" });
    await ov.upper.sync();
    const kept = { result: "ok", output: contentSummary(new TextEncoder().encode("kept")) };
    expect(applyOperation(proc, { op: "read", path: "/tmp/kept" })).toEqual(kept);
    await ov.upper.close();
    const again = await openOverlay(store.reopen(), lowers);
    const read = () => applyOperation(operator(again), { op: "read", path: "/tmp/kept" });
    expect(await retrying(read)).toEqual(kept);
  });
});

function isChunk(key: string): boolean {
  return key.startsWith("c/");
}

/** The same store opened again, as after a reload: memory stores come back from their data. */
function reopened(store: Store, kind: StoreKind): Store {
  if (kind === "memory") return (store as MemoryStore).reopen();
  return new IndexedDbStore((store as IndexedDbStore).database);
}
