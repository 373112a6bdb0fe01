import { fail, ErrnoError } from "../core/errno.ts";
import {
  decodeOps,
  encodeRecord,
  HEADER,
  MAGIC,
  readHeader,
  crc32,
} from "../core/store/log-record.ts";
import { newBatch, type Batch, type CommitOptions, type Store } from "../core/store/store.ts";

/**
 * A browser container's replica: a copy of its upper layer kept apart from
 * IndexedDB, in the origin private file system (OPFS), from which the
 * container is restored when the browser has dropped its database.
 *
 * Why: after a crash, Chromium sometimes deletes a site's whole IndexedDB
 * (it finds its LevelDB log corrupt at the next start; README,
 * Reliability). OPFS is other files, untouched by that.
 *
 * What: one file per container (`overbox.replicas/NAME`), a log of the
 * batches committed to its store, each a record of log-record.ts, so a
 * crash can tear only its last record. Every batch also puts REPLICA_KEY:
 * in the log, the batch's sequence number (and the log's size after its
 * last rebuild); in the database, the same and where the batch's record is
 * in the log (its offset and its header's crc). Opening reads that one
 * header, not the log: if it is there, the replica holds every batch the
 * database does. Else the log's last records are read and checked.
 *
 * Order: a batch is written to the replica (synchronously, through a
 * FileSystemSyncAccessHandle; flushed to the disk first when durable), then
 * committed to the database; if the database refuses it, it is cut off the
 * replica again. So the replica holds every batch the database holds, and
 * at most one more (the one under way at a crash), which opening cuts off.
 * A replica that does not end at the database's batch (gone, damaged, of a
 * container made before replicas) is rebuilt from the database; so is one
 * that overwritten and deleted values have made mostly dead.
 *
 * Restoring: a database with no keys, and a replica with records, is a
 * dropped database (a new container's database and replica are both empty;
 * a reset is a batch like the others). The records are replayed into it,
 * up to the first one that does not check.
 *
 * Errors: a replica that cannot be written fails the commit (ENOSPC when
 * the quota is full, else EIO) and nothing of the batch is stored.
 */

/** The key of the database, and of every record, that holds the batch's sequence number. */
export const REPLICA_KEY = "replica";
/** Where the replicas are, in the origin private file system. */
export const REPLICA_FOLDER = "overbox.replicas";
/**
 * A rebuild is written beside the replica, then renamed over it; "~" is in
 * no container's name, so the two never meet.
 */
const NEXT = "~next";
/** A replica is rebuilt when it is bigger than twice its size at the last rebuild plus this. */
const REBUILD_SLACK = 32 * 1024 * 1024;
/** A rebuild and a restore write records (and database batches) of about this size. */
const PIECE = 8 * 1024 * 1024;
/** How long whileHeld waits for another worker to let go of a file, and how often it tries. */
const HELD_WAIT_MS = 5000;
const HELD_RETRY_MS = 100;
/** Keys a rebuild reads from the database at a time. */
const KEYS_AT_A_TIME = 256;

/** A file as a FileSystemSyncAccessHandle shows it (synchronous; OPFS, in a worker). */
export interface ReplicaFile {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

/** Where the replica files are: OPFS's folder, or one in memory for tests. */
export interface ReplicaFolder {
  /** The file `name`, made empty if there is none. Only one handle of a file at a time. */
  open(name: string): Promise<ReplicaFile>;
  has(name: string): Promise<boolean>;
  /** The names of the replicas (not of rebuilds under way). */
  names(): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Renames `from` to `to`, replacing it; neither may be open. */
  rename(from: string, to: string): Promise<void>;
}

/** How opening found the container's replica. */
export type ReplicaOutcome = "new" | "current" | "rebuilt" | "restored";

/**
 * A container's store in the database (`database`), with its replica in
 * `folder` (see above). Where there is no OPFS (Node, an insecure origin),
 * `replicas()` is null and the database is used alone.
 */
export class ReplicatedStore implements Store {
  /** The replica's log: where the next record goes, and its size after the last rebuild. */
  private end = 0;
  private base = 0;
  /** The sequence number of the last batch, in the database and the replica. */
  private seq = 0;
  /** What the replica's values take, once known (a scan of the log finds out). */
  private sizes: Sizes | null = null;
  /** Commits, clears and rebuilds, one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly database: Store,
    private readonly folder: ReplicaFolder,
    private readonly name: string,
    private file: ReplicaFile,
  ) {}

  /**
   * Opens container `name`'s replica beside `database`, and brings the two
   * together: restores a dropped database from the replica, cuts a batch
   * the database never got off the replica, or rebuilds the replica.
   */
  static async open(
    database: Store,
    folder: ReplicaFolder,
    name: string,
  ): Promise<{ store: ReplicatedStore; outcome: ReplicaOutcome }> {
    const file = await settleRename(folder, name)
      .then(() => folder.open(name))
      .catch((e: unknown) => {
        throw new ErrnoError("EIO", `the container's replica cannot be opened: ${messageOf(e)}`);
      });
    const store = new ReplicatedStore(database, folder, name, file);
    try {
      const outcome = await store.reconcile();
      return { store, outcome };
    } catch (e) {
      store.file.close();
      throw e;
    }
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.database.get(key);
  }

  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return this.database.getMany(keys);
  }

