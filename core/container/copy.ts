/**
 * `overbox cp`, Docker's: a file or a directory tree copied between the
 * host and a container, either way, with modes and mtimes kept. This is
 * the container's half and the rule both halves follow (where the copy
 * goes); node/copy.ts is the host's half.
 */
import { ErrnoError, fail } from "../errno.ts";
import type { PackEntry } from "../image/layer.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { resolve } from "../vfs/resolve.ts";
import { retrying } from "../vfs/would-block.ts";
import { entryOf, subtreeEntries } from "./export.ts";

/**
 * What is copied: the file or directory SRC names (`top`, its path its
 * base name) and, for a directory, every entry below it, with paths
 * relative to it, parents first. Hard links point at paths relative to
 * SRC too.
 */
export interface CopyItem {
  top: PackEntry;
  below: PackEntry[];
}

/** What is at DEST before the copy. */
export type DestKind = "missing" | "directory" | "other";

/**
 * Where a copy of `item` goes, by Docker's rules: into DEST if DEST is a
 * directory (as DEST/NAME; a SRC ending in `/.` puts a directory's
 * contents in DEST itself), else at DEST: the path to write the item's
 * top entry at.
 */
export function copyTarget(
  item: CopyItem,
  dest: string,
  kind: DestKind,
  contentsOnly: boolean,
): string {
  const isDir = item.top.type === "directory";
  if (kind === "directory") {
    return contentsOnly && isDir ? dest : `${dest.replace(/\/+$/, "")}/${item.top.path}`;
  }
  if (kind === "other" && isDir) fail("ENOTDIR", `${dest}: cannot copy a directory onto a file`);
  if (kind === "missing" && !isDir && dest.endsWith("/"))
    fail("ENOENT", `${dest}: no such directory`);
  return dest.replace(/(.)\/+$/, "$1");
}

/** Whether SRC asks for a directory's contents (`DIR/.`), as Docker's cp does. */
export function asksForContents(src: string): boolean {
  return /(^|\/)\.$/.test(src);
}

/**
 * The item at `path` in `fs` (absolute). A symlink is copied as the link,
 * unless the path ends with `/` or `/.`.
 */
export async function readItem(fs: Filesystem, path: string): Promise<CopyItem> {
  const follow = path.endsWith("/") || asksForContents(path);
  const r = resolve(fs, fs.root, path, { follow });
  if (r.ino === null) fail("ENOENT", `${path}: no such file or directory`);
  const name = r.name === "" || r.name === "." ? baseName(path) : r.name;
  const top = await entryOf(fs, r.ino, name, new Map());
  const below = top.type === "directory" ? await subtreeEntries(fs, r.ino) : [];
  return { top, below };
}

/** What is at absolute `path` in `fs` (symlinks followed, as a copy into it would). */
export function destKind(fs: Filesystem, path: string): DestKind {
  let r;
  try {
    r = resolve(fs, fs.root, path, { follow: true });
  } catch (e) {
    // A directory on the way is missing: so is DEST (the copy says which).
    if (e instanceof ErrnoError && (e.errno === "ENOENT" || e.errno === "ENOTDIR"))
      return "missing";
    throw e;
  }
  if (r.ino === null) return "missing";
  return fs.typeOf(r.ino) === "directory" ? "directory" : "other";
}

/**
 * Writes `item` at absolute `target` in `fs` and below it, owned by root:
 * directories made or kept, files, links and devices made or replaced,
 * each with its mode and mtime. The parent of `target` must exist.
 */
export async function writeItem(fs: Filesystem, target: string, item: CopyItem): Promise<void> {
  const made = new Map<string, number>();
  const dirs: Array<{ ino: number; mode: number; mtime: number }> = [];
  const at = (rel: string) => (rel === "" ? target : `${target}/${rel}`);
  const parent = target.slice(0, target.lastIndexOf("/")) || "/";
  if (destKind(fs, parent) !== "directory") fail("ENOENT", `${parent}: no such directory`);
  for (const entry of [{ ...item.top, path: "" }, ...item.below]) {
    const r = resolve(fs, fs.root, at(entry.path), { follow: false });
    const owner = { uid: 0, gid: 0 };
    let ino = r.ino;
    if (ino !== null && entry.type === "directory" && fs.typeOf(ino) !== "directory") {
      await retrying(() => fs.unlink(r.dir, r.name));
      ino = null;
    }
    if (ino !== null && entry.type !== "directory") {
      if (fs.typeOf(ino) === "directory") fail("EISDIR", `${at(entry.path)}: a directory is there`);
      await retrying(() => fs.unlink(r.dir, r.name));
      ino = null;
    }
    switch (entry.type) {
      case "directory":
        ino ??= await retrying(() => fs.mkdir(r.dir, r.name, entry.mode, owner));
        dirs.push({ ino, mode: entry.mode, mtime: entry.mtime });
        break;
      case "symlink":
        ino = await retrying(() => fs.symlink(r.dir, r.name, entry.target!, owner));
        break;
      case "hardlink": {
        const first = made.get(entry.target!);
        if (first === undefined)
          fail("EINVAL", `${entry.path}: links to ${entry.target!}, not copied`);
        await retrying(() => fs.link(r.dir, r.name, first));
        continue;
      }
      case "file": {
        const file = await retrying(() =>
          fs.create(r.dir, r.name, { type: "file", mode: entry.mode, ...owner }),
        );
        const data = entry.data ?? new Uint8Array(0);
        for (let done = 0; done < data.length;) {
          const from = done;
          done += await retrying(() => fs.write(file, from, data.subarray(from)));
        }
        ino = file;
        break;
      }
      case "fifo":
      case "chardev":
      case "blockdev":
        ino = await retrying(() =>
          fs.create(r.dir, r.name, {
            type: entry.type as "fifo",
            mode: entry.mode,
            ...owner,
            rdev: entry.rdev ?? 0,
          }),
        );
        break;
      case "whiteout":
        continue;
    }
    made.set(entry.path, ino);
    if (entry.type !== "directory" && entry.type !== "symlink") {
      await retrying(() => fs.setattr(ino, { mode: entry.mode, mtime: seconds(entry.mtime) }));
    }
  }
  // Last, and deepest first: writing into a directory changes its mtime.
  for (const { ino, mode, mtime } of dirs.reverse()) {
    await retrying(() => fs.setattr(ino, { mode, mtime: seconds(mtime) }));
  }
}

const seconds = (s: number) => BigInt(s) * 1_000_000_000n;

function baseName(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return parts[parts.length - 1] ?? "";
}
