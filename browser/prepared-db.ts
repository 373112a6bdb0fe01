import { createStore, get, set, type UseStore } from "idb-keyval";
import type { PreparedModules } from "../core/wasi/prepared.ts";

/**
 * Prepared programs (core/wasi/prepare.ts) kept in IndexedDB, in the
 * database `overbox.prepared` (not a container's: its name lacks the
 * `overbox-` prefix), for every container of the site. Where the browser
 * gives no IndexedDB (a frame without storage), a program is prepared at
 * each first run instead: the loader ignores these errors.
 */
export class PreparedDb implements PreparedModules {
  private use: UseStore | null = null;

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const value: unknown = await get(key, this.store());
    return value instanceof Uint8Array ? new Uint8Array(value) : undefined;
  }

  put(key: string, bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    return set(key, bytes, this.store());
  }

  private store(): UseStore {
    return (this.use ??= createStore("overbox.prepared", "modules"));
  }
}
