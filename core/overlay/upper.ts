import { fail, ErrnoError, reason } from "../errno.ts";
import type { FileType } from "../vfs/filesystem.ts";
import { now } from "../vfs/filesystem.ts";
import { OpenCounts } from "../vfs/open-counts.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { newBatch, type Store } from "../store/store.ts";
import {
  chunkKey,
  decodeEntry,
  decodeInode,
  decodeMeta,
  DEFAULT_CHUNK_SIZE,
  encodeEntry,
  encodeInode,
  encodeMeta,
  entryKey,
  inodeKey,
  keyKind,
  META_KEY,
  PREFIX,
  ROOT_INO,
  splitKey,
  WHITEOUT,
  type BaseData,
  type FsckProblem,
  type UpperInode,
} from "./upper-format.ts";

export interface UpperOptions {
  /** Bytes per stored chunk of file data. */
  chunkSize?: number;
  /** Bytes of clean (committed) chunks kept in memory. */
  cacheBytes?: number;
  /** Milliseconds between a change and the batch that stores it. */
  writeBack?: number;
}

/**
 * Bytes `start` to `end` of a lower file, for copied-up files' base data
 * (a lower layer fetched as it is read may throw WouldBlock).
 */
export type BaseReader = (base: BaseData, start: number, end: number) => Uint8Array;

/**
 * The writable upper layer of a container, kept in a Store in the format
 * upper-format.ts describes.
 *
 * Opening reads every inode and entry (the metadata) and the names of the
 * chunks, never their bytes: a chunk is loaded when it is first read. A
 * synchronous read of a chunk not in memory throws WouldBlock, and the
 * caller calls again once it has been loaded.
 *
 * Changes are marked dirty and written in batches, one Store commit each,
 * `writeBack` ms after the first change or at `sync`. Every batch holds the
 * state after whole operations (calls are synchronous, a batch is built
 * between them), so a crash leaves the last committed state. A failed
 * commit keeps the changes dirty and is reported by the next `fsync`;
 * after ENOSPC, writes of new data fail with ENOSPC until a commit succeeds.
 *
 * An inode whose last name is removed stays while a file is open on it
 * (`retain`/`release`) and is deleted from the store when released; one
 * left behind by a crash is deleted at the next open.
 */
export class UpperLayer {
  /** Fixed when the layer is first made: stored chunks are cut at it. */
  chunkSize: number;
  private readonly cacheBytes: number;
  private readonly writeBack: number;
  private readonly inodes = new Map<number, UpperInode>();
  private nextIno = ROOT_INO + 1;
  /** Chunks that exist (committed, in flight, or dirty). */
  private readonly present = new Set<string>();
  /** Chunk bytes in memory: dirty and in-flight ones, and a cache of clean ones in LRU order. */
  private readonly chunks = new Map<string, Uint8Array>();
  private cachedBytes = 0;
  private readonly loading = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly open = new OpenCounts();
  private flushChain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failure: ErrnoError | null = null;
  /** A commit since the last durable one may still be in the OS's cache, not on the disk. */
  private undurable = false;
  private closed = false;
  /** What `open` found damaged in the store (empty when it is sound). */
  readonly damage: FsckProblem[] = [];

