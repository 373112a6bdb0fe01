import { fail } from "../errno.ts";
import type { LayerFilesystem } from "../image/layer-fs.ts";
import {
  measuredStatfs,
  reportedSize,
  type AttrChanges,
  type DirEntry,
  type FileType,
  type Filesystem,
  type FsStats,
  type NewNode,
  type Owner,
  type Stat,
} from "../vfs/filesystem.ts";
import { applyAttrChanges } from "../vfs/filesystem.ts";
import { copyUp } from "./copy-up.ts";
import { create, link, mkdir, rename, rmdir, symlink, unlink } from "./dir.ts";
import { lookup, lookupOrNull } from "./namei.ts";
import { readdir } from "./readdir.ts";
import type { Store } from "../store/store.ts";
import { UpperLayer, type UpperOptions } from "./upper.ts";
import { ROOT_INO, type BaseData } from "./upper-format.ts";

/** An object of a lower layer: the layer's slot (its position in `lowers`, top first) and its inode there. */
export interface LowerRef {
  slot: number;
  ino: number;
}

/**
 * What the overlay knows of an inode it has looked up. Its number is the
 * overlay's: a lower object's number is derived from its layer and inode,
 * and copy-up keeps it, so an inode number never changes while the
 * container runs (Linux's xino, without its limits).
 */
export interface OverlayNode {
  ino: number;
  /** The directory and name it was last found under: where copy-up puts it. */
  parent: number;
  name: string;
  /**
   * Directories: the lower directories merged below it, top first (none if
   * it is opaque). Others: the lower object, if there is one.
   */
  lowerRefs: LowerRef[];
  /** Directories: the path of those lower directories (what a redirect names). */
  lowerPath: string;
}

/**
 * Lower objects are numbered from here: the layer's place counted from the
 * bottom (1 for the lowest) × 2^32 + inode in the layer.
 */
export const LAYER_SPAN = 2 ** 32;

/**
 * The merged view of one writable upper layer over read-only lower layers,
 * as Linux overlayfs gives it (Documentation/filesystems/overlayfs.rst),
 * and the filesystem a container's processes see.
 *
 * The work is split as in Linux's fs/overlayfs: `namei.ts` looks names
 * up across the layers, `readdir.ts` lists merged directories, `copy-up.ts`
 * brings a lower object into the upper layer on its first change, and
 * `dir.ts` creates, removes and renames names, leaving whiteouts and opaque
 * directories. This class holds the layers and the inodes looked up, and
 * answers for single inodes.
 *
 * Better than Linux: renaming a lower or merged directory works (a
 * redirect, never EXDEV); inode numbers survive copy-up; a copied-up file's
 * other hard links follow it; a file open before its copy-up sees the
 * copied-up data.
 *
 * Errors as Filesystem says; a read of data not yet loaded from the store
 * throws WouldBlock (see UpperLayer).
 */
export class OverlayFilesystem implements Filesystem {
  readonly root = ROOT_INO;
  /** Linux's OVERLAYFS_SUPER_MAGIC. */
  readonly kind = { name: "overlay", magic: 0x794c7630 };
  readonly nodes = new Map<number, OverlayNode>();
  /** The lower layers' roots, merged. */
  readonly lowerRoots: LowerRef[] = [];

  constructor(
    readonly upper: UpperLayer,
    /** Read-only layers, top first. */
    readonly lowers: readonly LayerFilesystem[],
  ) {
    for (let slot = 0; slot < lowers.length; slot++) {
      const fs = lowers[slot]!;
      this.lowerRoots.push({ slot, ino: fs.root });
      if (fs.isOpaque(fs.root)) break;
    }
    const root = upper.get(ROOT_INO);
    this.nodes.set(ROOT_INO, {
      ino: ROOT_INO,
      parent: ROOT_INO,
      name: "",
      lowerRefs: root?.opaque ? [] : this.lowerRoots,
      lowerPath: "",
    });
  }

  /**
   * Opens the container layer kept in `store` over `lowers` (top first).
   * Reads the upper layer's metadata; file data is loaded when read.
   */
  static async open(
    store: Store,
    lowers: readonly LayerFilesystem[],
    options: UpperOptions = {},
  ): Promise<OverlayFilesystem> {
    const byDigest = new Map(lowers.map((fs) => [fs.digest, fs]));
    const readBase = (base: BaseData, start: number, end: number): Uint8Array => {
      const fs = byDigest.get(base.digest);
      const ino = fs?.inodeAt(base.path);
      if (!fs || ino === null || ino === undefined) {
        fail("EIO", `the base of a copied-up file is missing: ${base.digest} ${base.path}`);
      }
      return fs.read(ino, start, end - start);
    };
    const top = lowers[0];
    const rootFrom = top ? top.stat(top.root) : { mode: 0o755, uid: 0, gid: 0 };
    const upper = await UpperLayer.open(store, readBase, rootFrom, options);
    return new OverlayFilesystem(upper, lowers);
  }

  /** The overlay inode number of a lower object. */
  inoOf(ref: LowerRef): number {
    return (this.lowers.length - ref.slot) * LAYER_SPAN + ref.ino;
  }

