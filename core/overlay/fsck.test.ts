import { beforeAll, describe, expect, it } from "vitest";
import type { LayerFilesystem } from "../image/layer-fs.ts";
import { ErrnoError } from "../errno.ts";
import { MemoryStore } from "../store/memory.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { retrying } from "../vfs/would-block.ts";
import { checkUpper } from "./fsck.ts";
import { applyOperation, operator } from "../testing/operations.ts";
import type { Operation } from "../testing/scenarios.ts";
import { BASE, layered, lowerLayers, openOverlay } from "../testing/layers.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const BASE_PASSWD = BASE.find((e) => e.path === "etc/passwd")!.data!;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

let lowers: LayerFilesystem[];
beforeAll(async () => {
  lowers = await lowerLayers(layered(BASE, 2));
});

/** A container layer with something of every kind in it: new files, copy-ups, whiteouts, an opaque directory. */
const WORK: Operation[] = [
  { op: "mkdir", path: "/home" },
  { op: "write", path: "/home/notes", data: "n".repeat(150_000) },
  { op: "link", from: "/home/notes", to: "/home/again" },
  { op: "write", path: "/etc/passwd", data: "ROOT", offset: 0 },
  { op: "chmod", path: "/bin/su", mode: 0o755 },
  { op: "unlink", path: "/etc/group" },
  { op: "rmdir", path: "/empty" },
  { op: "mkdir", path: "/empty" },
  { op: "rename", from: "/a/b", to: "/moved" },
  { op: "symlink", target: "/home/notes", path: "/tmp/link" },
];

/** The store of a layer after WORK, committed and closed, and the inode number of a path in it. */
async function worked(): Promise<{ store: MemoryStore; ino: (path: string) => number }> {
  const store = new MemoryStore();
  const ov = await openOverlay(store, lowers, { chunkSize: 64 * 1024 });
  const proc = operator(ov);
  for (const op of WORK) {
    const outcome = await retrying(() => applyOperation(proc, op));
    expect(outcome.result, JSON.stringify(op)).toBe("ok");
  }
  const inos = new Map<string, number>();
  for (const path of ["/home/notes", "/etc/passwd", "/bin/su", "/home", "/moved", "/empty"]) {
    inos.set(path, resolveExisting(ov, ov.root, path, { follow: false }));
  }
  await ov.upper.close();
  return { store: store.reopen(), ino: (path) => inos.get(path)! };
}

async function problems(store: MemoryStore): Promise<string[]> {
  const report = await checkUpper(store, lowers);
  return report.problems.map((p) => `${p.key}: ${p.message}`);
}

async function put(store: MemoryStore, key: string, value: string | Uint8Array): Promise<void> {
  const bytes = typeof value === "string" ? encode(value) : value;
  await store.commit({ puts: new Map([[key, bytes]]), deletes: new Set() });
}

async function drop(store: MemoryStore, key: string): Promise<void> {
  await store.commit({ puts: new Map(), deletes: new Set([key]) });
}

/** An inode record changed by `change`. */
async function edit(
  store: MemoryStore,
  ino: number,
  change: (raw: Record<string, unknown>) => void,
) {
  const raw = JSON.parse(decode((await store.get(`i/${ino}`))!)) as Record<string, unknown>;
  change(raw);
  await put(store, `i/${ino}`, JSON.stringify(raw));
}