  async keys(prefix?: string): Promise<string[]> {
    return (await this.database.keys(prefix)).filter((k) => k !== REPLICA_KEY);
  }

  commit(batch: Batch, options: CommitOptions = {}): Promise<void> {
    // Copied now, not when its turn comes: the batch is as it was at the call.
    const copy: Batch = { puts: new Map(batch.puts), deletes: new Set(batch.deletes) };
    copy.deletes.delete(REPLICA_KEY);
    return this.serialize(async () => {
      const seq = this.seq + 1;
      copy.puts.set(REPLICA_KEY, seqValue({ seq, base: this.base }));
      const at = this.end;
      const bytes = encodeRecord(copy.deletes, copy.puts).bytes;
      this.append(bytes, options.durable === true);
      const record = { offset: at, crc: readHeader(bytes).crc };
      const toDatabase: Batch = {
        puts: new Map(copy.puts).set(REPLICA_KEY, seqValue({ seq, base: this.base, record })),
        deletes: copy.deletes,
      };
      try {
        await this.database.commit(toDatabase, options);
      } catch (e) {
        this.cutBack(at);
        throw e;
      }
      this.seq = seq;
      this.sizes?.apply(copy);
      // Only space is at stake: a rebuild that fails leaves the replica as it was.
      if (this.mostlyDead()) await this.rebuild().catch(() => undefined);
    });
  }

  clear(): Promise<void> {
    return this.serialize(async () => {
      this.file.truncate(0);
      this.file.flush();
      this.end = 0;
      this.base = 0;
      this.seq = 0;
      this.sizes = new Sizes();
      await this.database.clear();
    });
  }

  close(): Promise<void> {
    return this.serialize(async () => {
      this.file.close();
      await this.database.close();
    });
  }

  // ---- inside ---------------------------------------------------------------

