/**
 * Where a container's upper layer is kept: keys and bytes, nothing about
 * paths or inodes (the overlay decides what the keys mean).
 *
 * Lifecycle: open a store for one container, read from it and commit
 * batches to it, close it. A store is asynchronous: IndexedDB answers only
 * so, and the overlay serves hot data from its own cache.
 *
 * Terms: `commit` applies every put and delete of a batch atomically, as one
 * transaction: after a crash the store holds the state before the batch or
 * after it, never a mix. Batches are applied in the order they were
 * committed. When `commit` resolves, the batch survives the crash of the
 * program (the browser, the `overbox` process); with `durable` (what
 * `sync` asks for) it, and every batch before it, also survives the
 * machine's (a power cut): it is on the disk, not in the OS's cache.
 *
 * Errors: a full disk (quota) rejects with ErrnoError ENOSPC, and the batch
 * is not applied; anything already stored is untouched. Using a closed store
 * rejects with EBADF.
 */
export interface Store {
  get(key: string): Promise<Uint8Array | undefined>;
  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>>;
  /** Every key that starts with `prefix`, in ascending order. */
  keys(prefix?: string): Promise<string[]>;
  commit(batch: Batch, options?: CommitOptions): Promise<void>;
  /** Deletes everything, atomically (a container's reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface CommitOptions {
  /** On the disk when it resolves (fsync; IndexedDB's "strict" durability). */
  durable?: boolean;
}

export interface Batch {
  puts: Map<string, Uint8Array>;
  deletes: Set<string>;
}

export function newBatch(): Batch {
  return { puts: new Map(), deletes: new Set() };
}
