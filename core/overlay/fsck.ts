import { reason } from "../errno.ts";
import type { LayerFilesystem } from "../image/layer-fs.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import { NAME_MAX } from "../vfs/filesystem.ts";
import { lowerLookup } from "./namei.ts";
import { LAYER_SPAN, OverlayFilesystem } from "./overlay.ts";
import {
  decodeEntry,
  decodeInode,
  decodeMeta,
  DEFAULT_CHUNK_SIZE,
  encodeEntry,
  entryKey,
  IMAGE_KEY,
  inodeKey,
  keyKind,
  META_KEY,
  ROOT_INO,
  splitKey,
  WHITEOUT,
  type FsckProblem,
  type UpperInode,
} from "./upper-format.ts";

/** A problem as one line: where (path and key), then what. */
export function describeProblem(p: FsckProblem): string {
  return p.path === null ? `${p.key}: ${p.message}` : `${p.path} (${p.key}): ${p.message}`;
}

/** What a check of an upper layer found, and what it counted. */
export interface FsckReport {
  problems: FsckProblem[];
  inodes: number;
  directories: number;
  files: number;
  whiteouts: number;
  chunks: number;
  /** Bytes of the chunks' values. */
  bytes: number;
  /** Inodes a crash left with no name and no open file: the next open removes them. */
  orphans: number;
}

/** How many chunk values are read at a time. */
const CHUNK_BATCH = 64;

/**
 * Checks the upper layer kept in `store` over `lowers` (top first), as
 * e2fsck checks a disk, and changes nothing: every record parses; every
 * entry names an inode that exists; every inode is reachable from the
 * root (or is an orphan a crash left, which the next open removes); a
 * file's link count is its number of names; every stored chunk belongs to
 * a file, lies within its size and is no longer than a chunk, and every
 * chunk a file counts is there; a copied-up file's base is in its lower
 * layer; no whiteout hides a name no lower layer has.
 *
 * The caller makes sure the store does not change while it runs
 * (`UpperLayer.whileStill`, or a store nobody writes).
 */
