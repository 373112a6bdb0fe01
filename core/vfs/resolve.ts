import { fail } from "../errno.ts";
import { NAME_MAX, type Filesystem } from "./filesystem.ts";

const encoder = new TextEncoder();

/** Linux's limit on symlinks followed in one path walk (MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;
/** Linux's PATH_MAX, counted in bytes with the terminating NUL. */
export const PATH_MAX = 4096;

export interface Resolved {
  /** The directory holding the last component. */
  dir: number;
  /** The last component ("." or ".." when the path ends so). */
  name: string;
  /** The inode the path names, or null if the last component does not exist. */
  ino: number | null;
  /**
   * The path, or a symlink's target in its last step, ends with a slash:
   * what it names must be a directory (a missing one cannot be created as
   * a file).
   */
  trailingSlash: boolean;
}

export interface ResolveOptions {
  /** Follow a symlink in the last component (intermediate ones always are). */
  follow: boolean;
  /**
   * WASI's sandbox, as Linux's openat2 RESOLVE_BENEATH: a `..` that would
   * climb above `start` (in the path or a relative symlink's target) is
   * ENOTCAPABLE. Not at the root, which has nothing above; and an absolute
   * symlink target is still followed, from the root (BusyBox's links are
   * absolute), as is everything after it.
   */
  beneath?: boolean;
}

/**
 * Walks `path` from directory `start` (from the filesystem's root if the path
 * is absolute). Symlinks resolve inside this filesystem: an absolute target
 * starts again at its root, so nothing escapes the container; `..` at the
 * root stays at the root. A missing last component is not an error (its
 * `ino` is null) so that create operations can use the result; a missing
 * intermediate one is ENOENT; a non-directory in the middle is ENOTDIR; more
 * than 40 symlinks is ELOOP. A trailing slash makes the last component a
 * directory: it is followed, and must be one. A path with a NUL byte (which
 * a C string cannot carry, but a WASI call's length can) is EINVAL.
 */
export function resolve(
  fs: Filesystem,
  start: number,
  path: string,
  options: ResolveOptions,
): Resolved {
  if (path === "") fail("ENOENT", "empty path");
  // As Wasmtime, Wasmer, WasmEdge and uvwasi answer (nodejs/uvwasi#266).
  if (path.includes("\0")) fail("EINVAL", "a NUL byte in a path");
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most paths need no encoding to be checked.
  if (path.length * 3 >= PATH_MAX && encoder.encode(path).length >= PATH_MAX) {
    fail("ENAMETOOLONG");
  }
  let hops = 0;
  let dir = path.startsWith("/") ? fs.root : start;
  // How far below `start` the walk is, while `beneath` holds.
  let depth = options.beneath && dir !== fs.root ? 0 : -1;
  let trailingSlash = path.endsWith("/");
  const pending = components(path);
  if (pending.length === 0) return { dir, name: ".", ino: dir, trailingSlash };
  // Checked once: every directory the walk goes into after this one was
  // checked as it was found (a symlink goes on from the root or `dir`).
  if (fs.typeOf(dir) !== "directory") fail("ENOTDIR");
  for (;;) {
    const name = pending.shift()!;
    const last = pending.length === 0;
    // Linux checks a name's length before looking it up.
    if (name.length > NAME_MAX / 4 && encoder.encode(name).length > NAME_MAX) {
      fail("ENAMETOOLONG", name);
    }
    if (depth === 0 && name === "..") {
      fail("ENOTCAPABLE", `${path}: .. above the directory it is relative to`);
    }
    let ino: number | null;
    if (last && fs.lookupOrNull) {
      // No exception for a missing name, which each file's creation meets.
      ino = fs.lookupOrNull(dir, name);
      if (ino === null) return { dir, name, ino: null, trailingSlash };
    } else {
      try {
        ino = fs.lookup(dir, name);
      } catch (e) {
        if (last && isErrno(e, "ENOENT")) return { dir, name, ino: null, trailingSlash };
        throw e;
      }
    }
    const type = fs.typeOf(ino);
    const followThis = !last || options.follow || trailingSlash;
    if (type === "symlink" && followThis) {
      if (++hops > MAX_SYMLINK_HOPS) fail("ELOOP");
      const target = fs.readlink(ino);
      if (target === "") fail("ENOENT", "empty symlink");
      if (target.startsWith("/")) {
        dir = fs.root;
        depth = -1;
      }
      // The target's own trailing slash makes its last component a directory
      // too (Linux's lookup_last): a link to "file/" is ENOTDIR.
      if (last && target.endsWith("/")) trailingSlash = true;
      const more = components(target);
      pending.unshift(...more);
      if (pending.length === 0) return { dir, name: ".", ino: dir, trailingSlash };
      continue;
    }
    if (last) {
      if (trailingSlash && type !== "directory") fail("ENOTDIR", name);
      return { dir, name, ino, trailingSlash };
    }
    if (type !== "directory") fail("ENOTDIR", name);
    if (depth >= 0) depth += name === ".." ? -1 : name === "." ? 0 : 1;
    dir = ino;
  }
}

/** Resolves a path that must exist, and returns its inode. */
export function resolveExisting(
  fs: Filesystem,
  start: number,
  path: string,
  options: ResolveOptions,
): number {
  const r = resolve(fs, start, path, options);
  if (r.ino === null) fail("ENOENT", path);
  return r.ino;
}

function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

function isErrno(e: unknown, errno: string): boolean {
  return typeof e === "object" && e !== null && (e as { errno?: string }).errno === errno;
}
