import { opfsFolder, replicaError } from "./replica.ts";
import type { Batch, CommitOptions, Store } from "../core/store/store.ts";

/**
 * A store whose every record is also kept as a file of its own, in the
 * origin private file system: the replica of the images' store (blobs and
 * manifests made by commit and import), from which a record is read when
 * the browser has dropped the database (see replica.ts for why it does).
 *
 * Not a log like a container's replica: every tab's worker writes the
 * images' store, and a log needs one writer. Records here are written once
 * (a blob is named by its digest) or replaced whole (a manifest), so a
 * file each serves: OPFS's writable streams replace a file atomically when
 * closed, and a crash leaves the old file or the new one.
 *
 * A commit writes and removes the files first, then commits to the
 * database; `get` reads the database, then the file; `keys` lists both.
 * A file that cannot be written fails the commit (ENOSPC when the quota is
 * full), and the database is not touched.
 */
export class RecordReplicatedStore implements Store {
  constructor(
    private readonly database: Store,
    /** The folder of files, or null where there is no OPFS (the database alone then). */
    private readonly folder: Promise<RecordFolder | null>,
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.database.get(key)) ?? (await (await this.folder)?.read(fileName(key)));
  }

  async getMany(keys: string[]): Promise<Array<Uint8Array | undefined>> {
    const found = await this.database.getMany(keys);
    const folder = await this.folder;
    if (!folder) return found;
    return Promise.all(found.map((v, i) => v ?? folder.read(fileName(keys[i]!))));
  }

  async keys(prefix = ""): Promise<string[]> {
    const keys = new Set(await this.database.keys(prefix));
    for (const name of (await (await this.folder)?.names()) ?? []) {
      const key = keyOf(name);
      if (key?.startsWith(prefix)) keys.add(key);
    }
    return [...keys].sort();
  }

  async commit(batch: Batch, options?: CommitOptions): Promise<void> {
    const folder = await this.folder;
    try {
      for (const key of batch.deletes) await folder?.remove(fileName(key));
      for (const [key, value] of batch.puts) await folder?.write(fileName(key), value);
    } catch (e) {
      throw replicaError(e);
    }
    await this.database.commit(batch, options);
  }

  async clear(): Promise<void> {
    const folder = await this.folder;
    for (const name of (await folder?.names()) ?? []) await folder?.remove(name);
    await this.database.clear();
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

/** Files of bytes by name: an OPFS folder, or one in memory for tests. */
export interface RecordFolder {
  read(name: string): Promise<Uint8Array | undefined>;
  /** Replaces the file `name` with `bytes`, atomically. */
  write(name: string, bytes: Uint8Array): Promise<void>;
  remove(name: string): Promise<void>;
  names(): Promise<string[]>;
}

/**
 * What this browser gives for a replica of the images' store in the OPFS
 * folder `name`: the folder, or null and why not, as a line for the page.
 * A file is replaced atomically through a writable stream (createWritable),
 * which WebKit lacks (Safari before 26): that is checked before any file
 * is made, so none is left empty.
 */
export async function recordSupport(
  name: string,
): Promise<{ folder: RecordFolder | null; missing: string | null }> {
  const lost =
    "so they are kept in IndexedDB alone, and are lost if the browser drops this site's storage";
  if (!writableStreams()) {
    return {
      folder: null,
      missing: `images made here have no replica: this browser cannot replace a file of its origin private file system (no createWritable), ${lost}`,
    };
  }
  const dir = await opfsFolder(name);
  if (!dir) {
    return {
      folder: null,
      missing: `images made here have no replica: this browser gives the page no origin private file system, ${lost}`,
    };
  }
  return { folder: opfsRecords(dir), missing: null };
}

/** Whether files of the origin private file system have writable streams (createWritable). */
function writableStreams(): boolean {
  const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } })
    .FileSystemFileHandle;
  return (
    typeof (handle?.prototype as { createWritable?: unknown } | undefined)?.createWritable ===
    "function"
  );
}

/** The record folder over OPFS directory `dir`. */
function opfsRecords(dir: FileSystemDirectoryHandle): RecordFolder {
  return {
    async read(file) {
      try {
        const handle = await dir.getFileHandle(file);
        return new Uint8Array(await (await handle.getFile()).arrayBuffer());
      } catch (e) {
        if ((e as { name?: string }).name === "NotFoundError") return undefined;
        throw e;
      }
    },
    async write(file, bytes) {
      const writable = await (await dir.getFileHandle(file, { create: true })).createWritable();
      try {
        await writable.write(bytes as Uint8Array<ArrayBuffer>);
        await writable.close();
      } catch (e) {
        await writable.abort().catch(() => undefined);
        throw e;
      }
    },
    async remove(file) {
      await dir.removeEntry(file).catch((e: unknown) => {
        if ((e as { name?: string }).name !== "NotFoundError") throw e;
      });
    },
    async names() {
      const names: string[] = [];
      // TypeScript's DOM types lack a directory handle's async iteration.
      for await (const file of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
        names.push(file);
      }
      return names;
    },
  };
}

/**
 * A key as a file name: keys hold "/", names may not; "." is escaped too, so
 * that no name of ours is a writable stream's swap file ("NAME.crswap",
 * which a crash may leave).
 */
function fileName(key: string): string {
  return encodeURIComponent(key).replaceAll(".", "%2E");
}

/** The key a file holds, or null for a file that is not one of ours. */
function keyOf(name: string): string | null {
  try {
    const key = decodeURIComponent(name);
    return fileName(key) === name ? key : null;
  } catch {
    return null;
  }
}