export async function checkUpper(
  store: Store,
  lowers: readonly LayerFilesystem[],
): Promise<FsckReport> {
  const problems: FsckProblem[] = [];
  const problem = (key: string, message: string, path: string | null = null) =>
    problems.push({ key, path, message });
  const keys = await store.keys();
  const inodeKeys = keys.filter((k) => keyKind(k) === "inode");
  const entryKeys = keys.filter((k) => keyKind(k) === "entry");
  const chunkKeys = keys.filter((k) => keyKind(k) === "chunk");
  for (const key of keys) {
    if (keyKind(key) === null && key !== IMAGE_KEY) problem(key, "a record of no known kind");
  }

  // Inodes.
  const inodes = new Map<number, UpperInode>();
  /** The records that parsed, for the walk. */
  const records = new Map<string, Uint8Array>();
  const inodeValues = await store.getMany(inodeKeys);
  inodeKeys.forEach((key, i) => {
    const value = inodeValues[i];
    if (value === undefined) return void problem(key, "the record is listed but cannot be read");
    try {
      const inode = decodeInode(value, key);
      inodes.set(inode.ino, inode);
      records.set(key, value);
    } catch (e) {
      problem(key, reason(e));
    }
  });
  if (inodeKeys.length > 0 && !inodes.has(ROOT_INO))
    problem(inodeKey(ROOT_INO), "the root is missing");

  // The meta record: chunk size and the next inode number.
  let chunkSize = 0;
  const metaBytes = await store.get(META_KEY);
  if (metaBytes === undefined) {
    if (inodes.size > 0) problem(META_KEY, "the record is missing");
  } else {
    try {
      const meta = decodeMeta(metaBytes);
      const next = meta.nextIno;
      chunkSize = Number(meta.chunkSize ?? DEFAULT_CHUNK_SIZE);
      if (!Number.isSafeInteger(next) || (next as number) <= ROOT_INO) {
        problem(META_KEY, `the next inode number is ${String(next)}`);
      } else {
        const born = [...inodes.keys()].filter((ino) => ino < LAYER_SPAN);
        const highest = Math.max(ROOT_INO, ...born);
        if ((next as number) <= highest) {
          problem(META_KEY, `the next inode number ${String(next)} is in use (inode ${highest})`);
        }
      }
      if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
        problem(META_KEY, `the chunk size is ${String(meta.chunkSize)}`);
        chunkSize = 0;
      }
    } catch {
      problem(META_KEY, "the record is damaged: not JSON");
    }
  }

  // Entries: into the directories they belong to, if both ends exist.
  const entries: Array<[UpperInode, string, number]> = [];
  const entryValues = await store.getMany(entryKeys);
  entryKeys.forEach((key, i) => {
    const [, dirText, name] = splitKey(key);
    const dir = inodes.get(Number(dirText));
    const ino = decodeEntry(entryValues[i]);
    if (Number.isNaN(ino)) return void problem(key, "the record is damaged: not an inode number");
    if (!dir) return void problem(key, `an entry of inode ${dirText}, which is missing`);
    if (!dir.entries) return void problem(key, `an entry of inode ${dirText}, not a directory`);
    if (name === "" || name === "." || name === ".." || name.includes("/")) {
      return void problem(key, `an entry with the name "${name}"`);
    }
    if (new TextEncoder().encode(name).length > NAME_MAX) {
      return void problem(key, "an entry with a name longer than 255 bytes");
    }
    if (ino !== WHITEOUT && !inodes.has(ino)) {
      return void problem(key, `names inode ${ino}, which is missing`);
    }
    entries.push([dir, name, ino]);
  });

  // Chunks: each of a file, within its size, no longer than a chunk.
  const counted = new Map<number, number>();
  let bytes = 0;
  let chunkCount = 0;
  const sound: string[] = [];
  for (const key of chunkKeys) {
    const [, inoText, nText] = splitKey(key);
    const inode = inodes.get(Number(inoText));
    const n = Number(nText);
    if (!/^\d+$/.test(nText)) problem(key, "a chunk with no number");
    else if (!inode) problem(key, `a chunk of inode ${inoText}, which is missing`);
    else if (inode.type !== "file") problem(key, `a chunk of inode ${inoText}, a ${inode.type}`);
    else {
      counted.set(inode.ino, (counted.get(inode.ino) ?? 0) + 1);
      if (chunkSize > 0 && n * chunkSize >= inode.size) {
        problem(key, `chunk ${n} lies past the end of inode ${inode.ino} (${inode.size} bytes)`);
      } else sound.push(key);
    }
  }
  for (let at = 0; at < sound.length; at += CHUNK_BATCH) {
    const batch = sound.slice(at, at + CHUNK_BATCH);
    const values = await store.getMany(batch);
    batch.forEach((key, i) => {
      const value = values[i];
      if (value === undefined) return void problem(key, "the chunk is listed but cannot be read");
      chunkCount++;
      bytes += value.length;
      const [, inoText, nText] = splitKey(key);
      const inode = inodes.get(Number(inoText))!;
      const room = Math.min(chunkSize, inode.size - Number(nText) * chunkSize);
      if (chunkSize > 0 && value.length > room) {
        problem(key, `the chunk holds ${value.length} bytes, more than the ${room} of its file`);
      }
      if (value.length === 0) problem(key, "the chunk is empty");
    });
  }
  for (const inode of inodes.values()) {
    if (inode.type !== "file" || Number.isNaN(inode.chunks)) continue;
    const stored = counted.get(inode.ino) ?? 0;
    if (stored < inode.chunks) {
      problem(
        inodeKey(inode.ino),
        `${inode.chunks - stored} of its ${inode.chunks} chunks are missing`,
      );
    } else if (stored > inode.chunks) {
      problem(inodeKey(inode.ino), `it counts ${inode.chunks} chunks, the store holds ${stored}`);
    }
  }

  // Bases: the lower file a copied-up file's unwritten bytes come from.
  const byDigest = new Map(lowers.map((fs) => [fs.digest, fs]));
  for (const inode of inodes.values()) {
    if (!inode.base) continue;
    const key = inodeKey(inode.ino);
    const fs = byDigest.get(inode.base.digest);
    const ino = fs?.inodeAt(inode.base.path) ?? null;
    if (!fs) problem(key, `its base is in layer ${inode.base.digest}, not one of the image's`);
    else if (ino === null) problem(key, `its base ${inode.base.path} is not in its layer`);
    else if (fs.stat(ino).size < inode.base.length) {
      problem(key, `its base ${inode.base.path} is shorter than ${inode.base.length} bytes`);
    }
  }

  // The merged tree, walked from the root over what parsed: reachability,
  // link counts and whiteouts. Orphans are counted first (opening removes them).
  const named = new Set(entries.map(([, , ino]) => ino));
  const orphans = [...inodes.values()].filter(
    (i) => i.nlink === 0 && i.ino !== ROOT_INO && !named.has(i.ino),
  );
  for (const [dir, name, ino] of entries) records.set(entryKey(dir.ino, name), encodeEntry(ino));
  if (metaBytes && chunkSize > 0) records.set(META_KEY, metaBytes);
  const walked = await walk(new MemoryStore(Infinity, records), lowers, problem);

  let directories = 0;
  let files = 0;
  let whiteouts = 0;
  for (const [, , ino] of entries) if (ino === WHITEOUT) whiteouts++;
  const orphanSet = new Set(orphans.map((i) => i.ino));
  for (const inode of inodes.values()) {
    if (inode.type === "directory") directories++;
    if (inode.type === "file") files++;
    if (orphanSet.has(inode.ino)) continue;
    const key = inodeKey(inode.ino);
    const names = walked.names.get(inode.ino) ?? [];
    if (names.length === 0) {
      problem(key, `a ${inode.type} that no path reaches (${inode.nlink} links)`);
    } else if (inode.type !== "directory" && inode.nlink !== names.length) {
      problem(key, `${inode.nlink} links, but ${names.length} names`, names[0]!);
    }
  }
  // Where each problem is, when a path reaches it.
  const pathOf = (ino: number) => walked.names.get(ino)?.[0] ?? null;
  for (const p of problems) {
    if (p.path !== null) continue;
    const kind = keyKind(p.key);
    const [, a, b] = splitKey(p.key);
    if (kind === "inode" || kind === "chunk") p.path = pathOf(Number(a));
    if (kind === "entry") {
      const dir = pathOf(Number(a));
      if (dir !== null) p.path = dir === "/" ? `/${b}` : `${dir}/${b}`;
    }
  }
  return {
    problems,
    inodes: inodes.size,
    directories,
    files,
    whiteouts,
    chunks: chunkCount,
    bytes,
    orphans: orphans.length,
  };
}

