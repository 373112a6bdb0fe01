import { fail } from "../errno.ts";
import {
  lookupEntry,
  reportedSize,
  TMPFS,
  type DirEntry,
  type FileType,
  type Stat,
} from "../vfs/filesystem.ts";
import { ReadOnlyFilesystem } from "../vfs/read-only.ts";
import type { LayerEntry } from "./layer.ts";
import { wholeData, type LayerData } from "./layer-data.ts";

/** Files up to this size are fetched whole when first read from a layer kept in chunks. */
const WHOLE_FILE = 16 * 1024 * 1024;

interface LayerNode {
  ino: number;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  mtime: bigint;
  /** Regular files: the entry that holds the bytes. */
  entry: LayerEntry | null;
  target: string;
  children: Map<string, number> | null;
  parent: number;
  opaque: boolean;
  /** The path that first named this inode in the layer ("" for the root). */
  path: string;
}

/**
 * One image layer as a read-only filesystem, built from its index; file
 * bytes are read from the data blob on demand (never copied), or, for a
 * layer kept in chunks, fetched when a file is first read (layer-data.ts:
 * the read waits, WouldBlock, while they come). This is what
 * the overlay stacks as a lower layer, and many containers can share it.
 *
 * A whiteout entry appears, as in Linux overlayfs, as a character device
 * with device number 0; `isWhiteout` and `isOpaque` tell the overlay what
 * this layer hides of the layers below it. Hard links share one inode.
 * Directories the index implies but does not list are made with mode 0755.
 */
export class LayerFilesystem extends ReadOnlyFilesystem {
  readonly root = 1;
  /** Mounted alone, a layer is the root filesystem: Linux's rootfs, a tmpfs. */
  readonly kind = { name: "rootfs", magic: TMPFS.magic };
  /** By inode number; 0 is never used, the root is 1. */
  private readonly nodes: Array<LayerNode | undefined> = [undefined];
  /** Paths by inode, made on first use (`namesOf`). */
  private names: Map<number, string[]> | null = null;
  /** File bytes: in memory, or fetched in chunks as files are first read. */
  private readonly data: LayerData;

  constructor(
    entries: LayerEntry[],
    data: Uint8Array | LayerData,
    /** The layer's digest: how an upper layer names it. */
    readonly digest = "",
  ) {
    super();
    this.data = data instanceof Uint8Array ? wholeData(data) : data;
    this.node("directory", 0o755, 0n, null).parent = 1;
    const byPath = new Map<string, number>([["", 1]]);
    const dirOf = (path: string): number => {
      const known = byPath.get(path);
      if (known !== undefined) return known;
      const slash = path.lastIndexOf("/");
      const parent = dirOf(slash < 0 ? "" : path.slice(0, slash));
      const made = this.attach(
        parent,
        path.slice(slash + 1),
        this.node("directory", 0o755, 0n, null),
      );
      made.path = path;
      byPath.set(path, made.ino);
      return made.ino;
    };
    for (const e of entries) {
      const slash = e.path.lastIndexOf("/");
      const parent = dirOf(slash < 0 ? "" : e.path.slice(0, slash));
      const name = e.path.slice(slash + 1);
      const mtime = BigInt(e.mtime) * 1_000_000_000n;
      if (e.type === "hardlink") {
        const target = byPath.get(e.target ?? "");
        if (target === undefined) fail("EINVAL", `hard link ${e.path}: no such file in the layer`);
        this.nodes[parent]!.children!.set(name, target);
        this.nodes[target]!.nlink++;
        byPath.set(e.path, target);
        continue;
      }
      const existing = byPath.get(e.path);
      if (
        existing !== undefined &&
        e.type === "directory" &&
        this.nodes[existing]!.type === "directory"
      ) {
        // An index not in layer order listed a directory after an entry inside it.
        Object.assign(this.nodes[existing]!, {
          mode: e.mode & 0o7777,
          uid: e.uid,
          gid: e.gid,
          mtime,
          opaque: e.opaque === true,
        });
        continue;
      }
      const type: FileType = e.type === "whiteout" ? "chardev" : e.type;
      const n = this.node(
        type,
        e.type === "whiteout" ? 0 : e.mode,
        mtime,
        e.type === "file" ? e : null,
      );
      n.uid = e.uid;
      n.gid = e.gid;
      n.rdev = e.rdev ?? 0;
      n.target = e.target ?? "";
      n.opaque = e.opaque === true;
      n.path = e.path;
      this.attach(parent, name, n);
      byPath.set(e.path, n.ino);
    }
  }

