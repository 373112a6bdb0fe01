import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFile,
  mkdtemp,
  open,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newBatch } from "../core/store/store.ts";
import { FileStore } from "./file-store.ts";

// What the Store contract asks of every store is in core/store/store.test.ts;
// these cases are about the log: torn records, kills, compaction, read-only.

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);

/** A digest, so that large bytes compare fast (vitest's toEqual goes element by element). */
const digest = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : createHash("sha256").update(b).digest("hex");

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "overbox-file-store-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Commits one batch: `puts` as text or bytes, and `deletes`. */
async function commit(
  store: FileStore,
  puts: { [key: string]: string | Uint8Array },
  deletes: string[] = [],
): Promise<void> {
  const batch = newBatch();
  for (const key of deletes) batch.deletes.add(key);
  for (const [key, value] of Object.entries(puts))
    batch.puts.set(key, typeof value === "string" ? bytes(value) : value);
  await store.commit(batch);
}

/** Every key and its value as text. */
async function contents(store: FileStore): Promise<{ [key: string]: string | undefined }> {
  const keys = await store.keys();
  const values = await store.getMany(keys);
  return Object.fromEntries(keys.map((k, i) => [k, text(values[i])]));
}

const logOf = (dir: string) => join(dir, "upper.log");
const sizeOf = async (path: string) => (await stat(path)).size;

/** The payload lengths of the records in a log, read from their headers. */
function recordLengths(log: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < log.length; at += 12 + lengths.at(-1)!) {
    expect(log.toString("latin1", at, at + 4)).toBe("OBX1");
    lengths.push(log.readUInt32LE(at + 4));
  }
  return lengths;
}

describe("getMany", () => {
  it("answers each key its own value, whether the log holds them side by side, far apart or not at all", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    const big = (n: number) => new Uint8Array(700_000).fill(n);
    // Small values next to each other, big ones that no single read spans,
    // and overwrites that leave the live value later in the log.
    await commit(store, { a: "1", b: "2", huge1: big(1), c: "3" });
    await commit(store, { huge2: big(2), d: "4", a: "one" });
    const keys = ["d", "missing", "huge2", "a", "c", "huge1", "b", "a"];
    const values = await store.getMany(keys);
    expect(values.map((v) => (v && v.length > 100 ? digest(v) : text(v)))).toEqual([
      "4",
      undefined,
      digest(big(2)),
      "one",
      "3",
      digest(big(1)),
      "2",
      "one",
    ]);
    // Each value is a copy of its own, not a view of a bigger read.
    expect(values[0]!.buffer.byteLength).toBe(1);
    await store.close();
  });
});

describe("a torn last record", () => {
  it.each([
    { how: "cut short by a few bytes", tear: (size: number) => size - 3, keepsLast: false },
    { how: "cut inside its header", tear: (_: number, last: number) => last + 5, keepsLast: false },
    { how: "followed by garbage", tear: "garbage" as const, keepsLast: true },
    { how: "with a byte of its payload changed", tear: "flip" as const, keepsLast: false },
  ])(
    "is dropped at open when $how: the batches before it are all there, and appends after them survive a reopen",
    async ({ tear, keepsLast }) => {
      const dir = await tempDir();
      const store = await FileStore.open(dir);
      await commit(store, { a: "1", b: "2" });
      await commit(store, { c: "3" }, ["a"]);
      const lastStart = await sizeOf(logOf(dir));
      await commit(store, { d: "4", big: new Uint8Array(5000).fill(7) }, ["b"]);
      await store.close();
      const size = await sizeOf(logOf(dir));

      if (tear === "garbage") await appendFile(logOf(dir), Buffer.from("OBX1 and then nonsense"));
      else if (tear === "flip") {
        const log = await readFile(logOf(dir));
        log[size - 100]! ^= 0xff;
        await writeFile(logOf(dir), log);
      } else await truncate(logOf(dir), tear(size, lastStart));

      const reopened = await FileStore.open(dir);
      const before = keepsLast ? { c: "3", d: "4" } : { b: "2", c: "3" };
      expect(await contents(reopened)).toMatchObject(before);
      expect(await reopened.keys()).toEqual(keepsLast ? ["big", "c", "d"] : ["b", "c"]);
      // Cut back to the end of the last good record, so the next one follows it.
      expect(await sizeOf(logOf(dir))).toBe(keepsLast ? size : lastStart);
      await commit(reopened, { e: "5" });
      await reopened.close();

      const again = await FileStore.open(dir);
      expect(await contents(again)).toMatchObject({ ...before, e: "5" });
      await again.close();
    },
  );
});

