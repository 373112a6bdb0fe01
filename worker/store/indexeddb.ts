import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import { fail, KernelError } from "../errno.ts";
import type { Batch, Store } from "./store.ts";

const OBJECT_STORE = "upper";

/**
 * A store in IndexedDB, one database per container (`overbox-NAME`), through
 * idb-keyval. Each batch is one readwrite transaction; `commit` resolves
 * when the transaction completes, so the batch is on disk. A quota error
 * aborts the transaction: nothing of the batch is stored.
 */
export class IndexedDbStore implements Store {
  private readonly use: UseStore;
  private closed = false;

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

  commit(batch: Batch): Promise<void> {
    return this.run("readwrite", (s) => {
      try {
        for (const k of batch.deletes) s.delete(k);
        for (const [k, v] of batch.puts) s.put(v, k);
      } catch (e) {
        // A transaction commits by itself unless aborted: half a batch must not.
        s.transaction.abort();
        throw e;
      }
      return promisifyRequest(s.transaction);
    });
  }

  clear(): Promise<void> {
    return this.run("readwrite", (s) => {
      s.clear();
      return promisifyRequest(s.transaction);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.run("readonly", (s) => s.transaction.db.close());
    this.closed = true;
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

/** IndexedDB's errors as the kernel's: a full quota is ENOSPC, the rest EIO. */
function storeError(e: unknown): KernelError {
  if (e instanceof KernelError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === "QuotaExceededError") return new KernelError("ENOSPC", "storage quota exceeded");
  return new KernelError("EIO", `IndexedDB: ${String((e as Error)?.message ?? e)}`);
}
