import { fail } from "../errno.ts";

/**
 * The filesystem interface every layer of the vfs implements, in inode terms
 * (the path walk is `resolve.ts`, shared by all).
 *
 * Lifecycle: a filesystem is made with a root directory and lives as long as
 * the container that mounts it. Inode numbers are stable for the life of the
 * object and never reused while a name or an open file refers to them.
 *
 * Errors: every method throws `ErrnoError` with a POSIX errno, never
 * anything else: ENOENT (no such name), ENOTDIR (a directory operation on a
 * non-directory), EISDIR, EEXIST, ENOTEMPTY, EINVAL (rename of a directory
 * into itself), ENAMETOOLONG, EROFS (a read-only filesystem), ENOSPC.
 */
export type FileType =
  "file" | "directory" | "symlink" | "fifo" | "chardev" | "blockdev" | "socket";

/** Nanoseconds since the epoch. */
export type Timestamp = bigint;

export interface Stat {
  ino: number;
  type: FileType;
  /** Permission bits, including setuid, setgid and sticky (07777). */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** Device number of a character or block device, else 0. */
  rdev: number;
  atime: Timestamp;
  mtime: Timestamp;
  ctime: Timestamp;
  /**
   * The device the inode is on (st_dev), distinct per mounted filesystem.
   * Set by the mount table (mount.ts); a single filesystem leaves it out.
   */
  dev?: number;
}

export interface DirEntry {
  name: string;
  ino: number;
  type: FileType;
}

export interface NewNode {
  type: Exclude<FileType, "directory" | "symlink">;
  mode: number;
  uid: number;
  gid: number;
  rdev?: number;
}

export interface AttrChanges {
  mode?: number;
  uid?: number;
  gid?: number;
  atime?: Timestamp;
  mtime?: Timestamp;
}

export interface Owner {
  uid: number;
  gid: number;
}

/** What kind of filesystem one is: the type /proc/mounts names, and statfs's magic number (f_type). */
export interface FilesystemKind {
  name: string;
  magic: number;
}

/** What statfs answers for a filesystem (Linux's struct statfs, in blocks of `blockSize`). */
export interface FsStats {
  /** f_type: the filesystem's magic number. */
  type: number;
  blockSize: number;
  blocks: number;
  free: number;
  files: number;
  freeFiles: number;
  nameMax: number;
}

export interface Filesystem {
  readonly root: number;
  readonly kind: FilesystemKind;
  /**
   * statfs for the filesystem holding `ino`; `disk` is the bytes the
   * container's disk is said to hold at most (df's size), which a
   * filesystem that stores files measures itself against.
   */
  statfs(ino: number, disk: number): FsStats;
  /** A new object each call, the caller's to keep or change. */
  stat(ino: number): Stat;
  /**
   * `stat(ino).type` without the Stat: path walks and type checks ask it
   * of every directory they pass, and making a Stat each time was most of
   * a stat's cost.
   */
  typeOf(ino: number): FileType;
  /** Looks `name` up in directory `dir`; `..` of the root is the root. */
  lookup(dir: number, name: string): number;
  /**
   * The same, answering null where `lookup` throws ENOENT. Optional: path
   * walks use it, when there is one, so that a missing name (every file
   * created) costs no thrown error.
   */
  lookupOrNull?(dir: number, name: string): number | null;
  /** The entries of a directory, without `.` and `..`, in a stable order. */
  readdir(dir: number): DirEntry[];
  /**
   * Reads up to `length` bytes at `offset`; fewer at the end of the file.
   * The bytes may be a view of the filesystem's own (MemoryFilesystem's
   * data, an upper layer's chunk), which a later write changes: a caller
   * that keeps them past its next call copies them.
   */
  read(ino: number, offset: number, length: number): Uint8Array;
  /**
   * A name for the file's bytes that any filesystem holding the same bytes
   * gives too (an image layer's file, by the layer's digest and its
   * place there), so that what is made of them (a compiled program) serves
   * every container of the image; null (or no method) when there is none.
   */
  contentId?(ino: number): string | null;
  readlink(ino: number): string;