  private serialize(step: () => Promise<void>): Promise<void> {
    const done = this.queue.then(step);
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async reconcile(): Promise<ReplicaOutcome> {
    const stored = await this.database.get(REPLICA_KEY);
    if (stored !== undefined && !isRestoring(stored)) {
      // Where the database's last batch is in the replica: found, the rest is the database's.
      const { seq, base, record } = readSeq(stored);
      const end = record ? recordEnd(this.file, record) : null;
      if (end !== null) {
        if (this.file.getSize() > end) {
          // The batch under way at a crash, which the database never got.
          this.file.truncate(end);
          this.file.flush();
        }
        this.end = end;
        this.base = base;
        this.seq = seq;
        return "current";
      }
    }
    const log = scanTail(this.file);
    const dropped = stored === undefined && (await this.database.keys()).length === 0;
    if ((dropped || isRestoring(stored)) && log.last !== null) {
      await this.restore();
      return "restored";
    }
    if (dropped) {
      this.file.truncate(0);
      this.sizes = new Sizes();
      return "new";
    }
    const seq = stored === undefined || isRestoring(stored) ? null : readSeq(stored).seq;
    let last = log.last;
    if (last !== null && seq !== null && last.seq === seq + 1 && last.previous !== null) {
      // The batch under way at a crash: the database never got it.
      this.file.truncate(last.offset);
      this.file.flush();
      last = last.previous;
    }
    if (last !== null && seq !== null && last.seq === seq) {
      this.file.truncate(last.end);
      this.end = last.end;
      this.base = last.base;
      this.seq = seq;
      return "current";
    }
    this.seq = seq ?? 0;
    await this.rebuild();
    return "rebuilt";
  }

  /**
   * Whether overwritten and deleted values take more of the replica than
   * live ones, and more than REBUILD_SLACK. Until the replica has grown past
   * twice its size at the last rebuild, that is not asked (nor its log
   * scanned to find out).
   */
  private mostlyDead(): boolean {
    if (this.sizes === null) {
      if (this.end <= 2 * this.base + REBUILD_SLACK) return false;
      this.sizes = new Sizes();
      for (const record of readRecords(this.file)) this.sizes.applyRecord(record.payload);
    }
    const dead = this.sizes.dead;
    return dead > REBUILD_SLACK && dead > this.end - dead;
  }

  /** Writes `bytes` at the end of the replica (and to the disk when `durable`). */
  private append(bytes: Uint8Array, durable: boolean): void {
    const at = this.end;
    try {
      writeAll(this.file, bytes, at);
      if (durable) this.file.flush();
    } catch (e) {
      this.cutBack(at);
      throw replicaError(e);
    }
    this.end = at + bytes.length;
  }

  /** Cuts the replica back to `end` (a batch that failed). */
  private cutBack(end: number): void {
    try {
      this.file.truncate(end);
      this.end = end;
    } catch {
      // A replica that cannot be cut may hold a batch the database lacks:
      // the next open finds the two apart and rebuilds it.
      this.end = this.file.getSize();
    }
  }

  /**
   * Writes the database's keys and values as a new replica, beside this
   * one, then puts it in its place. The queue is held meanwhile, so no batch
   * comes between the database read and the swap.
   */
  private async rebuild(): Promise<void> {
    const nextName = this.name + NEXT;
    const next = await this.folder.open(nextName);
    let end = 0;
    let lastRecord: RecordPlace = { offset: 0, crc: 0 };
    try {
      next.truncate(0);
      const keys = (await this.database.keys()).filter((k) => k !== REPLICA_KEY);
      let puts: Array<[string, Uint8Array]> = [];
      let pending = 0;
      const sizes = new Sizes();
      const write = (last: boolean) => {
        if (last) puts.push([REPLICA_KEY, seqValue({ seq: this.seq, base: end + pending })]);
        sizes.apply({ puts: new Map(puts), deletes: new Set() });
        const bytes = encodeRecord([], puts).bytes;
        writeAll(next, bytes, end);
        lastRecord = { offset: end, crc: readHeader(bytes).crc };
        end += bytes.length;
        puts = [];
        pending = 0;
      };
      for (let i = 0; i < keys.length; i += KEYS_AT_A_TIME) {
        const slice = keys.slice(i, i + KEYS_AT_A_TIME);
        const values = await this.database.getMany(slice);
        slice.forEach((key, j) => {
          const value = values[j];
          if (value === undefined) return;
          if (pending > PIECE) write(false);
          puts.push([key, value]);
          pending += key.length + value.length;
        });
      }
      write(true);
      next.flush();
      this.sizes = sizes;
    } catch (e) {
      next.close();
      await this.folder.remove(nextName).catch(() => undefined);
      throw replicaError(e);
    }
    next.close();
    this.file.close();
    await this.folder.remove(this.name);
    await this.folder.rename(nextName, this.name);
    this.file = await this.folder.open(this.name);
    this.end = end;
    this.base = end;
    // The database learns where its last batch is now (a crash before leaves the scan to find it).
    const batch = newBatch();
    batch.puts.set(REPLICA_KEY, seqValue({ seq: this.seq, base: this.base, record: lastRecord }));
    await this.database.commit(batch, { durable: true });
  }

  /**
   * Replays the replica into the database, up to its first record that does
   * not check. The database says RESTORING until the last piece is in, so
   * a restore cut short is started again, not taken for the container.
   */
  private async restore(): Promise<void> {
    await this.database.clear();
    let pending = newBatch();
    pending.puts.set(REPLICA_KEY, RESTORING);
    await this.database.commit(pending);
    pending = newBatch();
    let bytes = 0;
    let end = 0;
    let last: { seq: number; base: number } | null = null;
    let lastRecord: RecordPlace | undefined;
    const commit = async (durable: boolean) => {
      await this.database.commit(pending, { durable });
      pending = newBatch();
      bytes = 0;
    };
    const sizes = new Sizes();
    for (const record of readRecords(this.file)) {
      sizes.applyRecord(record.payload);
      for (const { key, value } of decodeOps(record.payload, REPLICA_FOLDER)) {
        if (value === undefined) {
          pending.puts.delete(key);
          pending.deletes.add(key);
          continue;
        }
        const copy = record.payload.slice(value.offset, value.offset + value.length);
        if (key === REPLICA_KEY) {
          last = readSeq(copy);
          continue;
        }
        pending.deletes.delete(key);
        pending.puts.set(key, copy);
        bytes += copy.length;
      }
      end = record.end;
      lastRecord = { offset: record.offset, crc: record.crc };
      if (bytes > PIECE) await commit(false);
    }
    this.end = end;
    this.base = last?.base ?? 0;
    this.seq = last?.seq ?? 0;
    this.sizes = sizes;
    pending.puts.set(
      REPLICA_KEY,
      seqValue({ seq: this.seq, base: this.base, ...(lastRecord ? { record: lastRecord } : {}) }),
    );
    await commit(true);
    this.file.truncate(end);
    this.file.flush();
  }
}

/** The bytes each key's value takes in a replica's log, and those of values overwritten or deleted since. */
class Sizes {
  private readonly of = new Map<string, number>();
  dead = 0;