describe("a damaged record in the middle of the log", () => {
  it("is told, never cut off: the batches before it are read, commits fail, the file is kept, clear starts afresh", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await commit(store, { a: "1" });
    const second = await sizeOf(logOf(dir));
    await commit(store, { b: "2" });
    await commit(store, { c: "3" });
    await store.close();
    const log = await readFile(logOf(dir));
    log[second + 14]! ^= 0xff;
    await writeFile(logOf(dir), log);

    const damaged = await FileStore.open(dir);
    expect(damaged.damage).toMatch(
      new RegExp(
        `^upper\\.log is damaged at byte ${second} of ${log.length}: the records from byte \\d+ on are not read$`,
      ),
    );
    expect(await contents(damaged)).toEqual({ a: "1" });
    await expect(commit(damaged, { d: "4" })).rejects.toMatchObject({ errno: "EIO" });
    expect(await readFile(logOf(dir))).toEqual(log);
    const looking = await FileStore.openReadOnly(dir);
    expect(looking.damage).toBe(damaged.damage);
    await looking.close();

    await damaged.clear();
    expect(damaged.damage).toBeUndefined();
    await commit(damaged, { e: "5" });
    await damaged.close();
    const again = await FileStore.open(dir);
    expect(again.damage).toBeUndefined();
    expect(await contents(again)).toEqual({ e: "5" });
    await again.close();
  });
});

/**
 * The child: commits batches numbered on from what the store holds, and
 * prints each number once its commit has resolved. Batch N deletes batch
 * N-1's keys and puts `b/N/0..3` (even ones 100 KB) and `last` = N.
 */
const CHILD = `
const [storeUrl, dir] = process.argv.slice(2);
const { FileStore } = await import(storeUrl);
const store = await FileStore.open(dir);
const last = await store.get("last");
let n = last === undefined ? 0 : Number(new TextDecoder().decode(last));
for (;;) {
  n++;
  const batch = { puts: new Map(), deletes: new Set() };
  for (let i = 0; i < 4; i++) batch.deletes.add("b/" + (n - 1) + "/" + i);
  for (let i = 0; i < 4; i++)
    batch.puts.set(
      "b/" + n + "/" + i,
      i % 2 === 0
        ? new Uint8Array(100_000).fill((n * 31 + i) % 251)
        : new TextEncoder().encode(n + "/" + i),
    );
  batch.puts.set("last", new TextEncoder().encode(String(n)));
  await store.commit(batch);
  process.stdout.write(n + "\\n");
}
`;

/** Checks that `store` holds exactly the state after some batch of CHILD's, and answers its number. */
async function batchHeld(store: FileStore): Promise<number> {
  const n = Number(text(await store.get("last")));
  expect(n).toBeGreaterThan(0);
  const keys = [0, 1, 2, 3].map((i) => `b/${n}/${i}`);
  expect(await store.keys()).toEqual([...keys, "last"]);
  const values = await store.getMany(keys);
  values.forEach((value, i) => {
    if (i % 2 === 1) expect(text(value)).toBe(`${n}/${i}`);
    else expect(digest(value)).toBe(digest(new Uint8Array(100_000).fill((n * 31 + i) % 251)));
  });
  return n;
}

/** Runs CHILD on `storeDir` until it has printed `count` numbers, kills it, and answers the last one. */
function runAndKill(script: string, storeDir: string, count: number): Promise<number> {
  const repo = fileURLToPath(new URL("..", import.meta.url));
  const storeUrl = new URL("./file-store.ts", import.meta.url).href;
  // `node --import tsx` (resolved from the repo) runs in one process, so SIGKILL reaches the writer itself.
  const child = spawn(process.execPath, ["--import", "tsx", script, storeUrl, storeDir], {
    cwd: repo,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let killed = false;
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (!killed && out.split("\n").length - 1 >= count) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (_code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`the child ended by itself: ${err}`));
      const printed = out.split("\n").filter((line) => line !== "");
      resolve(Number(printed.at(-1)));
    });
  });
}

describe("a writer killed in the middle of committing", () => {
  it("leaves a whole prefix of its batches, including every batch whose commit had resolved", async () => {
    const dir = await tempDir();
    const script = join(dir, "child.mjs");
    await writeFile(script, CHILD);
    const storeDir = join(dir, "store");
    let held = 0;
    // Each run goes on from the state the last one left, after a different number of batches.
    for (const count of [3, 8, 5, 13, 2]) {
      const printed = await runAndKill(script, storeDir, count);
      const store = await FileStore.open(storeDir);
      const n = await batchHeld(store);
      expect(n).toBeGreaterThanOrEqual(printed);
      expect(n).toBeGreaterThan(held);
      held = n;
      await store.close();
    }
  }, 60_000);
});

