import { wasi } from "@bjorn3/browser_wasi_shim";
import { fail } from "../errno.ts";
import type { OpenFile } from "../kernel/open-file.ts";

/**
 * WASI preview 1's rights, as far as a Linux-like kernel keeps them. The
 * kernel checks access itself (modes, the open file's read and write
 * mode); rights only narrow what an fd may do from there:
 *
 * - An fd has the rights of what it is: a directory those of the
 *   directory calls (and every right to pass on to what it opens), a file
 *   those its open mode allows. `fd_fdstat_get` reports them.
 * - `path_open` gives the new fd the rights asked for, within those the
 *   directory fd passes on; it needs the directory's PATH_OPEN, and
 *   PATH_FILESTAT_SET_SIZE to truncate, PATH_CREATE_FILE to create.
 * - `fd_fdstat_set_rights` only takes rights away (ENOTCAPABLE for more);
 *   a read or write without FD_READ or FD_WRITE is then EBADF, as Linux's
 *   read of a write-only fd is.
 *
 * Rights belong to the open file (WASI has no dup; a fork child shares
 * its parent's, as it shares the open file).
 */
export interface Rights {
  base: bigint;
  inheriting: bigint;
}

const r = (...bits: number[]) => bits.reduce((a, b) => a | BigInt(b), 0n);

const ALL = (1n << 30n) - 1n;
const DIRECTORY = r(
  wasi.RIGHTS_PATH_CREATE_DIRECTORY,
  wasi.RIGHTS_PATH_CREATE_FILE,
  wasi.RIGHTS_PATH_LINK_SOURCE,
  wasi.RIGHTS_PATH_LINK_TARGET,
  wasi.RIGHTS_PATH_OPEN,
  wasi.RIGHTS_FD_READDIR,
  wasi.RIGHTS_PATH_READLINK,
  wasi.RIGHTS_PATH_RENAME_SOURCE,
  wasi.RIGHTS_PATH_RENAME_TARGET,
  wasi.RIGHTS_PATH_SYMLINK,
  wasi.RIGHTS_PATH_REMOVE_DIRECTORY,
  wasi.RIGHTS_PATH_UNLINK_FILE,
  wasi.RIGHTS_PATH_FILESTAT_GET,
  wasi.RIGHTS_PATH_FILESTAT_SET_SIZE,
  wasi.RIGHTS_PATH_FILESTAT_SET_TIMES,
  wasi.RIGHTS_FD_FILESTAT_GET,
  wasi.RIGHTS_FD_FILESTAT_SET_TIMES,
  wasi.RIGHTS_FD_FDSTAT_SET_FLAGS,
  wasi.RIGHTS_FD_SYNC,
  wasi.RIGHTS_FD_DATASYNC,
);
const ANY_FILE = r(
  wasi.RIGHTS_FD_SEEK,
  wasi.RIGHTS_FD_TELL,
  wasi.RIGHTS_FD_FDSTAT_SET_FLAGS,
  wasi.RIGHTS_FD_FILESTAT_GET,
  wasi.RIGHTS_FD_FILESTAT_SET_TIMES,
  wasi.RIGHTS_FD_ADVISE,
  wasi.RIGHTS_FD_SYNC,
  wasi.RIGHTS_FD_DATASYNC,
  wasi.RIGHTS_POLL_FD_READWRITE,
);
const READING = r(wasi.RIGHTS_FD_READ);
const WRITING = r(wasi.RIGHTS_FD_WRITE, wasi.RIGHTS_FD_ALLOCATE, wasi.RIGHTS_FD_FILESTAT_SET_SIZE);

export const FD_READ = r(wasi.RIGHTS_FD_READ);
export const FD_WRITE = r(wasi.RIGHTS_FD_WRITE);
export const PATH_OPEN = r(wasi.RIGHTS_PATH_OPEN);
export const PATH_CREATE_FILE = r(wasi.RIGHTS_PATH_CREATE_FILE);
export const PATH_FILESTAT_SET_SIZE = r(wasi.RIGHTS_PATH_FILESTAT_SET_SIZE);

const narrowed = new WeakMap<OpenFile, Rights>();

/** The rights an open file has by what it is and how it was opened. */
function natural(f: OpenFile): Rights {
  if (f.stat().type === "directory") return { base: DIRECTORY, inheriting: ALL };
  const base = ANY_FILE | (f.readable ? READING : 0n) | (f.writable ? WRITING : 0n);
  return { base, inheriting: 0n };
}

/** The rights of `f`: its natural ones, or fewer after fd_fdstat_set_rights or path_open. */
export function rightsOf(f: OpenFile): Rights {
  const given = narrowed.get(f);
  if (!given) return natural(f);
  const n = natural(f);
  return { base: given.base & n.base, inheriting: given.inheriting & n.inheriting };
}

/** fd_fdstat_set_rights: only fewer rights (ENOTCAPABLE for more). */
export function narrowRights(f: OpenFile, to: Rights): void {
  const now = rightsOf(f);
  if ((to.base & ~now.base) !== 0n || (to.inheriting & ~now.inheriting) !== 0n) {
    fail("ENOTCAPABLE", "rights can only be dropped");
  }
  narrowed.set(f, to);
}

/** path_open's new fd: the rights asked for, within those its directory passes on. */
export function giveRights(f: OpenFile, asked: Rights, dir: Rights): void {
  narrowed.set(f, {
    base: asked.base & dir.inheriting,
    inheriting: asked.inheriting & dir.inheriting,
  });
}

/**
 * Fails with EBADF if `f`'s rights were narrowed to lack `right` (FD_READ,
 * FD_WRITE); otherwise the kernel decides (EISDIR for a directory, as
 * Linux).
 */
export function need(f: OpenFile, right: bigint, what: string): void {
  const given = narrowed.get(f);
  if (given && (given.base & right) === 0n) fail("EBADF", `the fd has no right to ${what}`);
}

/** Fails with ENOTCAPABLE unless directory fd `dir` has `right`. */
export function needOnDirectory(dir: OpenFile, right: bigint, what: string): void {
  if ((rightsOf(dir).base & right) === 0n)
    fail("ENOTCAPABLE", `the directory fd has no right to ${what}`);
}
