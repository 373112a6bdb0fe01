/**
 * The page side of the persistence figures (bench/browser/persistence.ts
 * drives it): functions on `window.persistence` that run one workload for
 * one subject and time it here, with performance.now(). Each workload is
 * the same code for every file system (./peers/file-store.ts); raw
 * IndexedDB, which has no files, gets the same bytes as 64 KiB values.
 *
 * Every call is meant for a fresh page: the driver opens one per call, so
 * a reopen is a new page (and, for overbox, a new worker) over the same
 * browser profile. The page is given where the images are served in its
 * query (`?images=URL`), since it sits below the site's root.
 */
import { Sandbox } from "../../src/index.ts";
import { DEFAULT_CHUNK_SIZE } from "../../core/overlay/upper-format.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import { REPLICA_FOLDER, whileHeld } from "../../browser/replica.ts";
import { randomBytes } from "../data.ts";
import type { Subject } from "../measure.ts";
import type { FileStoreKind } from "./peers/file-store.ts";

/** The subjects with files; raw IndexedDB has only the big file's workloads. */
export type FileSubject = Extract<Subject, "overbox (browser)" | "ZenFS" | "lifo">;
export type BigSubject = FileSubject | "raw IndexedDB";

/** What a check found wrong with what was read back; undefined when it is right. */
export type Problem = string | undefined;

export interface Reopened {
  /** From the open call to the store's answer (the big file's size); none for raw IndexedDB. */
  openMs?: number;
  /** Reading the whole file, after the open. */
  readMs: number;
  problem: Problem;
}

export interface Grown {
  /** Bytes of keys and values in the store's database before and after the one-byte write. */
  before: number;
  after: number;
  problem: Problem;
}

export interface PersistencePage {
  /** Deletes every IndexedDB database of this origin (no page may hold one open). */
  clear(): Promise<void>;
  /** Writes `bytes` pseudo-random bytes as one file and syncs; the milliseconds. */
  write(subject: BigSubject, store: string, bytes: number): Promise<number>;
  /** Opens the store `write` made, then reads the file back and checks it. */
  reopen(subject: BigSubject, store: string, bytes: number): Promise<Reopened>;
  /** Writes `files` files of `size` bytes in one directory and syncs; the milliseconds. */
  smallWrite(subject: FileSubject, store: string, files: number, size: number): Promise<number>;
  /** Opens the store and reads every file back and checks it; the milliseconds for all of it. */
  smallRead(
    subject: FileSubject,
    store: string,
    files: number,
    size: number,
  ): Promise<{ ms: number; problem: Problem }>;
  /**
   * A `bytes` file in a read-only lower layer; one byte written into its
   * middle, then sync: the stored bytes before and after.
   */
  oneByte(subject: "overbox (browser)" | "ZenFS", bytes: number): Promise<Grown>;
}

declare global {
  interface Window {
    persistence: PersistencePage;
  }
}

const BIG = "/data/big.bin";
const SMALL = "/data/small";
/** Seeds of data.ts's generator, one per input. */
const SEED = { big: 1, small: 5, lower: 6 };

const imagesUrl =
  new URLSearchParams(location.search).get("images") ?? new URL("../../images", location.href).href;

/** overbox through the library: a named container of the busybox image. */
const overbox: FileStoreKind = {
  open: async (name) => {
    const box = await Sandbox.open({ container: name, imagesUrl });
    const at = (path: string) => `/root${path}`;
    return {
      mkdir: async (path) => {
        const r = await box.exec(["mkdir", "-p", at(path)]);
        if (r.exitCode !== 0) throw new Error(`mkdir ${path}: ${r.stderr}`);
      },
      writeFile: (path, data) => box.fs.writeFile(at(path), data),
      readFile: (path) => box.fs.readFile(at(path)),
      size: async (path) => {
        const slash = path.lastIndexOf("/");
        const entries = await box.fs.readdir(at(path.slice(0, slash)));
        const entry = entries.find((e) => e.name === path.slice(slash + 1));
        if (!entry) throw new Error(`${path} is not in the reopened container`);
        return entry.size;
      },
      sync: () => box.sync(),
      close: () => box.close(),
    };
  },
};

/** The peers are loaded only by the pages that measure them. */
async function kind(subject: FileSubject): Promise<FileStoreKind> {
  switch (subject) {
    case "overbox (browser)":
      return overbox;
    case "ZenFS":
      return (await import("./peers/zenfs.ts")).zenfs;
    case "lifo":
      return (await import("./peers/lifo.ts")).lifo;
  }
}

