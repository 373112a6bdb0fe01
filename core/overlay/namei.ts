import { fail } from "../errno.ts";
import type { FileType } from "../vfs/filesystem.ts";
import type { LowerRef, OverlayFilesystem } from "./overlay.ts";
import { WHITEOUT } from "./upper-format.ts";

/**
 * Lookup across the layers (Linux: fs/overlayfs/namei.c).
 *
 * A name is looked up in the upper directory, then in each merged lower
 * directory, top first. A whiteout stops the search (ENOENT). A
 * non-directory hides whatever the layers below hold under that name. A
 * directory merges with the directories of the same name below it, down to
 * the first opaque one or the first non-directory or whiteout. An upper
 * directory that is opaque merges with nothing; one with a redirect merges
 * with the lower directories at the redirect's path instead of its own.
 */
export function lookup(ov: OverlayFilesystem, dir: number, name: string): number {
  const ino = lookupOrNull(ov, dir, name);
  if (ino === null) fail("ENOENT", name);
  return ino;
}

/**
 * A lookup that answers null for a missing name (none in any layer, or a
 * whiteout) instead of ENOENT. Creating a name asks this of every new name,
 * so it throws nothing on the way: a thrown and caught ErrnoError cost
 * several microseconds, a large part of a file's creation.
 */
export function lookupOrNull(ov: OverlayFilesystem, dir: number, name: string): number | null {
  const node = ov.node(dir);
  if (ov.typeOf(dir) !== "directory") fail("ENOTDIR");
  if (name === "." || name === "") return dir;
  if (name === "..") return node.parent;
  const up = ov.upper.get(dir);
  const entry = up?.entries?.get(name);
  if (entry === WHITEOUT) return null;
  const lowerPath = joinPath(node.lowerPath, name);
  if (entry !== undefined) {
    const child = ov.upper.get(entry)!;
    if (child.type !== "directory") {
      // A copied-up file answers from the upper layer alone.
      return ov.remember(entry, dir, name, [], "");
    }
    if (child.opaque) return ov.remember(entry, dir, name, [], lowerPath);
    if (child.redirect !== null) {
      return ov.remember(entry, dir, name, lowerDirsAt(ov, child.redirect), child.redirect);
    }
    const below = lowerLookup(ov, node.lowerRefs, name);
    const lowerRefs = below?.type === "directory" ? below.refs : [];
    return ov.remember(entry, dir, name, lowerRefs, lowerPath);
  }
  const found = lowerLookup(ov, node.lowerRefs, name);
  if (!found) return null;
  const top = found.refs[0]!;
  const refs = found.type === "directory" ? found.refs : [top];
  return ov.remember(ov.inoOf(top), dir, name, refs, lowerPath);
}

export interface LowerFound {
  type: FileType;
  /** The object found first, then (directories) those it merges with below. */
  refs: LowerRef[];
}

/**
 * `name` in merged lower directories `dirs` (top first): null if no layer
 * has it or the first that mentions it holds a whiteout.
 */
export function lowerLookup(
  ov: OverlayFilesystem,
  dirs: readonly LowerRef[],
  name: string,
): LowerFound | null {
  for (let k = 0; k < dirs.length; k++) {
    const d = dirs[k]!;
    const fs = ov.lowers[d.slot]!;
    const ino = fs.entryOrNull(d.ino, name);
    if (ino === null) continue;
    if (fs.isWhiteout(ino)) return null;
    const type = fs.typeOf(ino);
    const refs = [{ slot: d.slot, ino }];
    if (type !== "directory" || fs.isOpaque(ino)) return { type, refs };
    for (const below of dirs.slice(k + 1)) {
      const bfs = ov.lowers[below.slot]!;
      const b = bfs.entryOrNull(below.ino, name);
      if (b === null) continue;
      if (bfs.isWhiteout(b) || bfs.typeOf(b) !== "directory") break;
      refs.push({ slot: below.slot, ino: b });
      if (bfs.isOpaque(b)) break;
    }
    return { type, refs };
  }
  return null;
}

/** The merged lower directories at a path of the lower layers ("" is the root). */
export function lowerDirsAt(ov: OverlayFilesystem, path: string): LowerRef[] {
  let dirs = ov.lowerRoots;
  for (const name of path.split("/").filter(Boolean)) {
    const found = lowerLookup(ov, dirs, name);
    if (found?.type !== "directory") return [];
    dirs = found.refs;
  }
  return dirs;
}

export function joinPath(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}
