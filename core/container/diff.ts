import { lowerLookup, type LowerFound } from "../overlay/namei.ts";
import type { LowerRef, OverlayFilesystem } from "../overlay/overlay.ts";
import { lowerNames } from "../overlay/readdir.ts";

/** One line of `docker diff`: Added, Changed or Deleted, and the absolute path. */
export interface Change {
  kind: "A" | "C" | "D";
  path: string;
}

/**
 * What a container changed in its image, as `docker diff` lists it: a path
 * the image does not have is A (and so is everything under it); a path the
 * image has and the container no longer does is D (its contents are not
 * listed); a path in both whose object was copied up or replaced is C,
 * which includes every directory in which something changed. Sorted by
 * path.
 *
 * Only directories in the upper layer are walked: below a directory the
 * container never changed, nothing changed. (The one blind spot: a lower
 * file hard-linked from two directories and written through one name
 * shows as changed under that name only.)
 */
export function diff(ov: OverlayFilesystem): Change[] {
  const changes: Change[] = [];
  const added = (dir: number, path: string) => {
    for (const { name, ino } of ov.readdir(dir)) {
      const child = `${path}/${name}`;
      changes.push({ kind: "A", path: child });
      if (ov.typeOf(ino) === "directory") added(ino, child);
    }
  };
  const walk = (dir: number, path: string, image: readonly LowerRef[]) => {
    const names = new Set(ov.readdir(dir).map((e) => e.name));
    for (const name of lowerNames(ov, image)) {
      if (!names.has(name)) changes.push({ kind: "D", path: `${path}/${name}` });
    }
    for (const name of names) {
      const ino = ov.lookup(dir, name);
      const child = `${path}/${name}`;
      const before: LowerFound | null = lowerLookup(ov, image, name);
      const isDir = ov.typeOf(ino) === "directory";
      if (!before) {
        changes.push({ kind: "A", path: child });
        if (isDir) added(ino, child);
        continue;
      }
      // The image's own object, never changed: nothing below it changed either.
      const mine = ov.node(ino).lowerRefs[0];
      const theirs = before.refs[0]!;
      const same = mine !== undefined && mine.slot === theirs.slot && mine.ino === theirs.ino;
      if (same && !ov.upper.get(ino)) continue;
      changes.push({ kind: "C", path: child });
      if (!isDir) continue;
      if (before.type === "directory") walk(ino, child, before.refs);
      else added(ino, child);
    }
  };
  walk(ov.root, "", ov.lowerRoots);
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