  stat(ino: number): Stat {
    const n = this.get(ino);
    return {
      ino: n.ino,
      type: n.type,
      mode: n.mode,
      nlink: n.nlink,
      uid: n.uid,
      gid: n.gid,
      size: reportedSize(n.type, n.target, n.entry?.size ?? 0),
      rdev: n.rdev,
      atime: n.mtime,
      mtime: n.mtime,
      ctime: n.mtime,
    };
  }

  override typeOf(ino: number): FileType {
    return this.get(ino).type;
  }

  lookup(dir: number, name: string): number {
    const d = this.get(dir);
    if (!d.children) fail("ENOTDIR");
    return lookupEntry({ ino: d.ino, parent: d.parent, entries: d.children }, name);
  }

  readdir(dir: number): DirEntry[] {
    const d = this.get(dir);
    if (!d.children) fail("ENOTDIR");
    return [...d.children].map(([name, ino]) => ({ name, ino, type: this.get(ino).type }));
  }

  read(ino: number, offset: number, length: number): Uint8Array {
    const n = this.get(ino);
    if (n.type === "directory") fail("EISDIR");
    if (!n.entry) return new Uint8Array(0);
    const at = n.entry.offset ?? 0;
    const size = n.entry.size ?? 0;
    const start = at + Math.min(offset, size);
    const end = at + Math.min(size, offset + length);
    // A file not here yet comes whole (up to WHOLE_FILE): reading it through waits once.
    const want = size <= WHOLE_FILE ? { start: at, end: at + size } : { start, end };
    return this.data.read(start, end, want);
  }

  readlink(ino: number): string {
    const n = this.get(ino);
    if (n.type !== "symlink") fail("EINVAL");
    return n.target;
  }

  /** The entry `name` of directory `dir`, or null (no `.`, `..` or errors: for the overlay's lookups). */
  entryOrNull(dir: number, name: string): number | null {
    return this.get(dir).children?.get(name) ?? null;
  }

  /** The path, relative to the root, that first named an inode of this layer. */
  pathOf(ino: number): string {
    return this.get(ino).path;
  }

  /** Every path that names an inode of this layer (more than one for hard links). */
  namesOf(ino: number): string[] {
    if (!this.names) {
      this.names = new Map();
      const walk = (dir: LayerNode, prefix: string) => {
        for (const [name, child] of dir.children!) {
          const path = prefix === "" ? name : `${prefix}/${name}`;
          const known = this.names!.get(child);
          if (known) known.push(path);
          else this.names!.set(child, [path]);
          const n = this.get(child);
          if (n.children) walk(n, path);
        }
      };
      walk(this.get(this.root), "");
    }
    return this.names.get(ino) ?? [];
  }

  /**
   * A layer's bytes never change, and a layer of the same digest numbers
   * its inodes alike: its digest and the inode name a file's bytes.
   */
  contentId(ino: number): string | null {
    return this.digest === "" ? null : `${this.digest}#${ino}`;
  }

  /** The inode at a path relative to the root (no symlinks followed), or null. */
  inodeAt(path: string): number | null {
    let ino = this.root;
    for (const name of path.split("/").filter(Boolean)) {
      const child = this.get(ino).children?.get(name);
      if (child === undefined) return null;
      ino = child;
    }
    return ino;
  }

  /** This layer deletes the name from the layers below it. */
  isWhiteout(ino: number): boolean {
    const n = this.get(ino);
    return n.type === "chardev" && n.rdev === 0;
  }

  /** This directory hides the layers below it. */
  isOpaque(ino: number): boolean {
    return this.get(ino).opaque;
  }

  private node(type: FileType, mode: number, mtime: bigint, entry: LayerEntry | null): LayerNode {
    const n: LayerNode = {
      ino: this.nodes.length,
      type,
      mode: mode & 0o7777,
      uid: 0,
      gid: 0,
      nlink: type === "directory" ? 2 : 1,
      rdev: 0,
      mtime,
      entry,
      target: "",
      children: type === "directory" ? new Map() : null,
      parent: 0,
      opaque: false,
      path: "",
    };
    this.nodes[n.ino] = n;
    return n;
  }

  private attach(parent: number, name: string, n: LayerNode): LayerNode {
    const p = this.get(parent);
    p.children!.set(name, n.ino);
    if (n.type === "directory") {
      n.parent = parent;
      p.nlink++;
    }
    return n;
  }

  private get(ino: number): LayerNode {
    const n = this.nodes[ino];
    if (!n) fail("ENOENT", `inode ${ino}`);
    return n;
  }
}
