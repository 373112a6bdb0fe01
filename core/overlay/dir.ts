import { fail } from "../errno.ts";
import { checkName, now, type NewNode, type Owner } from "../vfs/filesystem.ts";
import { copyUp } from "./copy-up.ts";
import { lookup, lookupOrNull, lowerLookup } from "./namei.ts";
import type { OverlayFilesystem } from "./overlay.ts";
import { isEmpty } from "./readdir.ts";
import { blankInode } from "./upper.ts";
import { ROOT_INO, WHITEOUT, type UpperInode } from "./upper-format.ts";

/**
 * Creating, removing and renaming names (Linux: fs/overlayfs/dir.c).
 *
 * Every change happens in the upper layer, after copy-up of the directories
 * involved. Removing a name that a lower layer also has leaves a whiteout;
 * removing an upper-only name just removes it. A directory made or moved
 * where a lower layer has the name is opaque, so the lower one's entries
 * do not show through; a lower or merged directory that moves keeps its
 * lower entries with a redirect to where they are.
 */

export function create(ov: OverlayFilesystem, dir: number, name: string, node: NewNode): number {
  const d = freeName(ov, dir, name);
  const inode = blankInode(ov.upper.allocate(), node.type);
  Object.assign(inode, { mode: node.mode & 0o7777, uid: node.uid, gid: node.gid });
  inode.rdev = node.rdev ?? 0;
  return place(ov, d, dir, name, inode);
}

export function mkdir(
  ov: OverlayFilesystem,
  dir: number,
  name: string,
  mode: number,
  owner: Owner,
): number {
  const d = freeName(ov, dir, name);
  const inode = blankInode(ov.upper.allocate(), "directory");
  Object.assign(inode, { mode: mode & 0o7777, ...owner, nlink: 2 });
  // Over a whiteout: the deleted lower directory's entries must stay deleted.
  inode.opaque = lowerLookup(ov, ov.node(dir).lowerRefs, name) !== null;
  d.nlink++;
  return place(ov, d, dir, name, inode);
}

export function symlink(
  ov: OverlayFilesystem,
  dir: number,
  name: string,
  target: string,
  owner: Owner,
): number {
  const d = freeName(ov, dir, name);
  const inode = blankInode(ov.upper.allocate(), "symlink");
  Object.assign(inode, { mode: 0o777, ...owner, target });
  return place(ov, d, dir, name, inode);
}

export function link(ov: OverlayFilesystem, dir: number, name: string, ino: number): void {
  if (ov.typeOf(ino) === "directory") fail("EPERM", "hard link to a directory");
  const d = freeName(ov, dir, name);
  const inode = copyUp(ov, ino);
  inode.nlink++;
  inode.ctime = now();
  ov.upper.changed(inode);
  ov.upper.setEntry(d, name, ino);
}

export function unlink(ov: OverlayFilesystem, dir: number, name: string): void {
  const ino = lookup(ov, dir, name);
  if (ov.typeOf(ino) === "directory") fail("EISDIR", name);
  removeName(ov, dir, name, ino);
}

export function rmdir(ov: OverlayFilesystem, dir: number, name: string): void {
  if (name === ".") fail("EINVAL");
  if (name === "..") fail("ENOTEMPTY");
  const ino = lookup(ov, dir, name);
  if (ov.typeOf(ino) !== "directory") fail("ENOTDIR", name);
  if (ino === ROOT_INO) fail("EBUSY");
  if (!isEmpty(ov, ino)) fail("ENOTEMPTY", name);
  subdirectoryGone(removeName(ov, dir, name, ino));
}

