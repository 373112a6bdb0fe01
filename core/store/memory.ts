import { fail } from "../errno.ts";
import type { Batch, Store } from "./store.ts";

/**
 * A store in memory: for tests, and for containers thrown away at the end
 * (`ephemeral`). Values are copied in and out, as a real store would.
 * `quota` (bytes of values) makes it answer ENOSPC as a full disk would.
 */
export class MemoryStore implements Store {
  private closed = false;

  constructor(
    private readonly quota = Infinity,
    private readonly data = new Map<string, Uint8Array>(),
  ) {}

  /** The same data opened again, as a database is after a reload. */
  reopen(): MemoryStore {
    return new MemoryStore(this.quota, this.data);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.check();
    return this.data.get(key)?.slice();
  }

  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    this.check();
    return keys.map((k) => this.data.get(k)?.slice());
  }

  async keys(prefix = ""): Promise<string[]> {
    this.check();
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async commit(batch: Batch): Promise<void> {
    this.check();
    // Counting walks every value: only a store with a quota pays for it
    // (each commit of a layer of 10,000 files spent ~9 ms here).
    if (this.quota !== Infinity) {
      let used = 0;
      for (const [k, v] of this.data)
        if (!batch.deletes.has(k) && !batch.puts.has(k)) used += v.length;
      for (const v of batch.puts.values()) used += v.length;
      if (used > this.quota) fail("ENOSPC", "memory store quota");
    }
    for (const k of batch.deletes) this.data.delete(k);
    for (const [k, v] of batch.puts) this.data.set(k, v.slice());
  }

  async clear(): Promise<void> {
    this.check();
    this.data.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) fail("EBADF", "store is closed");
  }
}
