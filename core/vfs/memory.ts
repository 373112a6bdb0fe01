import { fail } from "../errno.ts";
import {
  applyAttrChanges,
  checkName,
  lookupEntry,
  measuredStatfs,
  now,
  reportedSize,
  TMPFS,
  type AttrChanges,
  type DirEntry,
  type FileType,
  type Filesystem,
  type FsStats,
  type NewNode,
  type Owner,
  type Stat,
} from "./filesystem.ts";
import { OpenCounts } from "./open-counts.ts";

interface Node {
  ino: number;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  /** File bytes; `data.length` may exceed `size` (spare capacity). */
  data: Uint8Array;
  size: number;
  /** `data` is borrowed (from an image layer) and must be copied before a write. */
  borrowed: boolean;
  target: string;
  /** Directory entries, in creation order. */
  entries: Map<string, number> | null;
  /** Parent of a directory (the root is its own parent). */
  parent: number;
}

const EMPTY = new Uint8Array(0);

/**
 * A whole POSIX filesystem held in memory (like Linux tmpfs). Used for tests,
 * for scratch mounts, and as the writable root of the program runner.
 *
 * File bytes can be borrowed from an image layer without copying
 * (`createBorrowed`): they are copied on the first write to that file only.
 */
export class MemoryFilesystem implements Filesystem {
  readonly root: number;
  readonly kind = TMPFS;
  private readonly nodes = new Map<number, Node>();
  /** Open files per inode: an unlinked inode lives until its last one is closed. */
  private readonly open = new OpenCounts();
  private nextIno = 1;

  constructor(owner: Owner = { uid: 0, gid: 0 }, mode = 0o755) {
    const root = this.allocate("directory", mode, owner);
    root.parent = root.ino;
    root.nlink = 2;
    this.root = root.ino;
  }

  statfs(_ino: number, disk: number): FsStats {
    return measuredStatfs(this, disk);
  }

  stat(ino: number): Stat {
    const n = this.node(ino);
    return {
      ino: n.ino,
      type: n.type,
      mode: n.mode,
      nlink: n.nlink,
      uid: n.uid,
      gid: n.gid,
      size: reportedSize(n.type, n.target, n.size),
      rdev: n.rdev,
      atime: n.atime,
      mtime: n.mtime,
      ctime: n.ctime,
    };
  }

  typeOf(ino: number): FileType {
    return this.node(ino).type;
  }

  lookup(dir: number, name: string): number {
    const d = this.dir(dir);
    return lookupEntry({ ino: d.ino, parent: d.parent, entries: d.entries! }, name);
  }

  readdir(dir: number): DirEntry[] {
    const d = this.dir(dir);
    return [...d.entries!].map(([name, ino]) => ({ name, ino, type: this.node(ino).type }));
  }

  read(ino: number, offset: number, length: number): Uint8Array {
    const n = this.node(ino);
    if (n.type === "directory") fail("EISDIR");
    const end = Math.min(n.size, offset + length);
    return offset >= end ? EMPTY : n.data.subarray(offset, end);
  }

  readlink(ino: number): string {
    const n = this.node(ino);
    if (n.type !== "symlink") fail("EINVAL");
    return n.target;
  }

  create(dir: number, name: string, node: NewNode): number {
    const d = this.freeName(dir, name);
    const n = this.allocate(node.type, node.mode, node);
    n.rdev = node.rdev ?? 0;
    this.attach(d, name, n);
    return n.ino;
  }

  /** A regular file whose bytes are borrowed, not copied, until written. */
  createBorrowed(dir: number, name: string, node: NewNode, data: Uint8Array): number {
    const ino = this.create(dir, name, node);
    const n = this.node(ino);
    n.data = data;
    n.size = data.length;
    n.borrowed = true;
    return ino;
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner): number {
    const d = this.freeName(dir, name);
    const n = this.allocate("directory", mode, owner);
    n.parent = d.ino;
    n.nlink = 2;
    d.nlink++;
    this.attach(d, name, n);
    return n.ino;
  }

  symlink(dir: number, name: string, target: string, owner: Owner): number {
    const d = this.freeName(dir, name);
    const n = this.allocate("symlink", 0o777, owner);
    n.target = target;
    this.attach(d, name, n);
    return n.ino;
  }

  link(dir: number, name: string, ino: number): void {
    const n = this.node(ino);
    if (n.type === "directory") fail("EPERM", "hard link to a directory");
    const d = this.freeName(dir, name);
    n.nlink++;
    n.ctime = now();
    this.attach(d, name, n);
  }

  unlink(dir: number, name: string): void {
    const d = this.dir(dir);
    const n = this.node(this.lookup(dir, name));
    if (n.type === "directory") fail("EISDIR", name);
    this.detach(d, name, n);
  }

  rmdir(dir: number, name: string): void {
    if (name === ".") fail("EINVAL");
    if (name === "..") fail("ENOTEMPTY");
    const d = this.dir(dir);
    const n = this.node(this.lookup(dir, name));
    if (n.type !== "directory") fail("ENOTDIR", name);
    if (n.entries!.size > 0) fail("ENOTEMPTY", name);
    this.detach(d, name, n);
  }