export function rename(
  ov: OverlayFilesystem,
  fromDir: number,
  fromName: string,
  toDir: number,
  toName: string,
): void {
  for (const n of [fromName, toName]) if (n === "." || n === ".." || n === "") fail("EBUSY");
  checkName(toName);
  const ino = lookup(ov, fromDir, fromName);
  const type = ov.typeOf(ino);
  if (ov.typeOf(toDir) !== "directory") fail("ENOTDIR");
  const existing = lookupOrNull(ov, toDir, toName);
  if (existing === ino) return; // the same inode: POSIX says do nothing
  if (type === "directory") {
    // A directory may not move into its own subtree.
    for (let a = toDir; ; a = ov.node(a).parent) {
      if (a === ino) fail("EINVAL", "rename of a directory into itself");
      if (a === ROOT_INO) break;
    }
  }
  if (existing !== null) {
    const other = ov.typeOf(existing);
    if (type === "directory") {
      if (other !== "directory") fail("ENOTDIR", toName);
      if (!isEmpty(ov, existing)) fail("ENOTEMPTY", toName);
    } else if (other === "directory") {
      fail("EISDIR", toName);
    }
  }
  const node = ov.node(ino);
  const moving = copyUp(ov, ino);
  const from = copyUp(ov, fromDir);
  const to = copyUp(ov, toDir);
  if (to.nlink === 0) fail("ENOENT", "directory was removed");
  if (existing !== null) {
    const replaced = losingName(ov, existing);
    if (replaced) ov.upper.unlinked(replaced);
    if (type === "directory") subdirectoryGone(to);
  }
  if (type === "directory") {
    if (!moving.opaque && moving.redirect === null) {
      // Its lower entries come along: say where they are, as they are no
      // longer under its new name. One with none must hide what is there.
      if (node.lowerRefs.length > 0) moving.redirect = node.lowerPath;
      else moving.opaque = lowerLookup(ov, ov.node(toDir).lowerRefs, toName) !== null;
    }
    if (from !== to) {
      subdirectoryGone(from);
      to.nlink++;
    }
  }
  moving.ctime = now();
  ov.upper.changed(moving);
  ov.upper.setEntry(to, toName, ino);
  leaveName(ov, from, fromDir, fromName);
  if (type === "directory") ov.remember(ino, toDir, toName, node.lowerRefs, node.lowerPath);
  else ov.remember(ino, toDir, toName, node.lowerRefs, "");
}

/**
 * A directory's link count after one of its subdirectories goes. The count
 * does not follow what the lower layers merge in (the root starts at 2, a
 * copied-up directory at its top lower directory's count), so it may be low
 * for a merged directory, whose stat says 1 anyway; it stays at 2 at least,
 * as 0 means removed (and an upper inode with no link is dropped at open).
 */
function subdirectoryGone(d: UpperInode): void {
  d.nlink = Math.max(2, d.nlink - 1);
}

/** The upper directory in which `name` may be made; EEXIST if it is taken. */
function freeName(ov: OverlayFilesystem, dir: number, name: string): UpperInode {
  checkName(name);
  if (name === "." || name === ".." || lookupOrNull(ov, dir, name) !== null) fail("EEXIST", name);
  const d = copyUp(ov, dir);
  if (d.nlink === 0) fail("ENOENT", "directory was removed");
  return d;
}

function place(
  ov: OverlayFilesystem,
  d: UpperInode,
  dir: number,
  name: string,
  inode: UpperInode,
): number {
  ov.upper.add(inode);
  ov.upper.setEntry(d, name, inode.ino);
  return ov.remember(inode.ino, dir, name, [], "");
}

/** Removes a name and takes one link from its inode; returns the upper directory. */
function removeName(ov: OverlayFilesystem, dir: number, name: string, ino: number): UpperInode {
  const d = copyUp(ov, dir);
  const inode = losingName(ov, ino);
  leaveName(ov, d, dir, name);
  if (inode) ov.upper.unlinked(inode);
  return d;
}

/**
 * The upper inode of an object about to lose the name it was last looked
 * up by, if it has one. A lower file with other names is copied up first,
 * so that they count one link fewer (Linux: ovl_nlink_start, with index=on).
 */
function losingName(ov: OverlayFilesystem, ino: number): UpperInode | undefined {
  const st = ov.stat(ino);
  if (st.type !== "directory" && st.nlink > 1) return copyUp(ov, ino);
  return ov.upper.get(ino);
}

/** After a name goes: a whiteout if a lower layer still has it, else nothing. */
function leaveName(ov: OverlayFilesystem, d: UpperInode, dir: number, name: string): void {
  if (lowerLookup(ov, ov.node(dir).lowerRefs, name) !== null) ov.upper.setEntry(d, name, WHITEOUT);
  else ov.upper.deleteEntry(d, name);
}