  apply(batch: Batch): void {
    for (const key of batch.deletes) this.drop(key);
    for (const [key, value] of batch.puts) {
      this.drop(key);
      this.of.set(key, value.length);
    }
  }

  applyRecord(payload: Uint8Array): void {
    for (const { key, value } of decodeOps(payload, REPLICA_FOLDER)) {
      this.drop(key);
      if (value !== undefined) this.of.set(key, value.length);
    }
  }

  private drop(key: string): void {
    this.dead += this.of.get(key) ?? 0;
    this.of.delete(key);
  }
}

/** What this browser gives for replicas, found once per worker (see probe). */
let support: Promise<{ folder: ReplicaFolder | null; missing: string | null }> | null = null;

/**
 * The folder of replicas in the origin private file system, or null where
 * this browser can keep none (see replicasMissing).
 */
export async function replicas(): Promise<ReplicaFolder | null> {
  support ??= probe();
  return (await support).folder;
}

/**
 * Why this browser keeps no replicas here, as a line for the page: no
 * origin private file system (Node; an origin that is not secure; storage
 * refused; WebKit with its Storage API off), or one whose files a worker
 * cannot write synchronously (WebKit's NotSupportedError). Null when it
 * keeps them.
 */
export async function replicasMissing(): Promise<string | null> {
  support ??= probe();
  return (await support).missing;
}

const LOST_WITHOUT =
  "so a container is kept in IndexedDB alone, and is lost if the browser drops this site's storage";

/**
 * Finds out whether replicas can be kept: the folder, and a file of it
 * opened for synchronous access, as a replica is. The file is made,
 * opened and removed (its name holds "~", as no container's does), so
 * nothing is left behind either way.
 */
async function probe(): Promise<{ folder: ReplicaFolder | null; missing: string | null }> {
  const dir = await opfsFolder(REPLICA_FOLDER);
  if (!dir) {
    return {
      folder: null,
      missing: `no replica: this browser gives the page no origin private file system, ${LOST_WITHOUT}`,
    };
  }
  const name = `~probe-${Math.random().toString(36).slice(2)}`;
  try {
    const file = (await dir.getFileHandle(name, { create: true })) as unknown as OpfsFile;
    if (typeof file.createSyncAccessHandle !== "function") {
      throw Object.assign(new Error("createSyncAccessHandle is missing"), { name: "TypeError" });
    }
    (await file.createSyncAccessHandle()).close();
    return { folder: opfsReplicas(dir), missing: null };
  } catch (e) {
    const why = `${(e as { name?: string }).name ?? "Error"}: ${messageOf(e)}`;
    return {
      folder: null,
      missing: `no replica: this browser cannot write its origin private file system from a worker (${why}), ${LOST_WITHOUT}`,
    };
  } finally {
    await dir.removeEntry(name).catch(() => undefined);
  }
}

/** The replica folder over OPFS directory `dir`. */
function opfsReplicas(dir: FileSystemDirectoryHandle): ReplicaFolder {
  const handle = (name: string, create = false) =>
    dir.getFileHandle(name, { create }) as unknown as Promise<OpfsFile>;
  return {
    async open(name) {
      const file = await handle(name, true);
      return whileHeld(() => file.createSyncAccessHandle());
    },
    async has(name) {
      return handle(name).then(
        () => true,
        () => false,
      );
    },
    async names() {
      const names: string[] = [];
      // TypeScript's DOM types lack a directory handle's async iteration.
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
        // Not a rebuild under way (NAME~next), nor a probe (~probe-...).
        if (!name.includes("~")) names.push(name);
      }
      return names;
    },
    async remove(name) {
      await dir.removeEntry(name).catch((e: unknown) => {
        if ((e as { name?: string }).name !== "NotFoundError") throw e;
      });
    },
    async rename(from, to) {
      await (await handle(from)).move(to);
    },
  };
}

