import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import { fail, ErrnoError } from "../core/errno.ts";
import type { Batch, CommitOptions, Store } from "../core/store/store.ts";

const OBJECT_STORE = "upper";

/**
 * A store in IndexedDB, one database per container (`overbox-NAME`), through
 * idb-keyval. Each batch is one readwrite transaction; `commit` resolves
 * when the transaction completes. Its durability is "relaxed" (the
 * browser has written it, the OS may still hold it: what survives a
 * browser crash), or "strict" for a durable commit (the browser waits for
 * the disk; the log it writes is one, so the batches before it are on the
 * disk too). A quota error aborts the transaction: nothing of the batch is
 * stored.
 */
export class IndexedDbStore implements Store {
  private readonly use: UseStore;
  private closed = false;
  /** The database idb-keyval opened, for the transactions `write` makes itself. */
  private db: Promise<IDBDatabase> | null = null;

  constructor(readonly database: string) {
    this.use = createStore(database, OBJECT_STORE);
  }

  /** The database that holds container `name`'s upper layer. */
  static containerDatabase(name: string): string {
    return `overbox-${name}`;
  }

  /**
   * The names of the containers kept in this browser (databases named
   * overbox-NAME), sorted. Other databases of ours (overbox.images) do not
   * match the prefix.
   */
  static async containerNames(): Promise<string[]> {
    const prefix = IndexedDbStore.containerDatabase("");
    return (await indexedDB.databases())
      .map((d) => d.name ?? "")
      .filter((n) => n.startsWith(prefix))
      .map((n) => n.slice(prefix.length))
      .sort();
  }

  static forContainer(name: string): IndexedDbStore {
    return new IndexedDbStore(IndexedDbStore.containerDatabase(name));
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.run("readonly", (s) => promisifyRequest(s.get(key)).then(toBytes));
  }

  getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    return this.run("readonly", (s) =>
      Promise.all(keys.map((k) => promisifyRequest(s.get(k)).then(toBytes))),
    );
  }

  keys(prefix = ""): Promise<string[]> {
    // "\uffff" sorts after every character a key of ours holds.
    const range = prefix === "" ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    return this.run("readonly", (s) => promisifyRequest(s.getAllKeys(range))).then((keys) =>
      keys.map(String),
    );
  }

  commit(batch: Batch, options: CommitOptions = {}): Promise<void> {
    return this.write(options.durable ? "strict" : "relaxed", (s) => {
      for (const k of batch.deletes) s.delete(k);
      for (const [k, v] of batch.puts) s.put(v, k);
    });
  }

  /** A reset: on the disk when it resolves, as a sync would be. */
  clear(): Promise<void> {
    return this.write("strict", (s) => s.clear());
  }

  /**
   * Closes the database once every transaction of this connection has
   * finished: a readwrite transaction, which waits for the ones before it,
   * done first. A worker that ends right after (a listing's) must not end
   * in the middle of a commit: WebKit keeps such a transaction open for
   * ever, and every later readwrite transaction on the database (the
   * container's own saves) waits for it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.run("readwrite", (s) =>
      promisifyRequest(s.transaction).then(() => s.transaction.db.close()),
    );
    this.closed = true;
  }

  /**
   * One readwrite transaction of `durability` (idb-keyval opens the
   * database; the transaction is ours, for its durability option), which
   * `body` fills; resolves when it has committed.
   */
  private async write(
    durability: IDBTransactionDurability,
    body: (s: IDBObjectStore) => void,
  ): Promise<void> {
    if (this.closed) fail("EBADF", "store is closed");
    this.db ??= this.run("readonly", (s) => s.transaction.db).catch((e: unknown) => {
      this.db = null;
      throw e;
    });
    const db = await this.db;
    try {
      const transaction = db.transaction(OBJECT_STORE, "readwrite", { durability });
      try {
        body(transaction.objectStore(OBJECT_STORE));
      } catch (e) {
        // A transaction commits by itself unless aborted: half a batch must not.
        transaction.abort();
        throw e;
      }
      await promisifyRequest(transaction);
    } catch (e) {
      throw storeError(e);
    }
  }

  private async run<T>(
    mode: IDBTransactionMode,
    body: (s: IDBObjectStore) => T | PromiseLike<T>,
  ): Promise<T> {
    if (this.closed) fail("EBADF", "store is closed");
    try {
      return await this.use(mode, body);
    } catch (e) {
      throw storeError(e);
    }
  }
}

function toBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  fail("EIO", "a stored value is not bytes");
}

/** IndexedDB's errors as ErrnoErrors: a full quota is ENOSPC, the rest EIO. */
function storeError(e: unknown): ErrnoError {
  if (e instanceof ErrnoError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === "QuotaExceededError") return new ErrnoError("ENOSPC", "storage quota exceeded");
  // A transaction the browser aborted with no error of its own (WebKit's,
  // when its storage process crashes).
  if (e === null) return new ErrnoError("EIO", "IndexedDB: the browser aborted the transaction");
  return new ErrnoError("EIO", `IndexedDB: ${String((e as Error)?.message ?? e)}`);
}