describe("fsck of an upper layer", () => {
  it("finds nothing wrong in a layer made by the overlay, and counts what it holds", async () => {
    const { store } = await worked();
    const report = await checkUpper(store, lowers);
    expect(report.problems).toEqual([]);
    // The notes' three chunks, and /etc/passwd's one.
    expect(report.chunks).toBe(4);
    expect(report.bytes).toBe(150_000 + BASE_PASSWD.length);
    expect(report.whiteouts).toBeGreaterThanOrEqual(2);
    expect(report.orphans).toBe(0);
  });

  it("finds a missing chunk", async () => {
    const { store, ino } = await worked();
    await drop(store, `c/${ino("/home/notes")}/1`);
    expect(await problems(store)).toEqual([
      `i/${ino("/home/notes")}: 1 of its 3 chunks are missing`,
    ]);
  });

  it("finds a chunk past the end of its file, and one longer than its file", async () => {
    const { store, ino } = await worked();
    const notes = ino("/home/notes");
    await put(store, `c/${notes}/7`, "x");
    await edit(store, notes, (raw) => (raw.size = 140_000));
    expect(await problems(store)).toEqual([
      `c/${notes}/7: chunk 7 lies past the end of inode ${notes} (140000 bytes)`,
      `c/${notes}/2: the chunk holds 18928 bytes, more than the 8928 of its file`,
      `i/${notes}: it counts 3 chunks, the store holds 4`,
    ]);
  });

  it("finds nothing after an open drops the chunks a torn commit left past the end of a file", async () => {
    const { store, ino } = await worked();
    const notes = ino("/home/notes");
    // The chunks of a commit that grew the file, kept without its inode record.
    await put(store, `c/${notes}/3`, "x".repeat(100));
    await put(store, `c/${notes}/4`, "y");
    expect(await problems(store)).toEqual([
      `c/${notes}/3: chunk 3 lies past the end of inode ${notes} (150000 bytes)`,
      `c/${notes}/4: chunk 4 lies past the end of inode ${notes} (150000 bytes)`,
      `i/${notes}: it counts 3 chunks, the store holds 5`,
    ]);
    const ov = await openOverlay(store.reopen(), lowers, { chunkSize: 64 * 1024 });
    await ov.upper.close();
    expect(await problems(store)).toEqual([]);
    expect(await store.get(`c/${notes}/3`)).toBeUndefined();
  });

  it("opens where those chunks cannot be dropped (a full disk): the drop waits, saveError says why, and a later commit stores it", async () => {
    const { store, ino } = await worked();
    const notes = ino("/home/notes");
    await put(store, `c/${notes}/3`, "x".repeat(100));
    const full = store.reopen();
    const commit = full.commit.bind(full);
    full.commit = () => Promise.reject(new ErrnoError("EIO", "the disk is full"));
    const ov = await openOverlay(full, lowers, { chunkSize: 64 * 1024 });
    expect(ov.upper.saveError?.message).toBe("EIO: the disk is full");
    expect(await store.get(`c/${notes}/3`)).toBeDefined();
    full.commit = commit;
    await ov.upper.close();
    expect(await problems(store)).toEqual([]);
  });

  it("finds a damaged inode record, and the entries that name it", async () => {
    const { store, ino } = await worked();
    const notes = ino("/home/notes");
    await put(store, `i/${notes}`, "{ half a reco");
    const found = await problems(store);
    expect(found).toContain(`i/${notes}: the record i/${notes} is damaged: not JSON`);
    expect(found).toContain(`e/${ino("/home")}/notes: names inode ${notes}, which is missing`);
    expect(found).toContain(`c/${notes}/0: a chunk of inode ${notes}, which is missing`);
  });

  it("finds an inode no path reaches, and a link count that is not its names", async () => {
    const { store, ino } = await worked();
    await drop(store, `e/${ino("/home")}/again`);
    expect(await problems(store)).toEqual([`i/${ino("/home/notes")}: 2 links, but 1 names`]);
    await drop(store, `e/${ino("/home")}/notes`);
    expect(await problems(store)).toEqual([
      `i/${ino("/home/notes")}: a file that no path reaches (2 links)`,
    ]);
  });

  it("counts an unnamed inode with no links as an orphan the next open removes, not a problem", async () => {
    const { store, ino } = await worked();
    await drop(store, `e/${ino("/home")}/again`);
    await drop(store, `e/${ino("/home")}/notes`);
    await edit(store, ino("/home/notes"), (raw) => (raw.nlink = 0));
    const report = await checkUpper(store, lowers);
    expect(report.problems).toEqual([]);
    expect(report.orphans).toBe(1);
  });

  it("finds a whiteout of a name no lower layer has", async () => {
    const { store, ino } = await worked();
    await put(store, `e/${ino("/home")}/ghost`, "0");
    await put(store, `e/${ino("/empty")}/kept`, "0");
    const found = await problems(store);
    expect(found).toContain(`e/${ino("/home")}/ghost: a whiteout of a name no lower layer has`);
    expect(found).toContain(`e/${ino("/empty")}/kept: a whiteout of a name no lower layer has`);
  });

  it("finds a base that is not in the image, and one longer than its lower file", async () => {
    const { store, ino } = await worked();
    await edit(store, ino("/etc/passwd"), (raw) => {
      raw.base = { ...(raw.base as object), path: "etc/nothing" };
    });
    await edit(store, ino("/bin/su"), (raw) => {
      raw.base = { ...(raw.base as object), length: 1_000 };
    });
    expect((await problems(store)).sort()).toEqual(
      [
        `i/${ino("/etc/passwd")}: its base etc/nothing is not in its layer`,
        `i/${ino("/bin/su")}: its base bin/su is shorter than 1000 bytes`,
      ].sort(),
    );
  });

  it("finds a next inode number already in use, a directory named twice, and a record of no known kind", async () => {
    const { store, ino } = await worked();
    await put(store, "meta", JSON.stringify({ nextIno: 3, chunkSize: 64 * 1024 }));
    await put(store, `e/${ino("/home")}/loop`, String(ino("/moved")));
    await put(store, "x/1", "?");
    const found = await problems(store);
    expect(found).toContain("x/1: a record of no known kind");
    expect(found.some((p) => /^meta: the next inode number 3 is in use/.test(p))).toBe(true);
    expect(found).toContain(`i/${ino("/moved")}: a directory with more than one name`);
  });

  it("changes nothing in the store it checks", async () => {
    const { store, ino } = await worked();
    await drop(store, `e/${ino("/home")}/again`);
    await edit(store, ino("/home/notes"), (raw) => (raw.nlink = 0));
    const before = await store.keys();
    const values = await store.getMany(before);
    await checkUpper(store, lowers);
    expect(await store.keys()).toEqual(before);
    expect(await store.getMany(before)).toEqual(values);
  });
});