/**
 * `attempt`, tried again while an OPFS file it needs is held: a worker
 * that has just ended (a reloaded page's) may hold its files a moment
 * longer. Up to HELD_WAIT_MS; then the error is thrown.
 */
export async function whileHeld<T>(attempt: () => Promise<T>): Promise<T> {
  for (let wait = 0; ; wait += HELD_RETRY_MS) {
    try {
      return await attempt();
    } catch (e) {
      const held = (e as { name?: string }).name === "NoModificationAllowedError";
      if (!held || wait >= HELD_WAIT_MS) throw e;
      await new Promise((resolve) => setTimeout(resolve, HELD_RETRY_MS));
    }
  }
}

/**
 * An OPFS file's handle, as a dedicated worker has it: TypeScript's DOM
 * types lack createSyncAccessHandle (a worker's) and move (Chromium 110 on).
 */
interface OpfsFile {
  createSyncAccessHandle(): Promise<ReplicaFile>;
  move(name: string): Promise<void>;
}

/** Finishes a rebuild's rename that a crash cut short, or drops a rebuild that never finished. */
async function settleRename(folder: ReplicaFolder, name: string): Promise<void> {
  if (!(await folder.has(name + NEXT))) return;
  // The replica is removed only once the next one is whole and on the disk.
  if (await folder.has(name)) await folder.remove(name + NEXT);
  else await folder.rename(name + NEXT, name);
}

/** REPLICA_KEY's value while a restore is under way. */
const RESTORING = new Uint8Array([0x52]);

function isRestoring(value: Uint8Array | undefined): boolean {
  return value?.length === RESTORING.length && value[0] === RESTORING[0];
}

/** Where a batch's record is in the replica: its offset, and its header's crc. */
interface RecordPlace {
  offset: number;
  crc: number;
}

/**
 * REPLICA_KEY's value: a batch's sequence number and the log's size after
 * its last rebuild; in the database, also the batch's RecordPlace.
 */
interface SeqValue {
  seq: number;
  base: number;
  record?: RecordPlace;
}

function seqValue({ seq, base, record }: SeqValue): Uint8Array {
  const bytes = new Uint8Array(record ? 28 : 16);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, seq, true);
  view.setFloat64(8, base, true);
  if (record) {
    view.setFloat64(16, record.offset, true);
    view.setUint32(24, record.crc, true);
  }
  return bytes;
}

function readSeq(value: Uint8Array): SeqValue {
  if (value.length !== 16 && value.length !== 28) {
    fail("EIO", `the replica's record in the database is damaged`);
  }
  const view = new DataView(value.buffer, value.byteOffset, value.length);
  const seq = view.getFloat64(0, true);
  const base = view.getFloat64(8, true);
  if (value.length === 16) return { seq, base };
  return {
    seq,
    base,
    record: { offset: view.getFloat64(16, true), crc: view.getUint32(24, true) },
  };
}

/**
 * Where the record at `place` ends, if a record with that crc starts there
 * and is whole; null if not. Only its header is read: the database got the
 * batch after the replica had all of it, and a crash tears only what comes
 * after.
 */
function recordEnd(file: ReplicaFile, place: RecordPlace): number | null {
  const header = wholeHeader(file, place.offset, file.getSize());
  return header?.crc === place.crc ? header.end : null;
}

/** The header of the record at `at`, if one starts there and ends by `size` (its payload unchecked). */
function wholeHeader(
  file: ReplicaFile,
  at: number,
  size: number,
): { crc: number; end: number } | null {
  if (at + HEADER > size) return null;
  const header = new Uint8Array(HEADER);
  readAll(file, header, at);
  const { magic, length, crc } = readHeader(header);
  const end = at + HEADER + length;
  return magic === MAGIC && end <= size ? { crc, end } : null;
}

