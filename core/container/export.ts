import { inLayerOrder, type PackEntry } from "../image/layer.ts";
import { lowerLookup } from "../overlay/namei.ts";
import type { OverlayFilesystem } from "../overlay/overlay.ts";
import { WHITEOUT } from "../overlay/upper-format.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { retrying } from "../vfs/would-block.ts";

/**
 * The whole tree of a filesystem as layer entries, parents first (what
 * `docker export` puts in its tar). Hard links stay hard links. File data
 * not in memory yet is loaded on the way.
 */
export async function treeEntries(fs: Filesystem): Promise<PackEntry[]> {
  return inLayerOrder(await subtreeEntries(fs, fs.root));
}

/** The entries below directory `root`, with paths relative to it, parents first. */
export async function subtreeEntries(fs: Filesystem, root: number): Promise<PackEntry[]> {
  const entries: PackEntry[] = [];
  const firstName = new Map<number, string>();
  const walk = async (dir: number, prefix: string): Promise<void> => {
    for (const { name, ino } of fs.readdir(dir)) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      entries.push(await entryOf(fs, ino, path, firstName));
      if (fs.typeOf(ino) === "directory") await walk(ino, path);
    }
  };
  await walk(root, "");
  return entries;
}

/**
 * The upper layer of a container as OCI layer entries: what it adds or
 * changes, a whiteout for each name it deletes, opaque directories where it
 * hides a lower one. Applied on top of the image's layers, they give the
 * container's merged tree.
 *
 * The OCI form has no redirects, so a directory that was moved is written
 * out whole at its new place, and marked opaque if a lower layer has a
 * directory there. A copied-up file is written with all its data.
 */
export async function upperEntries(ov: OverlayFilesystem): Promise<PackEntry[]> {
  const entries: PackEntry[] = [];
  const firstName = new Map<number, string>();
  const walk = async (dir: number, prefix: string): Promise<void> => {
    const up = ov.upper.get(dir)!;
    const lowerRefs = ov.node(dir).lowerRefs;
    for (const [name, ino] of up.entries!) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      if (ino === WHITEOUT) {
        if (lowerLookup(ov, lowerRefs, name)) entries.push(whiteout(path));
        continue;
      }
      ov.lookup(dir, name); // the node, with what lies below it
      const child = ov.upper.get(ino)!;
      const entry = await entryOf(ov, ino, path, firstName);
      if (child.type !== "directory") {
        entries.push(entry);
        continue;
      }
      const below = lowerLookup(ov, lowerRefs, name);
      const hidesBelow = below !== null && below.type === "directory";
      if (child.redirect !== null) {
        entries.push({ ...entry, opaque: hidesBelow });
        for (const e of await subtreeEntries(ov, ino)) entries.push(underPath(e, path));
        continue;
      }
      entries.push({ ...entry, opaque: child.opaque && hidesBelow });
      await walk(ino, path);
    }
  };
  await walk(ov.root, "");
  await copiedUpLinks(ov, entries, firstName);
  return inLayerOrder(entries);
}

/**
 * The other names of copied-up lower files: a file hard-linked in a lower
 * layer and written through one name shows its new data through all of
 * them, so the layer must name them too (with their directories).
 */
async function copiedUpLinks(
  ov: OverlayFilesystem,
  entries: PackEntry[],
  firstName: Map<number, string>,
): Promise<void> {
  const listed = new Set(entries.map((e) => e.path));
  for (const inode of ov.upper.all()) {
    const origin = ov.lowerOf(inode.ino);
    if (!origin || inode.type === "directory" || inode.nlink < 2) continue;
    for (const path of ov.lowers[origin.slot]!.namesOf(origin.ino)) {
      if (listed.has(path) || mergedAt(ov, path) !== inode.ino) continue;
      const parts = path.split("/");
      let dir = ov.root;
      for (let i = 1; i < parts.length; i++) {
        dir = ov.lookup(dir, parts[i - 1]!);
        const prefix = parts.slice(0, i).join("/");
        if (listed.has(prefix)) continue;
        entries.push(await entryOf(ov, dir, prefix, firstName));
        listed.add(prefix);
      }
      entries.push(await entryOf(ov, inode.ino, path, firstName));
      listed.add(path);
    }
  }
}

/** The inode at a path of the merged tree (no symlinks followed), or null. */
function mergedAt(ov: OverlayFilesystem, path: string): number | null {
  let ino = ov.root;
  for (const name of path.split("/")) {
    try {
      ino = ov.lookup(ino, name);
    } catch {
      return null;
    }
  }
  return ino;
}

function whiteout(path: string): PackEntry {
  return { path, type: "whiteout", mode: 0, uid: 0, gid: 0, mtime: 0 };
}

/** The entry of inode `ino` at `path`: a hard link to the first path `firstName` has for it, if any. */
export async function entryOf(
  fs: Filesystem,
  ino: number,
  path: string,
  firstName: Map<number, string>,
): Promise<PackEntry> {
  const st = fs.stat(ino);
  if (st.type !== "directory") {
    const first = firstName.get(st.ino);
    if (first !== undefined)
      return {
        path,
        type: "hardlink",
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        mtime: 0,
        target: first,
      };
    firstName.set(st.ino, path);
  }
  const base = {
    path,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    mtime: Number(st.mtime / 1_000_000_000n),
  };
  switch (st.type) {
    case "directory":
      return { ...base, type: "directory" };
    case "symlink":
      return { ...base, type: "symlink", target: fs.readlink(ino) };
    case "file": {
      // A copy: the read may be a view of a chunk that a program writes to
      // before the layer is packed.
      const data = (await retrying(() => fs.read(ino, 0, st.size))).slice();
      return { ...base, type: "file", data };
    }
    case "fifo":
      return { ...base, type: "fifo" };
    case "chardev":
    case "blockdev":
      return { ...base, type: st.type, rdev: st.rdev };
    case "socket":
      // Sockets are not kept by tar or by layers: an empty file keeps the name.
      return { ...base, type: "file", data: new Uint8Array(0) };
  }
}

/** An entry of a moved subtree, put under its new path (its hard links too). */
function underPath(e: PackEntry, prefix: string): PackEntry {
  const path = `${prefix}/${e.path}`;
  if (e.type === "hardlink") return { ...e, path, target: `${prefix}/${e.target!}` };
  return { ...e, path };
}
