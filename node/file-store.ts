import { constants } from "node:fs";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { fail, ErrnoError } from "../core/errno.ts";
import {
  decodeOps,
  encodeRecord,
  HEADER,
  MAGIC,
  readHeader,
  type EncodedRecord,
  type Extent,
} from "../core/store/log-record.ts";
import type { Batch, Store } from "../core/store/store.ts";
import { makeDirectory } from "./disk.ts";

const LOG = "upper.log";
/** Where `clear` and compaction write the log that replaces upper.log. */
const NEXT_LOG = "upper.log.tmp";

/** Compaction at open: only a log bigger than this, and more dead than live. */
const COMPACT_ABOVE = 4 * 1024 * 1024;
/** Compaction writes records of about this size, never the whole layer at once. */
const COMPACT_RECORD = 8 * 1024 * 1024;
/** How much of the log a scan reads at a time. */
const READ_AHEAD = 1024 * 1024;
/** getMany reads values this close to each other together, in runs of at most GATHER_SPAN. */
const GATHER_GAP = 16 * 1024;
const GATHER_SPAN = 1024 * 1024;

/**
 * A store in one append-only file, for the Node CLI. A container's upper
 * layer is `DIR/upper.log`, a log of the batches committed to it (a
 * log-structured store, as Bitcask is), and an index in memory says where in
 * the log each live value is. Only keys are held in memory; values are read
 * from the file when asked for, since a layer can hold hundreds of MB.
 *
 * Lifecycle: `open` creates DIR if needed, reads the log through once to
 * build the index, cuts off a torn tail, and compacts a log that is mostly
 * dead values. One process writes a directory at a time (the caller sees to
 * that); others may look with `openReadOnly`, which changes no file. `close`
 * lets the commits already called finish, then closes the file.
 *
 * Terms (those of `Store`): `commit` appends the batch as one record and
 * resolves after fdatasync, so a resolved batch is on disk (every commit is
 * durable: the `durable` option changes nothing here). Commits run one
 * after another, in the order they were called. A record is a batch in the
 * format of core/store/log-record.ts. Nothing is ever written
 * after a record that is not whole, so a crash can tear only the last one,
 * and the length and checksum tell: open reads records until one is short or
 * does not check, and cuts the file there. A batch is thus applied whole or
 * not at all. `clear` and compaction write a new log beside the old one
 * (`upper.log.tmp`), fsync it and rename it over upper.log, so a crash
 * leaves one or the other.
 *
 * Errors: a full disk (ENOSPC, EDQUOT) or a passed `quota` (bytes of live
 * keys and values) rejects with ENOSPC, anything else from the file system
 * with EIO; the batch is not applied either way. A failed append is cut off
 * again; if even that fails, commits are refused with EIO from then on
 * rather than append after a partial record (reads still work, `clear`
 * starts a clean file, and the next open drops the partial record). A store
 * opened read-only answers EROFS to `commit` and `clear`; a closed store
 * answers EBADF.
 */
