import { fail } from "../errno.ts";
import type { Batch, Store } from "./store.ts";

/**
 * A store opened read-only: reads go through to `below`, and it never
 * writes to it; its commits are kept in memory over it and are gone at
 * `close`.
 * This is how a damaged container is opened (Container.open): it works as
 * usual, its changes are not saved, and nothing touches the damaged
 * records, so what can be read stays readable for an export.
 *
 * `close` closes `below` too.
 */
export class ReadOnlyStore implements Store {
  private readonly puts = new Map<string, Uint8Array>();
  private readonly deletes = new Set<string>();
  /** After `clear`, nothing of `below` shows. */
  private cleared = false;
  private closed = false;

  constructor(private readonly below: Store) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    this.check();
    const through = keys.filter((k) => !this.puts.has(k) && !this.hidden(k));
    const found = through.length > 0 ? await this.below.getMany(through) : [];
    const fromBelow = new Map(through.map((k, i) => [k, found[i]]));
    return keys.map((k) => this.puts.get(k)?.slice() ?? fromBelow.get(k));
  }

  async keys(prefix = ""): Promise<string[]> {
    this.check();
    const below = this.cleared ? [] : await this.below.keys(prefix);
    const all = new Set(below.filter((k) => !this.deletes.has(k)));
    for (const k of this.puts.keys()) if (k.startsWith(prefix)) all.add(k);
    return [...all].sort();
  }

  async commit(batch: Batch): Promise<void> {
    this.check();
    for (const k of batch.deletes) {
      this.puts.delete(k);
      this.deletes.add(k);
    }
    for (const [k, v] of batch.puts) {
      this.deletes.delete(k);
      this.puts.set(k, v.slice());
    }
  }

  async clear(): Promise<void> {
    this.check();
    this.puts.clear();
    this.deletes.clear();
    this.cleared = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.below.close();
  }

  private hidden(key: string): boolean {
    return this.cleared || this.deletes.has(key);
  }

  private check(): void {
    if (this.closed) fail("EBADF", "store is closed");
  }
}