/**
 * Walks the merged tree of the upper layer in `snapshot` (records that
 * parsed, nothing else) over `lowers`: the paths of each upper inode it
 * reaches, and problems with whiteouts and directories named twice.
 */
async function walk(
  snapshot: Store,
  lowers: readonly LayerFilesystem[],
  problem: (key: string, message: string, path: string | null) => void,
): Promise<{ names: Map<number, string[]> }> {
  const ov = await OverlayFilesystem.open(snapshot, lowers, { writeBack: 60_000 });
  const names = new Map<number, string[]>();
  const seenDirs = new Set<number>([ROOT_INO]);
  names.set(ROOT_INO, ["/"]);
  const pending: Array<[number, string]> = [[ROOT_INO, ""]];
  try {
    while (pending.length > 0) {
      const [dir, path] = pending.pop()!;
      const up = ov.upper.get(dir);
      for (const [name, ino] of up?.entries ?? []) {
        if (ino !== WHITEOUT) continue;
        if (lowerLookup(ov, ov.node(dir).lowerRefs, name) === null) {
          problem(
            entryKey(dir, name),
            "a whiteout of a name no lower layer has",
            `${path}/${name}`,
          );
        }
      }
      let listing;
      try {
        listing = ov.readdir(dir);
      } catch (e) {
        problem(up ? inodeKey(dir) : "", `cannot be listed: ${reason(e)}`, path || "/");
        continue;
      }
      for (const entry of listing) {
        const child = `${path}/${entry.name}`;
        if (ov.upper.get(entry.ino)) names.set(entry.ino, [...(names.get(entry.ino) ?? []), child]);
        if (entry.type !== "directory") continue;
        if (seenDirs.has(entry.ino)) {
          problem(inodeKey(entry.ino), "a directory with more than one name", child);
          continue;
        }
        seenDirs.add(entry.ino);
        pending.push([entry.ino, child]);
      }
    }
  } finally {
    await ov.upper.close();
  }
  return { names };
}