interface LastRecord {
  offset: number;
  end: number;
  seq: number;
  base: number;
  /** The record before it, if it checks too. */
  previous: LastRecord | null;
}

/**
 * The last two records of a replica that check, found by hopping from
 * header to header (a record's payload is read only for the last ones: a
 * crash tears only the end of a log).
 */
function scanTail(file: ReplicaFile): { last: LastRecord | null } {
  const size = file.getSize();
  const starts: number[] = [];
  let at = 0;
  for (let header = wholeHeader(file, 0, size); header; header = wholeHeader(file, at, size)) {
    starts.push(at);
    at = header.end;
  }
  let last: LastRecord | null = null;
  // The last record that checks, and the one before it.
  for (let i = starts.length - 1; i >= 0 && i >= starts.length - 3; i--) {
    const record = readRecord(file, starts[i]!, size);
    if (record === null) continue;
    const seq = seqOf(record.payload);
    if (seq === null) continue;
    const found: LastRecord = { offset: starts[i]!, end: record.end, ...seq, previous: null };
    if (last === null) last = found;
    else if (last.offset === record.end) {
      last.previous = found;
      break;
    } else break;
  }
  return { last };
}

/** The sequence number a record puts, if it puts one. */
function seqOf(payload: Uint8Array): { seq: number; base: number } | null {
  let found: { seq: number; base: number } | null = null;
  for (const { key, value } of decodeOps(payload, REPLICA_FOLDER)) {
    if (key === REPLICA_KEY && value !== undefined) {
      found = readSeq(payload.subarray(value.offset, value.offset + value.length));
    }
  }
  return found;
}

/** A record of the replica, read whole and checked. */
interface StoredRecord extends RecordPlace {
  payload: Uint8Array;
  end: number;
}

/** The record at `at`, if it is whole and checks. */
function readRecord(file: ReplicaFile, at: number, size: number): StoredRecord | null {
  const header = wholeHeader(file, at, size);
  if (!header) return null;
  const payload = new Uint8Array(header.end - at - HEADER);
  readAll(file, payload, at + HEADER);
  return crc32(payload) === header.crc ? { payload, offset: at, ...header } : null;
}

/** The records from the start, up to the first one that is not whole or does not check. */
function* readRecords(file: ReplicaFile): Generator<StoredRecord> {
  const size = file.getSize();
  for (let at = 0; ;) {
    const record = readRecord(file, at, size);
    if (record === null) return;
    yield record;
    at = record.end;
  }
}

function readAll(file: ReplicaFile, into: Uint8Array, at: number): void {
  let done = 0;
  while (done < into.length) {
    const n = file.read(into.subarray(done), { at: at + done });
    if (n === 0) fail("EIO", "the replica ends before a record it holds");
    done += n;
  }
}

/**
 * Writes all of `bytes` at `at`. A write that takes no byte is a full
 * quota: Firefox's sync access handle answers one with a short write, not
 * QuotaExceededError, and writing on would never end.
 */
function writeAll(file: ReplicaFile, bytes: Uint8Array, at: number): void {
  let done = 0;
  while (done < bytes.length) {
    const n = file.write(bytes.subarray(done), { at: at + done });
    if (n <= 0) fail("ENOSPC", "storage quota exceeded: the replica takes no more bytes");
    done += n;
  }
}

/**
 * The folder `name` of the origin private file system, made if need be;
 * null where there is none (Node; an origin that is not secure; storage
 * refused).
 */
export async function opfsFolder(name: string): Promise<FileSystemDirectoryHandle | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.getDirectory !== "function") return null;
  try {
    return await (await storage.getDirectory()).getDirectoryHandle(name, { create: true });
  } catch {
    return null;
  }
}

/** OPFS's errors as ErrnoErrors: a full quota is ENOSPC, the rest EIO. */
export function replicaError(e: unknown): ErrnoError {
  if (e instanceof ErrnoError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === "QuotaExceededError") return new ErrnoError("ENOSPC", "storage quota exceeded");
  return new ErrnoError("EIO", `replica: ${messageOf(e)}`);
}

function messageOf(e: unknown): string {
  return String((e as Error | null)?.message ?? e);
}