  /** The lower object an inode number was derived from, or null for one born in the upper layer. */
  lowerOf(ino: number): LowerRef | null {
    const fromBottom = Math.floor(ino / LAYER_SPAN);
    if (fromBottom === 0) return null;
    return { slot: this.lowers.length - fromBottom, ino: ino % LAYER_SPAN };
  }

  /** A node looked up before; ENOENT for a number never handed out. */
  node(ino: number): OverlayNode {
    const n = this.nodes.get(ino);
    if (!n) fail("ENOENT", `inode ${ino}`);
    return n;
  }

  /** Records where an inode was found and what lies below it. */
  remember(ino: number, parent: number, name: string, lowerRefs: LowerRef[], lowerPath: string) {
    const known = this.nodes.get(ino);
    if (known) {
      known.parent = parent;
      known.name = name;
      known.lowerRefs = lowerRefs;
      known.lowerPath = lowerPath;
    } else this.nodes.set(ino, { ino, parent, name, lowerRefs, lowerPath });
    return ino;
  }

  /** Measured by a walk of the merged tree, as df sees it. */
  statfs(_ino: number, disk: number): FsStats {
    return measuredStatfs(this, disk);
  }

  stat(ino: number): Stat {
    const up = this.upper.get(ino);
    const node = this.node(ino);
    if (up) {
      return {
        ino,
        type: up.type,
        mode: up.mode,
        // A merged directory's link count is unknown; Linux says 1, and so does find.
        nlink: up.type === "directory" && node.lowerRefs.length > 0 ? 1 : up.nlink,
        uid: up.uid,
        gid: up.gid,
        size: reportedSize(up.type, up.target, up.size),
        rdev: up.rdev,
        atime: up.atime,
        mtime: up.mtime,
        ctime: up.ctime,
      };
    }
    const lower = node.lowerRefs[0];
    if (!lower) fail("ENOENT", `inode ${ino}`);
    const st = this.lowers[lower.slot]!.stat(lower.ino);
    st.ino = ino;
    if (st.type === "directory" && node.lowerRefs.length > 1) st.nlink = 1;
    return st;
  }

  typeOf(ino: number): FileType {
    const up = this.upper.get(ino);
    if (up) return up.type;
    const lower = this.node(ino).lowerRefs[0];
    if (!lower) fail("ENOENT", `inode ${ino}`);
    return this.lowers[lower.slot]!.typeOf(lower.ino);
  }

  lookup(dir: number, name: string): number {
    return lookup(this, dir, name);
  }

  lookupOrNull(dir: number, name: string): number | null {
    return lookupOrNull(this, dir, name);
  }

  readdir(dir: number): DirEntry[] {
    return readdir(this, dir);
  }

  read(ino: number, offset: number, length: number): Uint8Array {
    const up = this.upper.get(ino);
    if ((up?.type ?? this.typeOf(ino)) === "directory") fail("EISDIR");
    if (up) return this.upper.read(up, offset, length);
    const lower = this.node(ino).lowerRefs[0]!;
    return this.lowers[lower.slot]!.read(lower.ino, offset, length);
  }

  /** A lower file's, while it is not copied up: its layer's (LayerFilesystem.contentId). */
  contentId(ino: number): string | null {
    if (this.upper.get(ino)) return null;
    const lower = this.nodes.get(ino)?.lowerRefs[0];
    if (!lower) return null;
    return this.lowers[lower.slot]!.contentId(lower.ino);
  }

  readlink(ino: number): string {
    const up = this.upper.get(ino);
    if (up) {
      if (up.type !== "symlink") fail("EINVAL");
      return up.target;
    }
    const lower = this.node(ino).lowerRefs[0];
    if (!lower) fail("ENOENT");
    return this.lowers[lower.slot]!.readlink(lower.ino);
  }

  create(dir: number, name: string, node: NewNode): number {
    return create(this, dir, name, node);
  }

  mkdir(dir: number, name: string, mode: number, owner: Owner): number {
    return mkdir(this, dir, name, mode, owner);
  }

  symlink(dir: number, name: string, target: string, owner: Owner): number {
    return symlink(this, dir, name, target, owner);
  }

  link(dir: number, name: string, ino: number): void {
    link(this, dir, name, ino);
  }

  unlink(dir: number, name: string): void {
    unlink(this, dir, name);
  }

  rmdir(dir: number, name: string): void {
    rmdir(this, dir, name);
  }

  rename(fromDir: number, fromName: string, toDir: number, toName: string): void {
    rename(this, fromDir, fromName, toDir, toName);
  }

  write(ino: number, offset: number, data: Uint8Array): number {
    this.regularFile(ino);
    return this.upper.write(copyUp(this, ino), offset, data);
  }

  truncate(ino: number, size: number): void {
    this.regularFile(ino);
    this.upper.truncate(copyUp(this, ino), size);
  }

  setattr(ino: number, changes: AttrChanges): void {
    const up = copyUp(this, ino);
    applyAttrChanges(up, changes);
    this.upper.changed(up);
  }

  fsync(_ino: number): void {
    this.upper.fsync();
  }

  retain(ino: number): void {
    this.upper.retain(ino);
  }

  release(ino: number): void {
    this.upper.release(ino);
  }

  private regularFile(ino: number): void {
    const type = this.typeOf(ino);
    if (type === "directory") fail("EISDIR");
    if (type !== "file") fail("EINVAL");
  }
}
