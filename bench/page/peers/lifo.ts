/**
 * lifo (`@lifo-sh/core`): `Sandbox.create({ persist: true })`, its files
 * through `sandbox.fs`. It keeps its whole tree in memory and saves it to
 * IndexedDB (database "lifo", one per origin: the store's name is not
 * used) as one value, a second after the last change. `sync` saves at
 * once, through the kernel's persistence manager (not in lifo's public
 * types), and cancels the pending save so that it does not run during the
 * next measurement.
 *
 * What its design means for the figures (lifo 0.5.0): a file of 1 MiB or
 * more is cut into 256 KiB chunks kept in an in-memory cache of 64 MiB that
 * drops the least recently used, and the saved tree holds only the chunks'
 * hashes; smaller files are saved inline, base64.
 */
import { Sandbox } from "@lifo-sh/core";
import type { FileStoreKind } from "./file-store.ts";

const HOME = "/home/user";

/** The parts of lifo's kernel `sync` reaches (private in its types). */
interface Persistence {
  timer: ReturnType<typeof setTimeout> | null;
  save(root: unknown): Promise<void>;
  backend: { close?(): Promise<void> };
}

export const lifo: FileStoreKind = {
  open: async () => {
    const sandbox = await Sandbox.create({ persist: true });
    const persistence = (sandbox.kernel as unknown as { persistence: Persistence }).persistence;
    const at = (path: string) => HOME + path;
    const sync = async () => {
      if (persistence.timer) clearTimeout(persistence.timer);
      persistence.timer = null;
      await persistence.save(sandbox.kernel.vfs.getRoot());
    };
    return {
      mkdir: (path) => sandbox.fs.mkdir(at(path), { recursive: true }),
      writeFile: (path, data) => sandbox.fs.writeFile(at(path), data),
      readFile: (path) => sandbox.fs.readFile(at(path), null),
      size: async (path) => (await sandbox.fs.stat(at(path))).size,
      sync,
      close: async () => {
        await sync();
        sandbox.destroy();
        await persistence.backend.close?.();
      },
    };
  },
};