  /** Creates a regular file, fifo, device or socket node. */
  create(dir: number, name: string, node: NewNode): number;
  mkdir(dir: number, name: string, mode: number, owner: Owner): number;
  symlink(dir: number, name: string, target: string, owner: Owner): number;
  /** A new name for a non-directory inode. */
  link(dir: number, name: string, ino: number): void;
  /** Removes a non-directory name (EISDIR for a directory). */
  unlink(dir: number, name: string): void;
  /** Removes an empty directory (ENOTEMPTY, ENOTDIR). */
  rmdir(dir: number, name: string): void;
  /** POSIX rename, replacing the target if it may be replaced. */
  rename(fromDir: number, fromName: string, toDir: number, toName: string): void;
  write(ino: number, offset: number, data: Uint8Array): number;
  truncate(ino: number, size: number): void;
  setattr(ino: number, changes: AttrChanges): void;
  /**
   * Returns once the inode's changes (and every change before them) are
   * durable. A filesystem kept in a store may throw WouldBlock meanwhile.
   */
  fsync(ino: number): void;
  /**
   * An open file holds its inode: one whose last name is removed keeps its
   * data until the last `release`, as on Linux.
   */
  retain(ino: number): void;
  release(ino: number): void;
}

/** The longest name one directory entry may have, as on Linux. */
export const NAME_MAX = 255;

/** A name a new directory entry may have: EINVAL for "" or a slash, ENAMETOOLONG past NAME_MAX bytes. */
export function checkName(name: string): void {
  if (name.includes("/") || name === "") fail("EINVAL", "bad name");
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short names need no encoding.
  if (name.length * 3 > NAME_MAX && new TextEncoder().encode(name).length > NAME_MAX) {
    fail("ENAMETOOLONG", name);
  }
}

/**
 * The size stat reports, as Linux on ext4 does: 4096 for a directory, the
 * target's length in bytes for a symlink, the byte count for the rest.
 */
export function reportedSize(type: FileType, target: string, bytes: number): number {
  if (type === "directory") return 4096;
  if (type === "symlink") return new TextEncoder().encode(target).length;
  return bytes;
}

/**
 * A name in a directory: `.` (and "") is the directory, `..` its parent,
 * anything else one of its entries, or ENOENT.
 */
export function lookupEntry(
  dir: { ino: number; parent: number; entries: ReadonlyMap<string, number> },
  name: string,
): number {
  if (name === "." || name === "") return dir.ino;
  if (name === "..") return dir.parent;
  const ino = dir.entries.get(name);
  if (ino === undefined) fail("ENOENT", name);
  return ino;
}

/** Applies an attribute change to an inode's fields, as setattr does: the change sets ctime. */
export function applyAttrChanges(
  inode: Pick<Stat, "mode" | "uid" | "gid" | "atime" | "mtime" | "ctime">,
  changes: AttrChanges,
): void {
  if (changes.mode !== undefined) inode.mode = changes.mode & 0o7777;
  if (changes.uid !== undefined) inode.uid = changes.uid;
  if (changes.gid !== undefined) inode.gid = changes.gid;
  if (changes.atime !== undefined) inode.atime = changes.atime;
  if (changes.mtime !== undefined) inode.mtime = changes.mtime;
  inode.ctime = now();
}

export function now(): Timestamp {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * statfs of a filesystem that stores files, measured by a walk: file bytes
 * in 4 KiB blocks and inodes counted once each, against `disk` bytes (or
 * what it holds, if more).
 */
export function measuredStatfs(fs: Filesystem, disk: number): FsStats {
  const BLOCK = 4096;
  let blocks = 0;
  const seen = new Set<number>([fs.root]);
  const dirs = [fs.root];
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    blocks += 1;
    for (const e of fs.readdir(dir)) {
      if (e.name === "." || e.name === ".." || seen.has(e.ino)) continue;
      seen.add(e.ino);
      if (e.type === "directory") dirs.push(e.ino);
      else if (e.type === "file") blocks += Math.ceil(fs.stat(e.ino).size / BLOCK);
    }
  }
  const total = Math.max(blocks, Math.ceil(disk / BLOCK));
  const files = Math.max(seen.size, total);
  return {
    type: fs.kind.magic,
    blockSize: BLOCK,
    blocks: total,
    free: total - blocks,
    files,
    freeFiles: files - seen.size,
    nameMax: NAME_MAX,
  };
}

/** tmpfs's kind (Linux's TMPFS_MAGIC): the memory filesystem's. */
export const TMPFS: FilesystemKind = { name: "tmpfs", magic: 0x01021994 };