async function write(subject: BigSubject, store: string, bytes: number): Promise<number> {
  const data = randomBytes(bytes, SEED.big);
  if (subject === "raw IndexedDB") return rawWrite(rawDatabase(store), data);
  const fs = await (await kind(subject)).open(store);
  await fs.mkdir("/data");
  const start = performance.now();
  await fs.writeFile(BIG, data);
  await fs.sync();
  const ms = performance.now() - start;
  await fs.close();
  return ms;
}

async function reopen(subject: BigSubject, store: string, bytes: number): Promise<Reopened> {
  const expected = randomBytes(bytes, SEED.big);
  if (subject === "raw IndexedDB") {
    const { ms, data } = await rawRead(rawDatabase(store));
    return { readMs: ms, problem: differ(data, expected) };
  }
  const k = await kind(subject);
  const start = performance.now();
  const fs = await k.open(store);
  const size = await fs.size(BIG);
  const openMs = performance.now() - start;
  const readStart = performance.now();
  const data = await fs.readFile(BIG);
  const readMs = performance.now() - readStart;
  await fs.close();
  const problem =
    size === bytes ? differ(data, expected) : `the reopened store says the file has ${size} bytes`;
  return { openMs, readMs, problem };
}

function smallContents(files: number, size: number): Uint8Array[] {
  const all = randomBytes(files * size, SEED.small);
  return Array.from({ length: files }, (_, i) => all.slice(i * size, (i + 1) * size));
}

async function smallWrite(
  subject: FileSubject,
  store: string,
  files: number,
  size: number,
): Promise<number> {
  const contents = smallContents(files, size);
  const fs = await (await kind(subject)).open(store);
  await fs.mkdir(SMALL);
  const start = performance.now();
  for (let i = 0; i < files; i++) await fs.writeFile(`${SMALL}/${i}`, contents[i]!);
  await fs.sync();
  const ms = performance.now() - start;
  await fs.close();
  return ms;
}

async function smallRead(
  subject: FileSubject,
  store: string,
  files: number,
  size: number,
): Promise<{ ms: number; problem: Problem }> {
  const contents = smallContents(files, size);
  const k = await kind(subject);
  let problem: Problem;
  const start = performance.now();
  const fs = await k.open(store);
  for (let i = 0; i < files && !problem; i++) {
    const p = differ(await fs.readFile(`${SMALL}/${i}`), contents[i]!);
    if (p) problem = `file ${i}: ${p}`;
  }
  const ms = performance.now() - start;
  await fs.close();
  return { ms, problem };
}

async function oneByte(subject: "overbox (browser)" | "ZenFS", bytes: number): Promise<Grown> {
  const lower = randomBytes(bytes, SEED.lower);
  const middle = bytes >> 1;
  const x = "x".charCodeAt(0);
  if (subject === "ZenFS") {
    const { openZenfs } = await import("./peers/zenfs.ts");
    const database = "bench-one-byte";
    const fs = await openZenfs(database, { path: "/lower.bin", data: lower });
    await fs.sync();
    const before = await storedBytes(database);
    await fs.writeByte("/lower.bin", middle, x);
    await fs.sync();
    const after = await storedBytes(database);
    lower[middle] = x;
    const problem = differ(await fs.readFile("/lower.bin"), lower);
    await fs.close();
    return { before, after, problem };
  }
  // The image: a container's file, committed. Then a new container of it.
  const maker = await Sandbox.open({ container: "bench-lower", imagesUrl });
  await maker.fs.writeFile("/root/lower.bin", lower);
  await maker.commit("bench-lower");
  await maker.close();
  const name = "bench-one-byte";
  // The container's database and its replica, measured while no worker has them open.
  const stored = async () =>
    (await storedBytes(IndexedDbStore.containerDatabase(name))) + (await replicaBytes(name));
  await (await Sandbox.open({ image: "bench-lower", container: name, imagesUrl })).close();
  const before = await stored();
  const box = await Sandbox.open({ image: "bench-lower", container: name, imagesUrl });
  let dd: { exitCode: number; stderr: string };
  let problem: Problem;
  try {
    dd = await box.exec(
      `printf x | dd of=/root/lower.bin bs=1 seek=${middle} conv=notrunc 2>/dev/null`,
    );
    lower[middle] = x;
    problem = differ(await box.fs.readFile("/root/lower.bin"), lower);
  } finally {
    await box.close();
  }
  const after = await stored();
  return { before, after, problem: dd.exitCode !== 0 ? `dd: ${dd.stderr}` : problem };
}

