import { fail } from "../errno.ts";
import type { Filesystem } from "./filesystem.ts";
import { resolve, resolveExisting } from "./resolve.ts";
import { retrying } from "./would-block.ts";

/**
 * Whole-file operations by absolute path, for callers outside the
 * container (the page's file API, uploads and downloads), as root. Data
 * still in the store is loaded on the way (retrying). Errors are the
 * filesystem's ErrnoErrors: ENOENT, EISDIR, ENOTDIR...
 */

/**
 * The bytes of the file at `path` (symlinks followed), in a buffer of
 * their own: a read may be a view of the filesystem's (Filesystem.read),
 * and the page gets the whole buffer of what it is given.
 */
export async function readPath(fs: Filesystem, path: string): Promise<Uint8Array> {
  const ino = resolveExisting(fs, fs.root, absolute(path), { follow: true });
  const st = fs.stat(ino);
  if (st.type === "directory") fail("EISDIR", path);
  const data = await retrying(() => fs.read(ino, 0, st.size));
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

/** Creates the file at `path` (0644, root's) or replaces what an existing one holds. */
export async function writePath(fs: Filesystem, path: string, data: Uint8Array): Promise<void> {
  const r = resolve(fs, fs.root, absolute(path), { follow: true });
  const ino =
    r.ino ??
    (await retrying(() => fs.create(r.dir, r.name, { type: "file", mode: 0o644, uid: 0, gid: 0 })));
  if (fs.typeOf(ino) !== "file") fail("EISDIR", `${path} is not a regular file`);
  await retrying(() => fs.truncate(ino, 0));
  let at = 0;
  while (at < data.length) {
    const offset = at;
    at += await retrying(() => fs.write(ino, offset, data.subarray(offset)));
  }
}

/** The entries of the directory at `path`: name, type and size. */
export async function listPath(
  fs: Filesystem,
  path: string,
): Promise<Array<{ name: string; type: ReturnType<Filesystem["stat"]>["type"]; size: number }>> {
  const ino = resolveExisting(fs, fs.root, absolute(path), { follow: true });
  if (fs.typeOf(ino) !== "directory") fail("ENOTDIR", path);
  return retrying(() =>
    fs.readdir(ino).map((e) => {
      const st = fs.stat(e.ino);
      return { name: e.name, type: st.type, size: st.size };
    }),
  );
}

/**
 * Makes the directories of absolute `path` that are missing (0755, root's),
 * as `mkdir -p` and `docker run -w` do; the inode of the last one.
 * Synchronous: for filesystems whose directories are in memory.
 */
export function makeDirectories(fs: Filesystem, path: string): number {
  let dir = fs.root;
  for (const name of absolute(path).split("/").filter(Boolean)) {
    const found = resolve(fs, dir, name, { follow: true });
    dir = found.ino ?? fs.mkdir(dir, name, 0o755, { uid: 0, gid: 0 });
  }
  return dir;
}

function absolute(path: string): string {
  if (!path.startsWith("/")) fail("EINVAL", `not an absolute path: ${path}`);
  return path;
}
