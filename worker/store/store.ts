/**
 * Where a container's upper layer is kept: keys and bytes, nothing about
 * paths or inodes (the overlay decides what the keys mean).
 *
 * Lifecycle: open a store for one container, read from it and commit
 * batches to it, close it. A store is asynchronous: IndexedDB answers only
 * so, and the kernel serves hot data from its own cache.
 *
 * Terms: `commit` applies every put and delete of a batch atomically, as one
 * transaction: after a crash the store holds the state before the batch or
 * after it, never a mix, and when `commit` resolves the batch is durable.
 * Batches are applied in the order they were committed.
 *
 * Errors: a full disk (quota) rejects with KernelError ENOSPC, and the batch
 * is not applied; anything already stored is untouched. Using a closed store
 * rejects with EBADF.
 */
export interface Store {
  get(key: string): Promise<Uint8Array | undefined>;
  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>>;
  /** Every key that starts with `prefix`, in ascending order. */
  keys(prefix?: string): Promise<string[]>;
  commit(batch: Batch): Promise<void>;
  /** Deletes everything, atomically (a container's reset). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface Batch {
  puts: Map<string, Uint8Array>;
  deletes: Set<string>;
}

export function newBatch(): Batch {
  return { puts: new Map(), deletes: new Set() };
}