  private constructor(
    private readonly store: Store,
    private readonly readBase: BaseReader,
    private readonly rootFrom: Pick<UpperInode, "mode" | "uid" | "gid">,
    options: UpperOptions,
  ) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.cacheBytes = options.cacheBytes ?? 32 << 20;
    this.writeBack = options.writeBack ?? 100;
  }

  /**
   * Opens the upper layer kept in `store`: reads the metadata, collects the
   * inodes a crash left without a name, and makes the root if there is
   * none (with `rootFrom`'s metadata).
   *
   * Damaged storage does not stop it: a record that cannot be read, an
   * entry that names a missing inode, a file missing some of its chunks,
   * a missing root or meta record are each listed in `damage`, and what
   * can be read is served (a missing chunk reads as zeros, or as the
   * lower file's bytes). A damaged layer writes nothing to `store` while
   * it opens, not even its repairs: the caller gives it up at once
   * (`abandon`) and opens it again over a store that keeps changes
   * elsewhere (Container.open), or lets them be written with the next batch.
   */
  static async open(
    store: Store,
    readBase: BaseReader,
    rootFrom: Pick<UpperInode, "mode" | "uid" | "gid">,
    options: UpperOptions = {},
  ): Promise<UpperLayer> {
    const upper = new UpperLayer(store, readBase, rootFrom, options);
    const damaged = (key: string, message: string) =>
      upper.damage.push({ key, path: null, message });
    const inodeKeys = await store.keys(PREFIX.inode);
    const inodes = await store.getMany(inodeKeys);
    inodes.forEach((bytes, i) => {
      const key = inodeKeys[i]!;
      if (!bytes) return void damaged(key, "the record is listed but cannot be read");
      try {
        const inode = decodeInode(bytes, key);
        upper.inodes.set(inode.ino, inode);
      } catch (e) {
        damaged(key, reason(e));
      }
    });
    const entryKeys = await store.keys(PREFIX.entry);
    const entries = await store.getMany(entryKeys);
    entryKeys.forEach((key, i) => {
      const [, dir, name] = splitKey(key);
      const ino = decodeEntry(entries[i]);
      const d = upper.inodes.get(Number(dir));
      if (Number.isNaN(ino)) damaged(key, "the record is damaged: not an inode number");
      else if (!d?.entries) damaged(key, `an entry of inode ${dir}, which is missing`);
      else if (ino !== WHITEOUT && !upper.inodes.has(ino)) {
        damaged(key, `names inode ${ino}, which is missing`);
      } else d.entries.set(name, ino);
    });
    const counted = new Map<number, number>();
    for (const key of await store.keys(PREFIX.chunk)) {
      upper.present.add(key);
      const ino = Number(splitKey(key)[1]);
      counted.set(ino, (counted.get(ino) ?? 0) + 1);
    }
    for (const inode of upper.inodes.values()) {
      const stored = counted.get(inode.ino) ?? 0;
      // Inodes stored before they counted their chunks.
      if (Number.isNaN(inode.chunks)) inode.chunks = stored;
      if (stored < inode.chunks) {
        damaged(
          inodeKey(inode.ino),
          `${inode.chunks - stored} of its ${inode.chunks} chunks are missing`,
        );
        inode.chunks = stored;
      }
    }
    const meta = await store.get(META_KEY);
    try {
      if (!meta) {
        if (inodeKeys.length > 0) damaged(META_KEY, "the record is missing");
        let highest = ROOT_INO;
        // Born in this layer: below the lower objects' numbers (overlay.ts, LAYER_SPAN).
        for (const ino of upper.inodes.keys()) if (ino < 2 ** 32) highest = Math.max(highest, ino);
        upper.nextIno = highest + 1;
        upper.markDirty(META_KEY);
      } else {
        const saved = decodeMeta(meta);
        upper.nextIno = saved.nextIno as number;
        upper.chunkSize = (saved.chunkSize as number | undefined) ?? upper.chunkSize;
      }
    } catch {
      damaged(META_KEY, "the record is damaged: not JSON");
    }
    if (inodeKeys.length > 0 && !upper.inodes.has(ROOT_INO))
      damaged(inodeKey(ROOT_INO), "the root is missing");

    // Inodes a crash left with no name and no open file. (One a directory
    // still names is kept: a count that went wrong must not lose a file.)
    const named = new Set<number>();
    for (const inode of upper.inodes.values()) {
      for (const ino of inode.entries?.values() ?? []) named.add(ino);
    }
    for (const inode of [...upper.inodes.values()]) {
      if (inode.nlink > 0 || inode.ino === ROOT_INO) continue;
      if (named.has(inode.ino)) inode.nlink = inode.type === "directory" ? 2 : 1;
      else upper.remove(inode);
    }
    // Chunks past the end of their file: a commit torn by a crash of the
    // browser's storage (WebKit's storage process, when the disk fills)
    // kept them without the inode record that grew the file. Never read,
    // and in the way of the file growing again: dropped.
    const left = new Map<UpperInode, number>();
    for (const key of [...upper.present]) {
      const [, ino, n] = splitKey(key);
      const inode = upper.inodes.get(Number(ino));
      if (!inode) continue;
      if (Number(n) * upper.chunkSize < inode.size) {
        left.set(inode, (left.get(inode) ?? 0) + 1);
      } else {
        upper.present.delete(key);
        upper.markDirty(key);
        left.set(inode, left.get(inode) ?? 0);
      }
    }
    // (Their inode's count is of what its record saw: the chunks left.)
    for (const [inode, n] of left) if (inode.chunks > n) inode.chunks = n;
    if (!upper.inodes.has(ROOT_INO)) upper.addRoot();
    // A damaged store gets nothing at open, not even repairs: the caller decides.
    // Repairs that cannot be stored (a full disk) do not stop the open:
    // they stay to be saved, and saveError says why.
    if (upper.damage.length === 0 && upper.dirty.size > 0)
      await upper.flush().catch(() => undefined);
    return upper;
  }

  /**
   * Gives the layer up without writing anything more to its store, and
   * leaves the store open (a damaged layer, opened again read-only).
   */
  abandon(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private addRoot(): void {
    const { mode, uid, gid } = this.rootFrom;
    this.add({ ...blankInode(ROOT_INO, "directory"), mode, uid, gid, nlink: 2 });
  }

  get(ino: number): UpperInode | undefined {
    return this.inodes.get(ino);
  }

  /** Whether changes are waiting to be committed to the store (or are on their way). */
  get unsaved(): boolean {
    return this.dirty.size > 0 || this.inFlight.size > 0;
  }

  /**
   * Why the last commit failed (ENOSPC when the store is full), while its
   * changes wait to be committed again; null once one succeeds.
   */
  get saveError(): ErrnoError | null {
    return this.failure;
  }

  /**
   * Runs `body` once every change made so far is committed, with no commit
   * under way until it ends: the store then holds one state throughout
   * (fsck reads it). Changes made meanwhile are committed after.
   */
  async whileStill<T>(body: () => Promise<T>): Promise<T> {
    await this.flush();
    const run = this.flushChain.then(body);
    this.flushChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Every inode, for walking the layer (diff, export, commit). */
  all(): IterableIterator<UpperInode> {
    return this.inodes.values();
  }

  /** A number for a new object, never one a lower object can have. */
  allocate(): number {
    const ino = this.nextIno++;
    this.markDirty(META_KEY);
    return ino;
  }

  /** Adds an inode (new, or copied up). */
  add(inode: UpperInode): UpperInode {
    if (this.inodes.has(inode.ino)) fail("EEXIST", `upper inode ${inode.ino}`);
    this.inodes.set(inode.ino, inode);
    this.changed(inode);
    if (inode.entries) for (const name of inode.entries.keys()) this.entryChanged(inode, name);
    return inode;
  }

  /** Marks an inode's metadata as changed, to be written with the next batch. */
  changed(inode: UpperInode): void {
    this.markDirty(inodeKey(inode.ino));
  }

  setEntry(dir: UpperInode, name: string, ino: number): void {
    dir.entries!.set(name, ino);
    dir.mtime = dir.ctime = now();
    this.changed(dir);
    this.entryChanged(dir, name);
  }

  /** Names an inode in a directory without changing the directory's times (copy-up). */
  placeEntry(dir: UpperInode, name: string, ino: number): void {
    dir.entries!.set(name, ino);
    this.entryChanged(dir, name);
  }

  deleteEntry(dir: UpperInode, name: string): void {
    dir.entries!.delete(name);
    dir.mtime = dir.ctime = now();
    this.changed(dir);
    this.entryChanged(dir, name);
  }

  /** One name fewer; the inode goes when it has none and no file is open on it. */
  unlinked(inode: UpperInode): void {
    inode.nlink = inode.type === "directory" ? 0 : Math.max(0, inode.nlink - 1);
    inode.ctime = now();
    this.changed(inode);
    if (inode.nlink === 0 && !this.open.isOpen(inode.ino)) this.remove(inode);
  }

  /** A file is open on the inode. */
  retain(ino: number): void {
    this.open.hold(ino);
  }

  /** A file open on the inode was closed. */
  release(ino: number): void {
    if (!this.open.drop(ino)) return;
    const inode = this.inodes.get(ino);
    if (inode && inode.nlink === 0) this.remove(inode);
  }

  read(inode: UpperInode, offset: number, length: number): Uint8Array {
    const end = Math.min(inode.size, offset + length);
    if (offset >= end) return new Uint8Array(0);
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    this.needChunks(inode, first, last, READ_AHEAD);
    if (first === last) {
      // Within one chunk (a program's read of a block): a view of it, as
      // MemoryFilesystem gives, not a copy the caller copies again.
      const key = chunkKey(inode.ino, first);
      const chunk = this.chunks.get(key);
      const from = offset - first * this.chunkSize;
      if (chunk && chunk.length >= from + (end - offset)) {
        this.touch(key);
        return chunk.subarray(from, from + (end - offset));
      }
    }
    const out = new Uint8Array(end - offset);
    for (let n = first; n <= last; n++) {
      const chunkStart = n * this.chunkSize;
      const from = Math.max(offset, chunkStart);
      const to = Math.min(end, chunkStart + this.chunkSize);
      const chunk = this.chunks.get(chunkKey(inode.ino, n));
      if (chunk) {
        out.set(chunk.subarray(from - chunkStart, to - chunkStart), from - offset);
        this.touch(chunkKey(inode.ino, n));
      } else if (inode.base && from < inode.base.length) {
        out.set(this.readBase(inode.base, from, Math.min(to, inode.base.length)), from - offset);
      }
    }
    return out;
  }

  write(inode: UpperInode, offset: number, data: Uint8Array): number {
    if (this.failure?.errno === "ENOSPC") fail("ENOSPC", "the container's storage is full");
    if (data.length === 0) return 0;
    const end = offset + data.length;
    const first = Math.floor(offset / this.chunkSize);
    const last = Math.floor((end - 1) / this.chunkSize);
    // A chunk written only in part keeps its other bytes: they must be here first.
    const partial = [first, last].filter((n) => {
      const start = n * this.chunkSize;
      return offset > start || end < Math.min(start + this.chunkSize, Math.max(inode.size, end));
    });
    for (const n of partial) this.needChunks(inode, n, n);
    // And the lower file's bytes each new chunk starts from (a lazy layer
    // may still have to fetch them): before anything changes.
    for (let n = first; n <= last; n++) this.baseOfNewChunk(inode, n);
    for (let n = first; n <= last; n++) {
      const chunkStart = n * this.chunkSize;
      const from = Math.max(offset, chunkStart);
      const to = Math.min(end, chunkStart + this.chunkSize);
      const chunk = this.ownChunk(inode, n, to - chunkStart);
      chunk.set(data.subarray(from - offset, to - offset), from - chunkStart);
    }
    if (end > inode.size) inode.size = end;
    inode.mtime = inode.ctime = now();
    this.changed(inode);
    return data.length;
  }

  truncate(inode: UpperInode, size: number): void {
    if (size < inode.size) {
      const keep = Math.ceil(size / this.chunkSize);
      const lastChunks = Math.ceil(inode.size / this.chunkSize);
      const partial = size % this.chunkSize !== 0 ? keep - 1 : -1;
      if (partial >= 0 && this.present.has(chunkKey(inode.ino, partial))) {
        this.needChunks(inode, partial, partial);
      }
      for (let n = keep; n < lastChunks; n++) this.dropChunk(inode, n);
      if (partial >= 0 && this.present.has(chunkKey(inode.ino, partial))) {
        const key = chunkKey(inode.ino, partial);
        const within = size - partial * this.chunkSize;
        this.putChunk(inode, key, this.chunks.get(key)!.slice(0, within));
      }
      if (inode.base && inode.base.length > size) inode.base.length = size;
    }
    inode.size = size;
    inode.mtime = inode.ctime = now();
    this.changed(inode);
  }

  /**
   * Returns once every change made so far is committed; throws WouldBlock
   * while a batch is on its way. After a failed commit it throws that
   * error (as Linux reports a write-back error at fsync) and tries again in
   * the background.
   */
  fsync(): void {
    if (this.failure) {
      const failure = this.failure;
      this.flush().catch(() => undefined);
      throw failure;
    }
    if (this.dirty.size > 0 || this.inFlight.size > 0 || this.undurable) {
      throw new WouldBlock(
        this.flush(true).catch(() => undefined),
        "waiting for the container's changes to be stored",
      );
    }
  }

  /** Commits every change made so far; resolves when they are durable (on the disk). */
  async sync(): Promise<void> {
    await this.flush(true);
  }

  /** Stores what is dirty, then closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush(true);
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      await this.store.close();
    }
  }

  /**
   * Drops every inode and chunk, in memory and in the store (a container's
   * reset and commit), and puts `also` (keys other than the layer's own) in
   * the same transaction: a crash leaves the old layer or the new state.
   */
  async clear(also = new Map<string, Uint8Array>()): Promise<void> {
    await this.flushChain.catch(() => undefined);
    const batch = newBatch();
    for (const key of await this.store.keys()) if (!also.has(key)) batch.deletes.add(key);
    for (const [key, value] of also) batch.puts.set(key, value);
    await this.store.commit(batch, { durable: true });
    this.undurable = false;
    this.dirty.clear();
    this.inodes.clear();
    this.present.clear();
    this.chunks.clear();
    this.cachedBytes = 0;
    this.nextIno = ROOT_INO + 1;
    this.failure = null;
    this.markDirty(META_KEY);
    this.addRoot();
  }

  /** Commits what is dirty; `durable`: and waits until it and every commit before are on the disk. */
  private flush(durable = false): Promise<void> {
    const run = this.flushChain.then(() => this.commitDirty(durable));
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  private async commitDirty(durable: boolean): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.closed) return;
    if (this.dirty.size === 0) {
      // Nothing new, but what was committed is not on the disk yet: a
      // durable commit of something small takes it there.
      if (durable && this.undurable) this.dirty.add(META_KEY);
      else return;
    }
    const keys = [...this.dirty];
    this.dirty.clear();
    const batch = newBatch();
    for (const key of keys) {
      const value = this.valueOf(key);
      if (value === undefined) batch.deletes.add(key);
      else batch.puts.set(key, value);
      this.inFlight.add(key);
    }
    try {
      await this.store.commit(batch, { durable });
      this.failure = null;
      this.undurable = !durable;
    } catch (e) {
      for (const key of keys) this.dirty.add(key);
      this.failure = e instanceof ErrnoError ? e : new ErrnoError("EIO", String(e));
      throw this.failure;
    } finally {
      for (const key of keys) this.inFlight.delete(key);
      this.evict();
    }
  }

  /** What a key holds now: its bytes, or undefined if it is to be deleted. */
  private valueOf(key: string): Uint8Array | undefined {
    const kind = keyKind(key);
    if (kind === "meta") return encodeMeta({ nextIno: this.nextIno, chunkSize: this.chunkSize });
    const [, a, b] = splitKey(key);
    const inode = this.inodes.get(Number(a));
    if (kind === "inode") return inode ? encodeInode(inode) : undefined;
    if (kind === "entry") {
      const ino = inode?.entries?.get(b);
      return ino === undefined ? undefined : encodeEntry(ino);
    }
    // A copy: the live chunk may change while the batch is on its way.
    return this.present.has(key) ? this.chunks.get(key)?.slice() : undefined;
  }

  private markDirty(key: string): void {
    if (this.closed) fail("EBADF", "the container is closed");
    this.dirty.add(key);
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch(() => undefined);
      }, this.writeBack);
    }
  }

  private entryChanged(dir: UpperInode, name: string): void {
    this.markDirty(entryKey(dir.ino, name));
  }

  /** Deletes an inode, its entries and its chunks. */
  private remove(inode: UpperInode): void {
    this.inodes.delete(inode.ino);
    this.markDirty(inodeKey(inode.ino));
    if (inode.entries) for (const name of inode.entries.keys()) this.entryChanged(inode, name);
    // Chunks exist only below the file's size (truncate drops the rest).
    const chunks = Math.ceil(inode.size / this.chunkSize);
    for (let n = 0; n < chunks; n++) this.dropChunk(inode, n);
  }

  /**
   * Throws WouldBlock unless chunks `first`..`last` of a file are in memory
   * or not stored at all, after starting to load the missing ones, and
   * with them those of the next `ahead` bytes (up to a quarter of the
   * cache): a file read through waits once per `ahead` bytes, not per chunk.
   */
  private needChunks(inode: UpperInode, first: number, last: number, ahead = 0): void {
    const missing: string[] = [];
    const needed = new Set<string>();
    for (let n = first; n <= last; n++) {
      const key = chunkKey(inode.ino, n);
      needed.add(key);
      if (this.present.has(key) && !this.chunks.has(key)) missing.push(key);
    }
    if (missing.length === 0) return;
    const more = Math.floor(Math.min(ahead, this.cacheBytes / 4) / this.chunkSize);
    const end = Math.min(last + more, Math.ceil(inode.size / this.chunkSize) - 1);
    for (let n = last + 1; n <= end; n++) {
      const key = chunkKey(inode.ino, n);
      if (this.present.has(key) && !this.chunks.has(key) && !this.loading.has(key))
        missing.push(key);
    }
    throw new WouldBlock(this.load(missing, needed), `loading ${missing.length} chunks of a file`);
  }

  /** Loads chunks `keys`, then evicts what the cache cannot hold but those `needed`. */
  private load(keys: string[], needed: ReadonlySet<string>): Promise<unknown> {
    const wanted = keys.filter((k) => !this.loading.has(k));
    if (wanted.length > 0) {
      const loaded = this.store.getMany(wanted).then((values) => {
        wanted.forEach((key, i) => {
          this.loading.delete(key);
          const value = values[i];
          // Skip a chunk deleted or rewritten while it was being read.
          if (value === undefined || !this.present.has(key) || this.chunks.has(key)) return;
          this.chunks.set(key, value);
          this.cachedBytes += value.length;
        });
        // Not the chunks the waiting call needs: it would load them again,
        // for ever, when it spans more than the cache holds. (A commit before
        // it calls again may still evict them: it then loads them once more.)
        this.evict(needed);
      });
      const settled = loaded.catch((e: unknown) => {
        for (const key of wanted) this.loading.delete(key);
        throw e;
      });
      for (const key of wanted) this.loading.set(key, settled);
    }
    return Promise.all(keys.map((k) => this.loading.get(k)));
  }

  /** Chunk `n` of a file, owned by the upper layer and at least `length` bytes long. */
  private ownChunk(inode: UpperInode, n: number, length: number): Uint8Array {
    const key = chunkKey(inode.ino, n);
    let chunk = this.present.has(key) ? this.chunks.get(key) : undefined;
    if (!chunk) {
      // First write to this chunk: it starts as the base data, or zeros.
      const existing = Math.min(this.chunkSize, Math.max(0, inode.size - n * this.chunkSize));
      chunk = new Uint8Array(Math.max(existing, length));
      const base = this.baseOfNewChunk(inode, n);
      if (base) chunk.set(base);
    } else if (chunk.length < length) {
      const grown = new Uint8Array(length);
      grown.set(chunk);
      chunk = grown;
    }
    this.putChunk(inode, key, chunk);
    return chunk;
  }

  /** The lower file's bytes chunk `n` starts from, if it is not the upper layer's yet and has any. */
  private baseOfNewChunk(inode: UpperInode, n: number): Uint8Array | null {
    const start = n * this.chunkSize;
    if (!inode.base || start >= inode.base.length) return null;
    if (this.present.has(chunkKey(inode.ino, n))) return null;
    const existing = Math.min(this.chunkSize, Math.max(0, inode.size - start));
    return this.readBase(inode.base, start, Math.min(start + existing, inode.base.length));
  }

  private putChunk(inode: UpperInode, key: string, chunk: Uint8Array): void {
    this.forget(key);
    if (!this.present.has(key)) inode.chunks++;
    this.present.add(key);
    this.chunks.set(key, chunk);
    this.cachedBytes += chunk.length;
    this.markDirty(key);
  }

  private dropChunk(inode: UpperInode, n: number): void {
    const key = chunkKey(inode.ino, n);
    if (!this.present.delete(key)) return;
    inode.chunks--;
    this.forget(key);
    this.markDirty(key);
  }

  private forget(key: string): void {
    const chunk = this.chunks.get(key);
    if (!chunk) return;
    this.chunks.delete(key);
    this.cachedBytes -= chunk.length;
  }

  /** Marks a chunk as just used (the cache evicts the least recently used). */
  private touch(key: string): void {
    const chunk = this.chunks.get(key);
    if (!chunk || this.dirty.has(key)) return;
    this.chunks.delete(key);
    this.chunks.set(key, chunk);
  }

  /** Drops clean chunks but `keep`, least recently used first, down to the cache's size. */
  private evict(keep: ReadonlySet<string> = new Set()): void {
    if (this.cachedBytes <= this.cacheBytes) return;
    for (const [key, chunk] of this.chunks) {
      if (this.cachedBytes <= this.cacheBytes) break;
      if (this.dirty.has(key) || this.inFlight.has(key) || keep.has(key)) continue;
      this.chunks.delete(key);
      this.cachedBytes -= chunk.length;
    }
  }
}

/** Bytes of a file loaded past a read that missed (needChunks). */
const READ_AHEAD = 1 << 20;

export function blankInode(ino: number, type: FileType): UpperInode {
  const t = now();
  return {
    ino,
    type,
    mode: 0o755,
    uid: 0,
    gid: 0,
    nlink: 1,
    rdev: 0,
    atime: t,
    mtime: t,
    ctime: t,
    size: 0,
    target: "",
    base: null,
    chunks: 0,
    entries: type === "directory" ? new Map() : null,
    opaque: false,
    redirect: null,
  };
}