/** The size of container `name`'s replica file in the origin private file system (none: 0). */
async function replicaBytes(name: string): Promise<number> {
  try {
    const folder = await (
      await navigator.storage.getDirectory()
    ).getDirectoryHandle(REPLICA_FOLDER);
    return (await (await folder.getFileHandle(name)).getFile()).size;
  } catch (e) {
    if ((e as { name?: string }).name === "NotFoundError") return 0;
    throw e;
  }
}

/** How `got` differs from `expected`, or undefined when it does not. */
function differ(got: Uint8Array, expected: Uint8Array): Problem {
  if (got.length !== expected.length) {
    return `read back ${got.length} bytes, not ${expected.length}`;
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== expected[i]) return `byte ${i} differs`;
  }
  return undefined;
}

// ---- raw IndexedDB ----------------------------------------------------------

const RAW_STORE = "chunks";

/** Raw IndexedDB's database for store `name` (ZenFS's is named as the store). */
const rawDatabase = (name: string) => `raw-${name}`;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function completion(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

function openDatabase(name: string, objectStore?: string): Promise<IDBDatabase> {
  const r = indexedDB.open(name);
  r.onupgradeneeded = () => {
    if (objectStore) r.result.createObjectStore(objectStore);
  };
  return request(r);
}

/**
 * The bytes as 64 KiB values (overbox's chunk size) in one readwrite
 * transaction, awaited complete. No durability option is given: overbox's
 * store (idb-keyval) gives none either, so both get the browser's default.
 * Each value is its own copy: a view would store its whole buffer.
 */
async function rawWrite(name: string, data: Uint8Array): Promise<number> {
  const db = await openDatabase(name, RAW_STORE);
  try {
    const start = performance.now();
    const tx = db.transaction(RAW_STORE, "readwrite");
    const store = tx.objectStore(RAW_STORE);
    for (let at = 0, n = 0; at < data.length; at += DEFAULT_CHUNK_SIZE, n++) {
      store.put(data.slice(at, at + DEFAULT_CHUNK_SIZE), n);
    }
    await completion(tx);
    return performance.now() - start;
  } finally {
    db.close();
  }
}

/** Every value, in key order, made one array again; timed from the connection being open. */
async function rawRead(name: string): Promise<{ ms: number; data: Uint8Array }> {
  const db = await openDatabase(name, RAW_STORE);
  try {
    const start = performance.now();
    const tx = db.transaction(RAW_STORE, "readonly");
    const values = await request(tx.objectStore(RAW_STORE).getAll());
    const chunks = values as Uint8Array[];
    const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    return { ms: performance.now() - start, data };
  } finally {
    db.close();
  }
}

/**
 * The bytes a database holds: over every object store, the keys' and the
 * values' lengths (bytes for binary values, UTF-8 for strings, 8 for a
 * number key, JSON for anything else). What IndexedDB spends on disk
 * beside them (its own records, compaction) is not counted.
 */
async function storedBytes(name: string): Promise<number> {
  if (!(await indexedDB.databases()).some((d) => d.name === name)) return 0;
  const db = await openDatabase(name);
  try {
    let total = 0;
    for (const objectStore of Array.from(db.objectStoreNames)) {
      const store = db.transaction(objectStore, "readonly").objectStore(objectStore);
      const [keys, values] = await Promise.all([
        request(store.getAllKeys()),
        request(store.getAll()),
      ]);
      for (const k of keys) total += sizeOf(k);
      for (const v of values) total += sizeOf(v);
    }
    return total;
  } finally {
    db.close();
  }
}

const encoder = new TextEncoder();

function sizeOf(value: unknown): number {
  if (typeof value === "string") return encoder.encode(value).length;
  if (typeof value === "number") return 8;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof Blob) return value.size;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + sizeOf(v), 0);
  return encoder.encode(JSON.stringify(value) ?? "").length;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    // Blocked: a connection of a closed page has not gone yet; the deletion
    // goes on once it does.
  });
}

/**
 * Clears the site's storage, as "clear site data" does: IndexedDB, and
 * what overbox keeps beside it (its replicas in OPFS, its ledger in Cache
 * Storage), without which a container of the last run would be restored or
 * said to be lost.
 */
async function clear(): Promise<void> {
  for (const { name } of await indexedDB.databases()) if (name) await deleteDatabase(name);
  const root = await navigator.storage.getDirectory();
  // TypeScript's DOM types lack a directory handle's async iteration.
  const names: string[] = [];
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) {
    names.push(name);
  }
  for (const name of names) await whileHeld(() => root.removeEntry(name, { recursive: true }));
  for (const name of await caches.keys()) await caches.delete(name);
}

window.persistence = { clear, write, reopen, smallWrite, smallRead, oneByte };