describe("compaction at open", () => {
  it("shrinks a log full of overwritten values and keeps every live value", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    const big = (i: number) => new Uint8Array(1024 * 1024).fill(i);
    // 10 MiB live, in values of 1 MiB, and 12 MB overwritten or deleted.
    for (let i = 0; i < 11; i++) await commit(store, { [`big/${i}`]: big(i) });
    for (let i = 0; i < 60; i++) await commit(store, { hot: new Uint8Array(200_000).fill(i) });
    await commit(store, { small: "kept" }, ["big/10"]);
    const live = await contents(store);
    await store.close();
    const before = await sizeOf(logOf(dir));
    expect(before).toBeGreaterThan(22_000_000);

    const reopened = await FileStore.open(dir);
    const after = await sizeOf(logOf(dir));
    expect(after).toBeLessThan(11_000_000);
    expect(await contents(reopened)).toEqual(live);
    expect(digest(await reopened.get("hot"))).toBe(digest(new Uint8Array(200_000).fill(59)));
    expect(reopened.size).toBe(10 * 1024 * 1024 + 200_000 + 4);
    // Written in pieces of at most about 8 MiB, not as one record of the whole layer.
    const lengths = recordLengths(await readFile(logOf(dir)));
    expect(lengths.length).toBeGreaterThan(1);
    for (const length of lengths) expect(length).toBeLessThan(8 * 1024 * 1024 + 4096);

    await commit(reopened, { after: "compaction" }, ["big/0"]);
    await reopened.close();
    const again = await FileStore.open(dir);
    const expected: { [key: string]: string | undefined } = { ...live, after: "compaction" };
    delete expected["big/0"];
    expect(await contents(again)).toEqual(expected);
    await again.close();
  });

  it("leaves a small log alone, dead values and all", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    for (let i = 0; i < 20; i++) await commit(store, { hot: new Uint8Array(100_000).fill(i) });
    await store.close();
    const before = digest(await readFile(logOf(dir)));
    const reopened = await FileStore.open(dir);
    expect(digest(await readFile(logOf(dir)))).toBe(before);
    await reopened.close();
  });
});

describe("clear", () => {
  it("empties the store at once, and what follows it survives a reopen", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await commit(store, { a: "1", big: new Uint8Array(300_000).fill(1) });
    // A read under way when the log is replaced still reads the old one.
    const reading = store.get("big");
    await store.clear();
    expect(digest(await reading)).toBe(digest(new Uint8Array(300_000).fill(1)));
    expect(await store.keys()).toEqual([]);
    expect(store.size).toBe(0);
    await commit(store, { b: "2" });
    await store.close();
    const reopened = await FileStore.open(dir);
    expect(await contents(reopened)).toEqual({ b: "2" });
    await reopened.close();
  });

  it("cut short before its rename (a new log left beside the old) changes nothing", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await commit(store, { a: "1" });
    await store.close();
    await writeFile(join(dir, "upper.log.tmp"), "half a new log");
    const reopened = await FileStore.open(dir);
    expect(await contents(reopened)).toEqual({ a: "1" });
    await expect(stat(join(dir, "upper.log.tmp"))).rejects.toMatchObject({ code: "ENOENT" });
    await reopened.close();
  });
});

