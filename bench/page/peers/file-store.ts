/**
 * The little the persistence workloads need of a file system kept in the
 * browser, so that each workload is the same code for overbox and its
 * peers. Paths are absolute in the store's own tree: each kind puts them
 * below a directory of its own (overbox's /root, ZenFS's mount point,
 * lifo's home), so the workloads never name it.
 *
 * Lifecycle: `open` a named store (made empty if new), work with it,
 * `sync` so that everything written is in IndexedDB, `close`. A store
 * opened again by name, in this page or a fresh one, holds what was synced.
 * Errors are whatever the implementation throws; the workloads report them.
 */
export interface FileStore {
  /** Makes directory `path` and its missing parents. Not timed by the workloads. */
  mkdir(path: string): Promise<void>;
  /** Creates the file, or replaces what it holds. */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /** The file's size: the answer that shows an opened store serves what it holds. */
  size(path: string): Promise<number>;
  /** Resolves once everything written is stored in IndexedDB. */
  sync(): Promise<void>;
  /** Syncs and lets go of the store (its worker, its database connection). */
  close(): Promise<void>;
}

export interface FileStoreKind {
  /** Opens the store `name`, empty if it was never written. */
  open(name: string): Promise<FileStore>;
}