export class FileStore implements Store {
  /**
   * Set when the log is damaged in its middle (a record that does not
   * check, with good ones after it): what is wrong. Such a log is read up
   * to the damage and never cut or appended to (commits are EIO); `clear`
   * starts a clean one.
   */
  damage: string | undefined;
  private closing: Promise<void> | undefined;
  /** Set when a failed append could not be cut off: why commits are refused. */
  private broken: string | undefined;
  /** Appends and replacements of the log, one after another, so they never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Handles of logs replaced by `clear` or compaction. A read that started
   * before the replacement may still be under way on one (its offsets are
   * those of the old file), so they are closed only by `close`.
   */
  private readonly retired: FileHandle[] = [];

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private index: Index,
    /** Where the next record goes: the end of the last good one. */
    private end: number,
    private readonly quota: number,
    private readonly readOnly: boolean,
  ) {}

  static open(dir: string, options: { quota?: number } = {}): Promise<FileStore> {
    return withErrors(async () => {
      await makeDirectory(dir);
      // Left by a clear or compaction cut short: the log it was to replace is whole.
      await rm(join(dir, NEXT_LOG), { force: true });
      const handle = await open(join(dir, LOG), constants.O_RDWR | constants.O_CREAT, 0o644);
      const store = await closeOnError(handle, async () => {
        const { index, end, size, damage } = await scanLog(handle);
        if (end < size && damage === undefined) {
          // A torn tail: cut it, so that the next record follows good data.
          await handle.truncate(end);
          await handle.sync();
        }
        // upper.log's name is durable (it may have just been created).
        await syncDir(dir);
        const opened = new FileStore(dir, handle, index, end, options.quota ?? Infinity, false);
        opened.damage = damage;
        opened.broken = damage;
        return opened;
      });
      if (store.damage === undefined && store.mostlyDead()) {
        // Compaction only saves space: if it fails (a full disk, say), the
        // log as it is still serves, and replaceLog left it in place.
        await store.compact().catch(() => undefined);
      }
      return store;
    });
  }

  /**
   * The same log, for looking only: no file is changed (a torn tail is
   * ignored, not cut off; nothing is compacted), so another process may be
   * writing the container meanwhile: this store sees the batches committed
   * by the time it opened. ENOENT if DIR holds no log.
   */
  static openReadOnly(dir: string): Promise<FileStore> {
    return withErrors(async () => {
      const handle = await open(join(dir, LOG), "r").catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") fail("ENOENT", `no ${LOG} in ${dir}`);
        throw e;
      });
      return closeOnError(handle, async () => {
        const { index, end, damage } = await scanLog(handle);
        const opened = new FileStore(dir, handle, index, end, Infinity, true);
        opened.damage = damage;
        return opened;
      });
    });
  }

  /** Bytes of the live values (keys not counted). */
  get size(): number {
    return this.index.valueBytes;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.check();
    return this.read(this.handle, this.index.extents.get(key));
  }

  /**
   * Values near each other in the log are read with one read of the file
   * (opening a container asks for every inode at once: one read each took
   * 25 us, most of opening one of 10,000 files).
   */
  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    this.check();
    const handle = this.handle;
    const extents = keys.map((k) => this.index.extents.get(k));
    const order = extents
      .map((_, i) => i)
      .filter((i) => extents[i] !== undefined)
      .sort((a, b) => extents[a]!.offset - extents[b]!.offset);
    const out = new Array<Uint8Array | undefined>(keys.length).fill(undefined);
    const reads: Promise<void>[] = [];
    for (let first = 0; first < order.length;) {
      const start = extents[order[first]!]!.offset;
      let end = start + extents[order[first]!]!.length;
      let last = first + 1;
      for (; last < order.length; last++) {
        const e = extents[order[last]!]!;
        if (e.offset > end + GATHER_GAP || e.offset + e.length - start > GATHER_SPAN) break;
        end = Math.max(end, e.offset + e.length);
      }
      const run = order.slice(first, last);
      reads.push(
        this.read(handle, { offset: start, length: end - start }).then((bytes) => {
          for (const i of run) {
            const e = extents[i]!;
            // A copy of its own: a value must not hold the whole run alive.
            out[i] = bytes!.slice(e.offset - start, e.offset - start + e.length);
          }
        }),
      );
      first = last;
    }
    await Promise.all(reads);
    return out;
  }

  async keys(prefix = ""): Promise<string[]> {
    this.check();
    return [...this.index.extents.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async commit(batch: Batch): Promise<void> {
    this.check();
    if (this.readOnly) fail("EROFS", "the store is open read-only");
    // Encoded now, not when its turn comes: the batch is as it was at the call.
    const record = logRecord(batch.deletes, batch.puts);
    return this.serialize(() => this.append(record));
  }

  async clear(): Promise<void> {
    this.check();
    if (this.readOnly) fail("EROFS", "the store is open read-only");
    return this.serialize(() => this.replaceLog(async () => ({ index: new Index(), end: 0 })));
  }

  close(): Promise<void> {
    this.closing ??= withErrors(async () => {
      await this.queue;
      // FileHandle.close waits for the reads under way on it.
      await Promise.all([this.handle, ...this.retired].map((h) => h.close()));
    });
    return this.closing;
  }

  private check(): void {
    if (this.closing) fail("EBADF", "store is closed");
  }

  private async read(
    handle: FileHandle,
    extent: Extent | undefined,
  ): Promise<Uint8Array | undefined> {
    if (extent === undefined) return undefined;
    // A plain Uint8Array, not a Buffer: a Buffer's slice() would share its bytes.
    const value = new Uint8Array(extent.length);
    try {
      await readInto(handle, value, extent.offset);
    } catch (e) {
      if (this.closing) fail("EBADF", "store is closed");
      throw storeError(e);
    }
    return value;
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    const done = this.queue.then(step).catch((e: unknown) => {
      throw storeError(e);
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async append(record: LogRecord): Promise<void> {
    if (this.broken !== undefined) fail("EIO", this.broken);
    if (this.usedAfter(record) > this.quota) fail("ENOSPC", "file store quota");
    const at = this.end;
    try {
      await writeAll(this.handle, record.bytes, at);
      await this.handle.datasync();
    } catch (e) {
      await this.cutBack(at);
      throw e;
    }
    this.end = at + record.bytes.length;
    record.applyTo(this.index, at);
  }

  /** Cuts a failed append off the log, so that the next record follows good data. */
  private async cutBack(end: number): Promise<void> {
    try {
      await this.handle.truncate(end);
      // Durable too: a batch reported as failed must not come back after a crash.
      await this.handle.datasync();
    } catch (e) {
      this.broken = `a failed append could not be cut off the log: ${messageOf(e)}`;
    }
  }

  /** Bytes of live keys and values once `record` is applied. */
  private usedAfter(record: LogRecord): number {
    let used = this.index.keyBytes + this.index.valueBytes;
    for (const key of new Set([...record.deletes, ...record.puts.map(([k]) => k)])) {
      const extent = this.index.extents.get(key);
      if (extent) used -= Buffer.byteLength(key) + extent.length;
    }
    for (const [key, extent] of record.puts) used += Buffer.byteLength(key) + extent.length;
    return used;
  }

  private mostlyDead(): boolean {
    const live = this.index.keyBytes + this.index.valueBytes;
    return this.end > COMPACT_ABOVE && this.end - live > live;
  }

  /** Rewrites the live values into a new log, in records of about COMPACT_RECORD bytes. */
  private async compact(): Promise<void> {
    // In file order, so that the old log is read front to back.
    const live = [...this.index.extents].sort((a, b) => a[1].offset - b[1].offset);
    const reader = new Reader(this.handle);
    await this.replaceLog(async (next) => {
      const index = new Index();
      let end = 0;
      let puts: Array<[string, Uint8Array]> = [];
      let pending = 0;
      const flush = async () => {
        const record = logRecord([], puts);
        await writeAll(next, record.bytes, end);
        record.applyTo(index, end);
        end += record.bytes.length;
        puts = [];
        pending = 0;
      };
      for (const [key, extent] of live) {
        const bytes = key.length + extent.length;
        if (pending > 0 && pending + bytes > COMPACT_RECORD) await flush();
        // A copy: the reader's buffer does not outlive its next read.
        puts.push([key, Buffer.from(await reader.bytes(extent.offset, extent.length))]);
        pending += bytes;
      }
      if (puts.length > 0) await flush();
      return { index, end };
    });
  }

  /**
   * Puts a new log in place of upper.log, atomically: `fill` writes it as
   * upper.log.tmp, which is fsynced and renamed over upper.log. If anything
   * fails before the rename, upper.log and the store are as they were.
   */
  private async replaceLog(
    fill: (next: FileHandle) => Promise<{ index: Index; end: number }>,
  ): Promise<void> {
    const path = join(this.dir, NEXT_LOG);
    const next = await open(path, "w+");
    let log: { index: Index; end: number };
    try {
      log = await fill(next);
      await next.sync();
      await rename(path, join(this.dir, LOG));
    } catch (e) {
      await next.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw e;
    }
    // upper.log is the new file now: nothing may be appended to the old one.
    this.retired.push(this.handle);
    this.handle = next;
    this.index = log.index;
    this.end = log.end;
    this.broken = undefined;
    this.damage = undefined;
    // The rename is durable once the directory is.
    await syncDir(this.dir);
  }
}

/** The live keys, where their values are, and how many bytes they hold. */
class Index {
  readonly extents = new Map<string, Extent>();
  keyBytes = 0;
  valueBytes = 0;

  put(key: string, extent: Extent): void {
    this.delete(key);
    this.extents.set(key, extent);
    this.keyBytes += Buffer.byteLength(key);
    this.valueBytes += extent.length;
  }

  delete(key: string): void {
    const old = this.extents.get(key);
    if (old === undefined) return;
    this.extents.delete(key);
    this.keyBytes -= Buffer.byteLength(key);
    this.valueBytes -= old.length;
  }
}

/** A batch as one record of the log, ready to append. */
interface LogRecord extends EncodedRecord {
  /** Applies the record to `index`, once appended at offset `at`. */
  applyTo(index: Index, at: number): void;
}

function logRecord(deletes: Iterable<string>, puts: Iterable<[string, Uint8Array]>): LogRecord {
  return {
    ...encodeRecord(deletes, puts, crc32),
    applyTo(index, at) {
      for (const key of this.deletes) index.delete(key);
      for (const [key, e] of this.puts) index.put(key, { offset: at + e.offset, length: e.length });
    },
  };
}

/**
 * Reads the log from the start, record by record, until the end of the file
 * or the first record that is short or does not check. That is a torn tail
 * (a crash during the last append) unless a good record follows it
 * somewhere: then the log is damaged, and `damage` says where. Returns the
 * index of the good records before it, where they end, and the file's size.
 */
async function scanLog(
  handle: FileHandle,
): Promise<{ index: Index; end: number; size: number; damage: string | undefined }> {
  const reader = new Reader(handle);
  const size = await reader.size();
  const index = new Index();
  let end = 0;
  while (end + HEADER <= size) {
    const { magic, length, crc } = readHeader(await reader.bytes(end, HEADER));
    if (magic !== MAGIC || end + HEADER + length > size) break;
    const payload = await reader.bytes(end + HEADER, length);
    if (crc32(payload) !== crc) break;
    const start = end + HEADER;
    for (const { key, value } of decodeOps(payload, LOG)) {
      if (value === undefined) index.delete(key);
      else index.put(key, { offset: start + value.offset, length: value.length });
    }
    end = start + length;
  }
  let damage: string | undefined;
  if (end < size) {
    // Past the bad record when its header is whole: its payload may hold
    // anything, even bytes that look like a record (a log stored in a file).
    const header = end + HEADER <= size ? Buffer.from(await reader.bytes(end, HEADER)) : null;
    const claimed =
      header?.readUInt32LE(0) === MAGIC ? end + HEADER + header.readUInt32LE(4) : end + 1;
    const next = claimed < size ? await nextRecord(reader, claimed, size) : null;
    if (next !== null) {
      damage = `${LOG} is damaged at byte ${end} of ${size}: the records from byte ${next} on are not read`;
    }
  }
  return { index, end, size, damage };
}

/** Where the first whole record that checks starts, at `from` or after; null if none does. */
async function nextRecord(reader: Reader, from: number, size: number): Promise<number | null> {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(MAGIC);
  for (let at = from; at + HEADER <= size;) {
    const piece = await reader.bytes(at, Math.min(READ_AHEAD, size - at));
    const hit = piece.indexOf(magic);
    if (hit < 0) {
      // The magic may straddle two pieces.
      at += Math.max(1, piece.length - 3);
      continue;
    }
    const start = at + hit;
    if (start + HEADER <= size) {
      const header = Buffer.from(await reader.bytes(start, HEADER));
      const length = header.readUInt32LE(4);
      if (start + HEADER + length <= size) {
        const payload = await reader.bytes(start + HEADER, length);
        if (crc32(payload) === header.readUInt32LE(8)) return start;
      }
    }
    at = start + 1;
  }
  return null;
}

/** Reads a file front to back in large pieces, for the scan at open and compaction. */
class Reader {
  private buffer = Buffer.alloc(0);
  private start = 0;

  constructor(private readonly handle: FileHandle) {}

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /** Bytes `at` to `at + length` of the file, which holds them; valid until the next call. */
  async bytes(at: number, length: number): Promise<Buffer> {
    if (at < this.start || at + length > this.start + this.buffer.length) {
      this.buffer = Buffer.allocUnsafe(Math.max(length, READ_AHEAD));
      const read = await readInto(this.handle, this.buffer, at, length);
      this.buffer = this.buffer.subarray(0, read);
      this.start = at;
    }
    return this.buffer.subarray(at - this.start, at - this.start + length);
  }
}

/**
 * Reads into `target` from `position` until it is full or the file ends,
 * and answers how many bytes it read. Fewer than `least` is an error: the
 * log ends before a value the index says it holds.
 */
async function readInto(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  least = target.length,
): Promise<number> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done < least) fail("EIO", `${LOG} ends before a value it holds`);
  return done;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** Makes the names in `dir` durable (a created or renamed file's). */
async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory to fsync it; NTFS journals renames itself.
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function closeOnError<T>(handle: FileHandle, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}

async function withErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw storeError(e);
  }
}

/** The file system's errors as ErrnoErrors: a full disk is ENOSPC, the rest EIO. */
function storeError(e: unknown): ErrnoError {
  if (e instanceof ErrnoError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return new ErrnoError("ENOSPC", messageOf(e));
  return new ErrnoError("EIO", `${LOG}: ${messageOf(e)}`);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
