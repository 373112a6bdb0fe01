/**
 * ZenFS as the issue names it: `@zenfs/core`'s CopyOnWrite, whose writable
 * layer is `@zenfs/dom`'s IndexedDB backend (one database per store, named
 * as the store) and whose readable layer is an InMemory file system: empty,
 * or holding one file for the one-byte workload. Only one store is mounted
 * at a time, at /store.
 *
 * What its design means for the figures: the IndexedDB backend keeps each
 * file's data as one value and each directory's listing as another (a new
 * file rewrites its directory's), commits one transaction per operation,
 * and reads every value of the database into memory when it is mounted; a
 * write into a file of the readable layer copies the whole file up.
 */
import {
  CopyOnWrite,
  fs,
  InMemory,
  mount,
  resolveMountConfig,
  sync,
  umount,
  type CopyOnWriteFS,
} from "@zenfs/core";
import { IndexedDB } from "@zenfs/dom";
import type { FileStore, FileStoreKind } from "./file-store.ts";

const MOUNT = "/store";
const LOWER = "/lower";

/** A ZenFS store that can also write one byte in place (for the one-byte workload). */
export interface ZenfsStore extends FileStore {
  writeByte(path: string, offset: number, byte: number): Promise<void>;
}

export const zenfs: FileStoreKind = { open: (name) => openZenfs(name) };

/**
 * Mounts store `name` (database `name`) as the writable layer of a
 * CopyOnWrite over an InMemory readable layer holding `lower`, if given.
 */
export async function openZenfs(
  name: string,
  lower?: { path: string; data: Uint8Array },
): Promise<ZenfsStore> {
  const readable = await resolveMountConfig({ backend: InMemory });
  if (lower) {
    mount(LOWER, readable);
    try {
      await fs.promises.mkdir(LOWER + dirname(lower.path), { recursive: true });
      await fs.promises.writeFile(LOWER + lower.path, lower.data);
    } finally {
      umount(LOWER);
    }
  }
  const writable = await resolveMountConfig({ backend: IndexedDB, storeName: name });
  const cow: CopyOnWriteFS = await resolveMountConfig({ backend: CopyOnWrite, readable, writable });
  mount(MOUNT, cow);
  const at = (path: string) => MOUNT + path;
  return {
    mkdir: async (path) => void (await fs.promises.mkdir(at(path), { recursive: true })),
    writeFile: (path, data) => fs.promises.writeFile(at(path), data),
    readFile: (path) => fs.promises.readFile(at(path)),
    size: async (path) => (await fs.promises.stat(at(path))).size,
    sync: () => sync(),
    writeByte: async (path, offset, byte) => {
      const handle = await fs.promises.open(at(path), "r+");
      try {
        await handle.write(new Uint8Array([byte]), 0, 1, offset);
      } finally {
        await handle.close();
      }
    },
    close: async () => {
      await sync();
      umount(MOUNT);
      // The backend keeps its connection to itself; closing it lets the
      // database be deleted without waiting for the page to go.
      (writable as unknown as { store: { db: IDBDatabase } }).store.db.close();
    },
  };
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}
