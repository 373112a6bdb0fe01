import { fail, ErrnoError } from "../errno.ts";
import type {
  AttrChanges,
  DirEntry,
  FileType,
  Filesystem,
  FilesystemKind,
  FsStats,
  NewNode,
  Owner,
  Stat,
} from "./filesystem.ts";
import { resolveExisting } from "./resolve.ts";

/** What /proc/mounts says of one mount: `source mountpoint type options 0 0`. */
export interface MountInfo {
  /** The mount's source ("overlay", "proc", a device path). */
  source: string;
  /** The filesystem type ("overlay", "proc", "tmpfs"). */
  type: string;
  /** Mount options, comma-separated ("rw,relatime"). */
  options: string;
}

/** A mounted filesystem, as the table keeps it. */
interface Mount extends MountInfo {
  fs: Filesystem;
  /** Its tag: the high bits of its inode numbers in the mounted view. */
  tag: number;
  /** The directory it covers, as a view inode (none for the root). */
  covered: number | null;
  /** Where it is mounted, an absolute path. */
  path: string;
}

/**
 * Inode numbers of the mounted view: a filesystem's own number plus its
 * tag × 2^47. The root filesystem has tag 0, so its numbers are unchanged;
 * the overlay numbers lower layers from 2^32 up, far below 2^47. With at
 * most 64 filesystems every number stays below 2^53 (a safe integer).
 */
const TAG_SPAN = 2 ** 47;
const MAX_MOUNTS = 64;

/** Device numbers (st_dev) of the view: Linux's anonymous devices, 0:N. */
const FIRST_DEVICE = 0x20;

/**
 * A mount table: filesystems put on directories of a root filesystem, seen
 * as one tree, as Linux's VFS joins mounts.
 *
 * Terms: the root filesystem is mounted on `/`; a filesystem mounted later
 * covers a directory of the view (its mount point), which it hides until
 * the table goes away (there is no unmount: the container's mounts are
 * made once, at boot).
 *
 * Inodes: every inode number of the view says which filesystem holds it
 * (see TAG_SPAN). Looking up a mount point's name gives the mounted root;
 * `..` of a mounted root gives the directory holding the mount point;
 * readdir lists a mount point with the mounted root's number (so that a
 * walk up by `..` finds names again). Stat carries `dev`, distinct per
 * filesystem, as st_dev is on Linux.
 *
 * Errors: as Filesystem says, and as Linux's VFS answers across mounts:
 * EXDEV for a rename or link from one filesystem to another, EBUSY for
 * removing or renaming a mount point.
 */
export class MountFilesystem implements Filesystem {
  readonly root: number;
  private readonly table: Mount[] = [];
  /** Mounted roots by the view inode of the directory they cover. */
  private readonly byCovered = new Map<number, Mount>();

  constructor(rootFs: Filesystem, info: MountInfo) {
    this.table.push({ ...info, fs: rootFs, tag: 0, covered: null, path: "/" });
    this.root = rootFs.root;
  }

  /** The root filesystem's kind. */
  get kind(): FilesystemKind {
    return this.table[0]!.fs.kind;
  }

  /** The statfs of the mounted filesystem holding `ino`. */
  statfs(ino: number, disk: number): FsStats {
    const { mount, local } = this.split(ino);
    return mount.fs.statfs(local, disk);
  }

  /**
   * Mounts `fs` on the directory `path` of the view (absolute; symlinks
   * followed). ENOTDIR if it is no directory, EBUSY if something is
   * mounted there already or it is `/`, ENOSPC past 64 mounts.
   */
  mount(path: string, fs: Filesystem, info: MountInfo): void {
    if (!path.startsWith("/")) fail("EINVAL", "mount point must be absolute");
    const covered = resolveExisting(this, this.root, path, { follow: true });
    if (this.typeOf(covered) !== "directory") fail("ENOTDIR", path);
    if (covered === this.root || this.byCovered.has(covered) || this.mountOf(covered)) {
      fail("EBUSY", path);
    }
    if (this.table.length >= MAX_MOUNTS) fail("ENOSPC", "mount table full");
    const normal =
      "/" +
      path
        .split("/")
        .filter((c) => c !== "" && c !== ".")
        .join("/");
    const mount: Mount = { ...info, fs, tag: this.table.length, covered, path: normal };
    this.table.push(mount);
    this.byCovered.set(covered, mount);
  }

  /** The mounts, root first, in the order they were made (what /proc/mounts lists). */
  mounts(): Array<MountInfo & { path: string }> {
    return this.table.map(({ source, type, options, path }) => ({ source, type, options, path }));
  }

  /** The filesystem holding a view inode (ENOENT if the number is no view's). */
  filesystemOf(ino: number): Filesystem {
    return this.split(ino).mount.fs;
  }

  stat(ino: number): Stat {
    const { mount, local } = this.split(ino);
    const st = mount.fs.stat(local);
    st.ino = ino;
    st.dev = FIRST_DEVICE + mount.tag;
    return st;
  }

  typeOf(ino: number): FileType {
    const { mount, local } = this.split(ino);
    return mount.fs.typeOf(local);
  }

  lookup(dir: number, name: string): number {
    const { mount, local } = this.split(dir);
    if (name === ".." && local === mount.fs.root && mount.covered !== null) {
      // Up out of a mounted root: to the directory holding the mount point.
      return this.lookup(mount.covered, "..");
    }
    return this.crossing(this.view(mount, mount.fs.lookup(local, name)));
  }

