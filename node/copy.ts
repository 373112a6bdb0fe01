/**
 * The host's half of `overbox cp` (core/container/copy.ts is the
 * container's): a file or tree on the host's disk read as a CopyItem, or
 * written from one, with modes and mtimes kept.
 *
 * Writing never goes through a symlink it finds below the destination: a
 * file or link replaces one, and a directory that would have to be written
 * through one is refused. So a container whose tree holds a link to
 * /etc cannot make a copy write there. Entry paths that are absolute or
 * hold `.` or `..` are refused too.
 */
import { constants } from "node:fs";
import {
  chmod,
  link,
  lstat,
  mkdir,
  readFile,
  readlink,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { basename } from "node:path";
import { asksForContents, type CopyItem, type DestKind } from "../core/container/copy.ts";
import type { PackEntry } from "../core/image/layer.ts";
import { packDirectory } from "./pack.ts";

export class CopyError extends Error {}

/** The item at `path` on the host: a symlink is copied as the link, unless the path ends with `/` or `/.`. */
export async function readHostItem(path: string): Promise<CopyItem> {
  const follow = path.endsWith("/") || asksForContents(path);
  const st = await (follow ? stat(path) : lstat(path)).catch(() => {
    throw new CopyError(`${path}: no such file or directory`);
  });
  const name = basename(path.replace(/\/\.?$/, "")) || "root";
  const base = {
    path: name,
    mode: st.mode & 0o7777,
    uid: 0,
    gid: 0,
    mtime: Math.floor(st.mtimeMs / 1000),
  };
  let top: PackEntry;
  if (st.isDirectory()) top = { ...base, type: "directory" };
  else if (st.isSymbolicLink()) top = { ...base, type: "symlink", target: await readlink(path) };
  else if (st.isFile()) top = { ...base, type: "file", data: new Uint8Array(await readFile(path)) };
  else throw new CopyError(`${path}: not a file, a directory or a symlink`);
  const below = st.isDirectory() ? await packDirectory(path) : [];
  return { top, below };
}

/** What is at `path` on the host (symlinks followed, as a copy into it would). */
export async function hostDestKind(path: string): Promise<DestKind> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "other";
  } catch {
    return "missing";
  }
}

/** Writes `item` at `target` on the host and below it. The parent of `target` must exist. */
export async function writeHostItem(target: string, item: CopyItem): Promise<void> {
  const at = (rel: string) => (rel === "" ? target : `${target}/${rel}`);
  const dirs: Array<{ path: string; mode: number; mtime: number }> = [];
  for (const entry of [{ ...item.top, path: "" }, ...item.below]) {
    if (entry.path !== "") checkPath(entry.path);
    const path = at(entry.path);
    const there = await lstat(path).catch(() => null);
    if (entry.type === "directory") {
      if (there?.isSymbolicLink())
        throw new CopyError(`${path}: refusing to write through a symlink`);
      if (there && !there.isDirectory()) await unlink(path);
      if (!there?.isDirectory()) await mkdir(path, { mode: 0o700 });
      dirs.push({ path, mode: entry.mode, mtime: entry.mtime });
      continue;
    }
    if (there?.isDirectory()) throw new CopyError(`${path}: a directory is there`);
    if (there) await unlink(path);
    switch (entry.type) {
      case "file":
        // O_EXCL|O_NOFOLLOW: nothing may have been put there meanwhile.
        await writeFile(path, entry.data ?? new Uint8Array(0), {
          flag: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          mode: 0o600,
        });
        await chmod(path, entry.mode & 0o7777);
        await utimes(path, entry.mtime, entry.mtime);
        break;
      case "symlink":
        await symlink(entry.target!, path);
        break;
      case "hardlink":
        checkPath(entry.target!);
        await link(at(entry.target!), path);
        break;
      default:
        throw new CopyError(`${path}: a ${entry.type}, which cp does not make on the host`);
    }
  }
  // Last, and deepest first: writing into a directory changes its mtime.
  for (const { path, mode, mtime } of dirs.reverse()) {
    await chmod(path, mode & 0o7777);
    await utimes(path, mtime, mtime);
  }
}

function checkPath(path: string): void {
  const parts = path.split("/");
  if (
    path.startsWith("/") ||
    parts.some((p) => p === "" || p === "." || p === "..") ||
    path.includes("\0")
  ) {
    throw new CopyError(
      `refusing the path ${JSON.stringify(path)}: it would leave the destination`,
    );
  }
}
