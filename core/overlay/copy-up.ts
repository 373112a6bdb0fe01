import { fail } from "../errno.ts";
import { now } from "../vfs/filesystem.ts";
import { lowerLookup } from "./namei.ts";
import type { OverlayFilesystem } from "./overlay.ts";
import { blankInode } from "./upper.ts";
import { ROOT_INO, type UpperInode } from "./upper-format.ts";

/**
 * Copy-up (Linux: fs/overlayfs/copy_up.c): the upper inode of an object,
 * made from its lower object on the first change to it.
 *
 * Parents are copied up first, so the object can be named in its upper
 * directory. Only metadata is copied: a file's bytes stay in its lower
 * layer as the base of the upper file, and only the chunks later written
 * are stored (UpperLayer). A directory is copied without its entries: it
 * goes on merging with the lower directories below it. The inode number is
 * kept, so open files, hard links and `ls -i` see one object throughout.
 */
export function copyUp(ov: OverlayFilesystem, ino: number): UpperInode {
  const existing = ov.upper.get(ino);
  if (existing) return existing;
  const node = ov.node(ino);
  const lower = node.lowerRefs[0];
  if (!lower) fail("EIO", `inode ${ino} is in no layer`);
  const fs = ov.lowers[lower.slot]!;
  const st = fs.stat(lower.ino);
  const parent = copyUp(ov, node.parent);
  const inode: UpperInode = {
    ...blankInode(ino, st.type),
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    nlink: st.nlink,
    atime: st.atime,
    mtime: st.mtime,
    ctime: now(),
  };
  if (st.type === "file") {
    inode.size = st.size;
    inode.base = { digest: fs.digest, path: fs.pathOf(lower.ino), length: st.size };
  }
  if (st.type === "symlink") inode.target = fs.readlink(lower.ino);
  // Its name still leads to this lower object unless it was removed or
  // replaced meanwhile (a file written after its unlink, through an open fd).
  const named = lowerLookup(ov, ov.node(node.parent).lowerRefs, node.name)?.refs[0];
  const here =
    node.ino !== ROOT_INO &&
    parent.entries!.get(node.name) === undefined &&
    named?.slot === lower.slot &&
    named.ino === lower.ino;
  if (!here && st.type !== "directory") inode.nlink = 0;
  ov.upper.add(inode);
  if (here) ov.upper.placeEntry(parent, node.name, ino);
  return inode;
}
