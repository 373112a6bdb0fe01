import { fail } from "../errno.ts";
import type { DirEntry } from "../vfs/filesystem.ts";
import { lookup } from "./namei.ts";
import type { LowerRef, OverlayFilesystem } from "./overlay.ts";
import { WHITEOUT } from "./upper-format.ts";

/**
 * The merged listing of a directory (Linux: fs/overlayfs/readdir.c): the
 * upper directory's names first, then each lower directory's, top first;
 * each name once; names whited out in a higher layer, and the whiteouts
 * themselves, left out. `.` and `..` are the open file's business
 * (kernel/open-file.ts), which also keeps cookies stable while the
 * directory changes.
 */
export function readdir(ov: OverlayFilesystem, dir: number): DirEntry[] {
  return mergedNames(ov, dir).map((name) => {
    const ino = lookup(ov, dir, name);
    return { name, ino, type: ov.typeOf(ino) };
  });
}

/** A merged directory is empty when every lower name in it is whited out. */
export function isEmpty(ov: OverlayFilesystem, dir: number): boolean {
  return mergedNames(ov, dir).length === 0;
}

function mergedNames(ov: OverlayFilesystem, dir: number): string[] {
  if (ov.typeOf(dir) !== "directory") fail("ENOTDIR");
  const seen = new Set<string>();
  const names: string[] = [];
  for (const [name, ino] of ov.upper.get(dir)?.entries ?? []) {
    seen.add(name);
    if (ino !== WHITEOUT) names.push(name);
  }
  names.push(...lowerNames(ov, ov.node(dir).lowerRefs, seen));
  return names;
}

/**
 * The names merged lower directories list (top first), each once, without
 * whiteouts and without the names in `seen` (which it adds to).
 */
export function lowerNames(
  ov: OverlayFilesystem,
  dirs: readonly LowerRef[],
  seen = new Set<string>(),
): string[] {
  const names: string[] = [];
  for (const ref of dirs) {
    const fs = ov.lowers[ref.slot]!;
    for (const e of fs.readdir(ref.ino)) {
      if (seen.has(e.name)) continue;
      seen.add(e.name);
      if (!fs.isWhiteout(e.ino)) names.push(e.name);
    }
  }
  return names;
}