  lookupOrNull(dir: number, name: string): number | null {
    const { mount, local } = this.split(dir);
    if (mount.fs.lookupOrNull && name !== "..") {
      const ino = mount.fs.lookupOrNull(local, name);
      return ino === null ? null : this.crossing(this.view(mount, ino));
    }
    try {
      return this.lookup(dir, name);
    } catch (e) {
      if (e instanceof ErrnoError && e.errno === "ENOENT") return null;
      throw e;
    }
  }

  readdir(dir: number): DirEntry[] {
    const { mount, local } = this.split(dir);
    return mount.fs.readdir(local).map((e) => {
      const ino = this.view(mount, e.ino);
      const over = this.byCovered.get(ino);
      return over
        ? { name: e.name, ino: this.view(over, over.fs.root), type: "directory" as const }
        : { ...e, ino };
    });
  }

  read(ino: number, offset: number, length: number): Uint8Array {
    const { mount, local } = this.split(ino);
    return mount.fs.read(local, offset, length);
  }

  contentId(ino: number): string | null {
    const { mount, local } = this.split(ino);
    return mount.fs.contentId?.(local) ?? null;
  }

  readlink(ino: number): string {
    const { mount, local } = this.split(ino);
    return mount.fs.readlink(local);
  }

  create(dir: number, name: string, node: NewNode): number {
    const { mount, local } = this.split(dir);
    return this.view(mount, mount.fs.create(local, name, node));
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner): number {
    const { mount, local } = this.split(dir);
    return this.view(mount, mount.fs.mkdir(local, name, mode, owner));
  }

  symlink(dir: number, name: string, target: string, owner: Owner): number {
    const { mount, local } = this.split(dir);
    return this.view(mount, mount.fs.symlink(local, name, target, owner));
  }

  link(dir: number, name: string, ino: number): void {
    const to = this.split(dir);
    const from = this.split(ino);
    if (to.mount !== from.mount) fail("EXDEV", "link across filesystems");
    to.mount.fs.link(to.local, name, from.local);
  }

  unlink(dir: number, name: string): void {
    const { mount, local } = this.split(dir);
    this.notMountPoint(dir, name);
    mount.fs.unlink(local, name);
  }

  rmdir(dir: number, name: string): void {
    const { mount, local } = this.split(dir);
    this.notMountPoint(dir, name);
    mount.fs.rmdir(local, name);
  }

  rename(fromDir: number, fromName: string, toDir: number, toName: string): void {
    const from = this.split(fromDir);
    const to = this.split(toDir);
    if (from.mount !== to.mount) fail("EXDEV", "rename across filesystems");
    this.notMountPoint(fromDir, fromName);
    this.notMountPoint(toDir, toName);
    from.mount.fs.rename(from.local, fromName, to.local, toName);
  }

  write(ino: number, offset: number, data: Uint8Array): number {
    const { mount, local } = this.split(ino);
    return mount.fs.write(local, offset, data);
  }

  truncate(ino: number, size: number): void {
    const { mount, local } = this.split(ino);
    mount.fs.truncate(local, size);
  }

  setattr(ino: number, changes: AttrChanges): void {
    const { mount, local } = this.split(ino);
    mount.fs.setattr(local, changes);
  }

  fsync(ino: number): void {
    const { mount, local } = this.split(ino);
    mount.fs.fsync(local);
  }

  retain(ino: number): void {
    const { mount, local } = this.split(ino);
    mount.fs.retain(local);
  }

  release(ino: number): void {
    const { mount, local } = this.split(ino);
    mount.fs.release(local);
  }

  /** The mount a view inode belongs to, and its number in that filesystem. */
  private split(ino: number): { mount: Mount; local: number } {
    const tag = Math.floor(ino / TAG_SPAN);
    const mount = this.table[tag];
    if (!mount || ino < 0) fail("ENOENT", `inode ${ino}`);
    return { mount, local: ino - tag * TAG_SPAN };
  }

  /** A filesystem's own inode number as the view numbers it. */
  private view(mount: Mount, local: number): number {
    if (local < 0 || local >= TAG_SPAN || !Number.isInteger(local)) {
      fail("EIO", `inode ${local} is out of the range a mount can number`);
    }
    return mount.tag * TAG_SPAN + local;
  }

  /** A covered directory is seen as the root mounted on it (mounts do not stack: see mount). */
  private crossing(ino: number): number {
    const over = this.byCovered.get(ino);
    return over ? this.view(over, over.fs.root) : ino;
  }

  /** The mount whose root is this view inode, if any. */
  private mountOf(ino: number): Mount | undefined {
    const { mount, local } = this.split(ino);
    return local === mount.fs.root && mount.covered !== null ? mount : undefined;
  }

  /** EBUSY if `name` in `dir` is a mount point: it cannot be removed or renamed. */
  private notMountPoint(dir: number, name: string): void {
    if (name === "." || name === ".." || name === "") return;
    const { mount, local } = this.split(dir);
    let ino: number;
    try {
      ino = this.view(mount, mount.fs.lookup(local, name));
    } catch (e) {
      if (e instanceof ErrnoError) return; // the filesystem answers for a bad name itself
      throw e;
    }
    if (this.byCovered.has(ino)) fail("EBUSY", `${name} is a mount point`);
  }
}