  rename(fromDir: number, fromName: string, toDir: number, toName: string): void {
    if (fromName === "." || fromName === ".." || toName === "." || toName === "..") fail("EBUSY");
    checkName(toName);
    const src = this.dir(fromDir);
    const dst = this.dir(toDir);
    const n = this.node(this.lookup(fromDir, fromName));
    const existing = dst.entries!.get(toName);
    if (existing === n.ino) return; // same inode: POSIX says do nothing
    if (n.type === "directory") {
      // A directory may not move into its own subtree.
      for (let a = dst; ; a = this.node(a.parent)) {
        if (a.ino === n.ino) fail("EINVAL", "rename of a directory into itself");
        if (a.parent === a.ino) break;
      }
    }
    if (existing !== undefined) {
      const old = this.node(existing);
      if (n.type === "directory") {
        if (old.type !== "directory") fail("ENOTDIR", toName);
        if (old.entries!.size > 0) fail("ENOTEMPTY", toName);
      } else if (old.type === "directory") {
        fail("EISDIR", toName);
      }
      this.detach(dst, toName, old);
    }
    src.entries!.delete(fromName);
    dst.entries!.set(toName, n.ino);
    if (n.type === "directory" && src !== dst) {
      src.nlink--;
      dst.nlink++;
      n.parent = dst.ino;
    }
    const t = now();
    src.mtime = src.ctime = dst.mtime = dst.ctime = n.ctime = t;
  }

  write(ino: number, offset: number, data: Uint8Array): number {
    const n = this.file(ino);
    const end = offset + data.length;
    this.reserve(n, end);
    n.data.set(data, offset);
    if (end > n.size) n.size = end;
    n.mtime = n.ctime = now();
    return data.length;
  }

  truncate(ino: number, size: number): void {
    const n = this.file(ino);
    if (size > n.size) {
      this.reserve(n, size);
    } else {
      if (n.borrowed) this.own(n, size);
      n.data.fill(0, size, n.size);
    }
    n.size = size;
    n.mtime = n.ctime = now();
  }

  setattr(ino: number, changes: AttrChanges): void {
    const n = this.node(ino);
    applyAttrChanges(n, changes);
  }

  /** Held in memory: durable as soon as it is written, for as long as the filesystem lives. */
  fsync(ino: number): void {
    this.node(ino);
  }

  retain(ino: number): void {
    this.open.hold(ino);
  }

  release(ino: number): void {
    if (!this.open.drop(ino)) return;
    const n = this.nodes.get(ino);
    if (n) this.collect(n);
  }

  private allocate(type: FileType, mode: number, owner: Owner): Node {
    const t = now();
    const n: Node = {
      ino: this.nextIno++,
      type,
      mode: mode & 0o7777,
      uid: owner.uid,
      gid: owner.gid,
      nlink: 1,
      rdev: 0,
      atime: t,
      mtime: t,
      ctime: t,
      data: EMPTY,
      size: 0,
      borrowed: false,
      target: "",
      entries: type === "directory" ? new Map() : null,
      parent: 0,
    };
    this.nodes.set(n.ino, n);
    return n;
  }

  private attach(d: Node, name: string, n: Node): void {
    d.entries!.set(name, n.ino);
    d.mtime = d.ctime = now();
  }

  private detach(d: Node, name: string, n: Node): void {
    d.entries!.delete(name);
    d.mtime = d.ctime = now();
    n.ctime = d.ctime;
    if (n.type === "directory") {
      d.nlink--;
      n.nlink = 0;
    } else {
      n.nlink--;
    }
    this.collect(n);
  }

  /** Frees an inode that has no name left and no open file. */
  private collect(n: Node): void {
    if (n.nlink === 0 && !this.open.isOpen(n.ino)) this.nodes.delete(n.ino);
  }

  private freeName(dir: number, name: string): Node {
    checkName(name);
    const d = this.dir(dir);
    if (d.nlink === 0) fail("ENOENT", "directory was removed");
    if (name === "." || name === ".." || d.entries!.has(name)) fail("EEXIST", name);
    return d;
  }

  private reserve(n: Node, size: number): void {
    if (n.borrowed) this.own(n, size);
    if (size <= n.data.length) return;
    const grown = new Uint8Array(Math.max(size, Math.min(n.data.length * 2, size + (64 << 20))));
    grown.set(n.data.subarray(0, n.size));
    n.data = grown;
  }

  /** Copies borrowed bytes into memory the file owns. */
  private own(n: Node, capacity: number): void {
    const mine = new Uint8Array(Math.max(capacity, n.size));
    mine.set(n.data.subarray(0, n.size));
    n.data = mine;
    n.borrowed = false;
  }

  private node(ino: number): Node {
    const n = this.nodes.get(ino);
    if (!n) fail("ENOENT", `inode ${ino}`);
    return n;
  }

  private dir(ino: number): Node {
    const n = this.node(ino);
    if (n.type !== "directory") fail("ENOTDIR");
    return n;
  }

  private file(ino: number): Node {
    const n = this.node(ino);
    if (n.type === "directory") fail("EISDIR");
    if (n.type !== "file") fail("EINVAL");
    return n;
  }
}
