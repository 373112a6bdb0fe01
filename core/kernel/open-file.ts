import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import type { DirEntry, FileType, Filesystem, Stat } from "../vfs/filesystem.ts";
import { now } from "../vfs/filesystem.ts";

/**
 * An open file description: what an fd points at. Several fds (after dup,
 * and later fork) may share one, and with it the offset, as on Linux.
 *
 * Deny by default: this base answers EBADF for reading, writing and
 * seeking; each kind of open file opts in to what it supports.
 */
/** What poll sees of an open file. */
export interface Readiness {
  readable: boolean;
  writable: boolean;
  /** Bytes a read would return now. */
  available: number;
  /** The other end is gone (POLLHUP). */
  hangup: boolean;
  /** Settles at the next change; null for files that are always ready. */
  changed: Promise<void> | null;
}

export abstract class OpenFile {
  /** Set for O_APPEND: every write goes to the end of the file. */
  append = false;
  /** O_NONBLOCK: a read or write that would wait fails with EAGAIN instead. */
  nonblocking = false;
  /** How many fds refer to this description. */
  private references = 1;
  constructor(
    readonly readable: boolean,
    readonly writable: boolean,
  ) {}
  abstract stat(): Stat;
  read(_length: number): Uint8Array {
    fail("EBADF");
  }
  write(_data: Uint8Array): number {
    fail("EBADF");
  }
  pread(_length: number, _offset: number): Uint8Array {
    fail("ESPIPE");
  }
  pwrite(_data: Uint8Array, _offset: number): number {
    fail("ESPIPE");
  }
  seek(_offset: number, _whence: Whence): number {
    fail("ESPIPE");
  }
  /** Whether a read or write would wait (poll, select). Files and devices never wait. */
  readiness(): Readiness {
    return { readable: true, writable: true, available: 0, hangup: false, changed: null };
  }
  /** The inode behind this open file, if it lives in a filesystem. */
  get inode(): { fs: Filesystem; ino: number } | null {
    return null;
  }
  /** One more fd refers to this description (dup, dup2, fork). */
  hold(): this {
    this.references++;
    return this;
  }
  /** One fd fewer; the last one closes the description. */
  drop(): void {
    if (--this.references === 0) this.close();
  }
  /** Called once, when the last fd referring to it is closed. */
  protected close(): void {}
}

export type Whence = "set" | "cur" | "end";

/** A file, directory or symlink of a filesystem, opened by path. */
export class InodeFile extends OpenFile {
  offset = 0;
  private listing: DirEntry[] | null = null;

  constructor(
    readonly fs: Filesystem,
    readonly ino: number,
    readable: boolean,
    writable: boolean,
  ) {
    super(readable, writable);
    fs.retain(ino);
  }

  protected override close(): void {
    this.fs.release(this.ino);
  }

  override get inode(): { fs: Filesystem; ino: number } {
    return { fs: this.fs, ino: this.ino };
  }

  stat(): Stat {
    return this.fs.stat(this.ino);
  }

  override read(length: number): Uint8Array {
    const data = this.pread(length, this.offset);
    this.offset += data.length;
    return data;
  }

  override write(data: Uint8Array): number {
    if (this.append) this.offset = this.fs.stat(this.ino).size;
    const n = this.pwrite(data, this.offset);
    this.offset += n;
    return n;
  }

  override pread(length: number, offset: number): Uint8Array {
    if (!this.readable) fail("EBADF");
    const data = this.fs.read(this.ino, offset, length);
    return data;
  }

  override pwrite(data: Uint8Array, offset: number): number {
    if (!this.writable) fail("EBADF");
    return this.fs.write(this.ino, offset, data);
  }

  override seek(offset: number, whence: Whence): number {
    const base =
      whence === "set" ? 0 : whence === "cur" ? this.offset : this.fs.stat(this.ino).size;
    const to = base + offset;
    if (to < 0) fail("EINVAL");
    this.offset = to;
    return to;
  }

  /**
   * Entries of a directory, with `.` and `..` first, from position `cookie`.
   * The listing is taken when reading starts (cookie 0) and kept until the
   * next rewind, so cookies stay valid while the directory changes. Reading
   * sets no atime (as a `noatime` mount): a read must not copy a lower
   * directory up into the container's layer, nor write to its store.
   */
  entries(cookie: number): DirEntry[] {
    if (cookie === 0 || this.listing === null) {
      const parent = this.fs.lookup(this.ino, "..");
      const dot: DirEntry = { name: ".", ino: this.ino, type: "directory" };
      const dotdot: DirEntry = { name: "..", ino: parent, type: "directory" };
      this.listing = [dot, dotdot, ...this.fs.readdir(this.ino)];
    }
    return this.listing.slice(cookie);
  }
}

/** Streams are no filesystem's inodes: their numbers come from a range of their own. */
let streamInos = 1 << 30;
export function nextStreamIno(): number {
  return streamInos++;
}

/** Bytes given at start-up as a program's standard input. */
export class InputStream extends OpenFile {
  private position = 0;
  private readonly ino = nextStreamIno();
  constructor(
    private readonly bytes: Uint8Array = new Uint8Array(0),
    private readonly type: FileType = "fifo",
  ) {
    super(true, false);
  }
  stat(): Stat {
    return streamStat(this.ino, this.type, this.bytes.length);
  }
  override read(length: number): Uint8Array {
    const data = this.bytes.subarray(this.position, this.position + length);
    this.position += data.length;
    return data;
  }
}

/** Collects what a program writes to one of its standard outputs. */
export class OutputStream extends OpenFile {
  private readonly chunks: Uint8Array[] = [];
  private readonly ino = nextStreamIno();
  constructor(
    private readonly onData?: (data: Uint8Array) => void,
    private readonly type: FileType = "fifo",
  ) {
    super(false, true);
  }
  stat(): Stat {
    return streamStat(this.ino, this.type, 0);
  }
  override write(data: Uint8Array): number {
    const copy = data.slice();
    this.chunks.push(copy);
    this.onData?.(copy);
    return data.length;
  }
  bytes(): Uint8Array {
    return concat(this.chunks);
  }
}

/** The Stat of what no filesystem holds (a stream, a pipe, a socket): root's, dated now. */
export function streamStat(ino: number, type: FileType, size: number, mode = 0o600): Stat {
  const t = now();
  return {
    ino,
    type,
    mode,
    nlink: 1,
    uid: 0,
    gid: 0,
    size,
    rdev: 0,
    atime: t,
    mtime: t,
    ctime: t,
  };
}