describe("openReadOnly", () => {
  /** The log's bytes and mtime: what must not change. */
  const snapshot = async (dir: string) => ({
    bytes: digest(await readFile(logOf(dir))),
    size: await sizeOf(logOf(dir)),
    mtime: (await stat(logOf(dir))).mtimeMs,
  });

  it("sees what was committed, changes no file even with a torn tail, and refuses writes with EROFS", async () => {
    const dir = await tempDir();
    const writer = await FileStore.open(dir);
    await commit(writer, { a: "one", b: "two" });
    await commit(writer, { c: "three" }, ["a"]);

    const before = await snapshot(dir);
    const reader = await FileStore.openReadOnly(dir);
    expect(await contents(reader)).toEqual({ b: "two", c: "three" });
    expect(reader.size).toBe(8);
    await expect(commit(reader, { d: "4" })).rejects.toMatchObject({ errno: "EROFS" });
    await expect(reader.clear()).rejects.toMatchObject({ errno: "EROFS" });
    await reader.close();
    await writer.close();
    expect(await snapshot(dir)).toEqual(before);

    await appendFile(logOf(dir), Buffer.from("OBX1\xff\xff"));
    const torn = await snapshot(dir);
    const again = await FileStore.openReadOnly(dir);
    expect(await contents(again)).toEqual({ b: "two", c: "three" });
    await again.close();
    expect(await snapshot(dir)).toEqual(torn);
  });

  it("does not compact a log that open would", async () => {
    const dir = await tempDir();
    const writer = await FileStore.open(dir);
    for (let i = 0; i < 30; i++) await commit(writer, { hot: new Uint8Array(200_000).fill(i) });
    await writer.close();
    const before = await snapshot(dir);
    const reader = await FileStore.openReadOnly(dir);
    expect(digest(await reader.get("hot"))).toBe(digest(new Uint8Array(200_000).fill(29)));
    await reader.close();
    expect(await snapshot(dir)).toEqual(before);
    const compacting = await FileStore.open(dir);
    expect(await sizeOf(logOf(dir))).toBeLessThan(before.size / 2);
    await compacting.close();
  });

  it("answers ENOENT where there is no log", async () => {
    const dir = await tempDir();
    await expect(FileStore.openReadOnly(join(dir, "none"))).rejects.toMatchObject({
      errno: "ENOENT",
    });
  });
});

/** FileHandle's prototype, to make its writes fail. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(tmpdir(), "r");
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

/** The next write on any FileHandle writes half its bytes, then fails as a full disk does. */
function failWriteHalfway(proto: FileHandle) {
  const write = proto.write as (...args: unknown[]) => Promise<unknown>;
  return vi.spyOn(proto, "write").mockImplementationOnce(async function (
    this: FileHandle,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ) {
    await write.call(this, buffer, offset, Math.floor(length / 2), position);
    throw noSpace();
  } as unknown as FileHandle["write"]);
}

const noSpace = () => Object.assign(new Error("no space left on device"), { code: "ENOSPC" });

describe("a failed append", () => {
  it("over the quota writes nothing and leaves earlier data readable", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir, { quota: 1000 });
    await commit(store, { a: new Uint8Array(500) });
    const size = await sizeOf(logOf(dir));
    await expect(commit(store, { b: new Uint8Array(600) })).rejects.toMatchObject({
      errno: "ENOSPC",
    });
    expect(await sizeOf(logOf(dir))).toBe(size);
    expect(await store.get("a")).toEqual(new Uint8Array(500));
    // The quota counts what is live after the batch: replacing a value frees its bytes.
    await commit(store, { a: new Uint8Array(900) });
    await store.close();
  });

  it("midway (the disk fills) is cut off the log: earlier data stays, later commits follow it", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await commit(store, { a: "1" });
    const size = await sizeOf(logOf(dir));
    const proto = await fileHandlePrototype();
    const spy = failWriteHalfway(proto);
    try {
      await expect(commit(store, { b: new Uint8Array(100_000) })).rejects.toMatchObject({
        errno: "ENOSPC",
      });
    } finally {
      spy.mockRestore();
    }
    expect(await sizeOf(logOf(dir))).toBe(size);
    expect(await contents(store)).toEqual({ a: "1" });
    await commit(store, { c: "3" });
    await store.close();
    const reopened = await FileStore.open(dir);
    expect(await contents(reopened)).toEqual({ a: "1", c: "3" });
    await reopened.close();
  });

  it("that cannot be cut off makes commits fail with EIO, never append after it", async () => {
    const dir = await tempDir();
    const store = await FileStore.open(dir);
    await commit(store, { a: "1" });
    const proto = await fileHandlePrototype();
    const writeSpy = failWriteHalfway(proto);
    const truncateSpy = vi
      .spyOn(proto, "truncate")
      .mockRejectedValueOnce(Object.assign(new Error("i/o error"), { code: "EIO" }));
    try {
      await expect(commit(store, { b: new Uint8Array(100_000) })).rejects.toMatchObject({
        errno: "ENOSPC",
      });
    } finally {
      writeSpy.mockRestore();
      truncateSpy.mockRestore();
    }
    const size = await sizeOf(logOf(dir));
    await expect(commit(store, { c: "3" })).rejects.toMatchObject({ errno: "EIO" });
    expect(await sizeOf(logOf(dir))).toBe(size);
    expect(await contents(store)).toEqual({ a: "1" });
    await store.close();
    // The next open drops the partial record.
    const reopened = await FileStore.open(dir);
    expect(await contents(reopened)).toEqual({ a: "1" });
    await commit(reopened, { c: "3" });
    expect(await contents(reopened)).toEqual({ a: "1", c: "3" });
    await reopened.close();
  });
});
