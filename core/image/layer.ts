import { concat } from "../bytes.ts";
import { fail } from "../errno.ts";
import { NAME_MAX } from "../vfs/filesystem.ts";

/**
 * The layer format (rootfs/README.md has the long form).
 *
 * A layer is two immutable blobs, both named by the sha256 of their bytes:
 *  - the index: JSON listing every entry (path, type, mode, owner, mtime,
 *    and for a regular file its offset and size in the data blob);
 *  - the data blob: the bytes of every regular file, one after another.
 * The layer's digest is the index's digest; the index names the data blob's
 * digest, so the digest covers the whole layer. One file is read with one
 * range read of the data blob, without unpacking the rest.
 *
 * A big layer is kept as chunks instead of one data blob (`chunks`): the
 * data cut where files begin, about `chunkSize` bytes each, every chunk a
 * blob of its own named by its digest. The index lists the chunks, so its
 * digest covers them, and a reader can fetch and check just the chunks
 * that hold the files it reads (layer-data.ts), from any static host
 * (no HTTP range requests, gzip kept).
 */
export const LAYER_MEDIA_TYPE = "application/vnd.overbox.layer.v1+json";

export type EntryType =
  "file" | "directory" | "symlink" | "hardlink" | "fifo" | "chardev" | "blockdev" | "whiteout";

export interface LayerEntry {
  /** Relative to the root, no leading slash, no `.` or `..` components. */
  path: string;
  type: EntryType;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Regular files: where the bytes are in the data blob. */
  offset?: number;
  size?: number;
  /** Symlinks: the target. Hard links: the path of the entry they share an inode with. */
  target?: string;
  /** Devices: the device number. */
  rdev?: number;
  /** Directories: hide the lower layers' entries below this one. */
  opaque?: boolean;
}

export interface LayerIndex {
  mediaType: typeof LAYER_MEDIA_TYPE;
  /** The data blob: the bytes of every file, one after another. */
  data: { digest: string; size: number };
  /** A layer kept in chunks: the data blob's chunks, in order (their sizes add up to its size). */
  chunks?: LayerChunk[];
  /**
   * The head of the data, this many bytes, holds the files its programs
   * read as they start (BuildOptions.start), whole chunks of them: a
   * reader fetching chunks as files are read brings them all at once.
   */
  start?: number;
  entries: LayerEntry[];
}

export interface LayerChunk {
  digest: string;
  size: number;
}

export interface BuiltLayer {
  digest: string;
  index: LayerIndex;
  indexBytes: Uint8Array;
  data: Uint8Array;
}

export interface BuildOptions {
  /**
   * Keep the data as chunks of about this many bytes (LayerIndex.chunks):
   * a new chunk starts where a file would make the chunk longer, and a
   * file longer than this is cut into chunks of exactly this size.
   */
  chunkSize?: number;
  /**
   * Paths of files whose bytes go first in the data, in this order (those
   * a program reads as it starts); the index then says how many bytes they
   * take (LayerIndex.start). Paths that are not files of the layer are
   * passed over.
   */
  start?: string[];
}

/** An entry before packing: files carry their bytes instead of an offset. */
export type PackEntry = Omit<LayerEntry, "offset" | "size"> & { data?: Uint8Array };

/**
 * Builds a layer from entries given in any order. Paths are checked and
 * normalised; an entry that would escape the root, a duplicate path, or a
 * hard link to a path that is not a file of this layer is refused with
 * EINVAL, and nothing is built.
 */
export async function buildLayer(
  entries: PackEntry[],
  options: BuildOptions = {},
): Promise<BuiltLayer> {
  const sorted = inLayerOrder(entries);
  // Where each file's bytes go: the start files' first, then the others' in layer order.
  const byPath = new Map(sorted.map((e) => [e.path, e]));
  const offsets = new Map<string, number>();
  const parts: Uint8Array[] = [];
  let offset = 0;
  const place = (e: PackEntry) => {
    const bytes = e.data ?? new Uint8Array(0);
    offsets.set(e.path, offset);
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const path of options.start ?? []) {
    const e = byPath.get(path);
    if (e?.type === "file" && !offsets.has(path)) place(e);
  }
  const startBytes = offset;
  for (const e of sorted) if (e.type === "file" && !offsets.has(e.path)) place(e);
  const out: LayerEntry[] = sorted.map((e) => {
    // Keys in one fixed order, so that equal layers have equal digests.
    const entry: LayerEntry = {
      path: e.path,
      type: e.type,
      mode: e.mode & 0o7777,
      uid: e.uid,
      gid: e.gid,
      mtime: e.mtime,
    };
    if (e.type === "file") {
      entry.offset = offsets.get(e.path)!;
      entry.size = e.data?.length ?? 0;
    }
    if (e.type === "symlink" || e.type === "hardlink") entry.target = e.target;
    if (e.type === "chardev" || e.type === "blockdev") entry.rdev = e.rdev ?? 0;
    if (e.type === "directory" && e.opaque) entry.opaque = true;
    return entry;
  });
  const blob = concat(parts);
  const index: LayerIndex = {
    mediaType: LAYER_MEDIA_TYPE,
    data: { digest: await sha256(blob), size: blob.length },
  } as LayerIndex;
  if (startBytes > 0) index.start = startBytes;
  if (options.chunkSize !== undefined) {
    const cuts = chunkCuts(out, blob.length, options.chunkSize, startBytes);
    index.chunks = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const chunk = blob.subarray(cuts[i], cuts[i + 1]);
      index.chunks.push({ digest: await sha256(chunk), size: chunk.length });
    }
  }
  // Keys in one fixed order, the entries last.
  index.entries = out;
  const indexBytes = new TextEncoder().encode(JSON.stringify(index));
  return { digest: await sha256(indexBytes), index, indexBytes, data: blob };
}

/**
 * Where the chunks of a layer's data begin and end (0 first, `size` last):
 * at the start of a file that would overfill the chunk it falls in, every
 * `chunkSize` bytes through a file longer than that, and where the start
 * files end (`start` bytes in).
 */
export function chunkCuts(
  entries: LayerEntry[],
  size: number,
  chunkSize: number,
  start = 0,
): number[] {
  if (!Number.isInteger(chunkSize) || chunkSize <= 0) fail("EINVAL", `bad chunk size ${chunkSize}`);
  const files = entries.filter((e) => e.type === "file" && e.size! > 0);
  files.sort((a, b) => a.offset! - b.offset!);
  const cuts = [0];
  let at = 0;
  for (const e of files) {
    const from = e.offset!;
    const to = from + e.size!;
    if (from === start && at < start) cuts.push((at = start));
    if (to - at <= chunkSize) continue;
    if (from > at) cuts.push((at = from));
    while (to - at > chunkSize) cuts.push((at += chunkSize));
  }
  if (size > 0) cuts.push(size);
  return cuts;
}

/**
 * Entries checked, normalised and in layer order (a directory before what
 * it holds; the first name of a hard-linked inode holding it), so that a
 * reader (or a tar of them) meets everything in order. Refuses what
 * `buildLayer` refuses.
 */
export function inLayerOrder(entries: PackEntry[]): PackEntry[] {
  const byPath = new Map<string, PackEntry>();
  for (const e of entries) {
    const path = normalisePath(e.path);
    if (byPath.has(path)) fail("EINVAL", `duplicate path in layer: ${path}`);
    if (e.type === "symlink" && e.target === undefined)
      fail("EINVAL", `symlink without target: ${path}`);
    if (e.type === "symlink" && e.target!.includes("\0"))
      fail("EINVAL", `symlink ${path}: a NUL byte in its target`);
    byPath.set(path, { ...e, path });
  }
  for (const e of byPath.values()) {
    if (e.type === "symlink" && !e.target!.startsWith("/") && climbsOut(e.path, e.target!)) {
      fail("EINVAL", `symlink ${e.path} -> ${e.target} leads out of the root`);
    }
    if (e.type !== "hardlink") continue;
    const target = normalisePath(e.target ?? "");
    const linked = byPath.get(target)?.type;
    if (!linked || linked === "directory" || linked === "hardlink" || linked === "whiteout") {
      fail("EINVAL", `hard link ${e.path} points to ${target}, not a file of this layer`);
    }
    e.target = target;
  }
  const sorted = inPathOrder([...byPath.values()]);
  // What is inside a path comes right after it in this order. "a" a symlink
  // and "a/x" a file would write through the link when unpacked.
  for (let i = 0; i + 1 < sorted.length; i++) {
    const { path, type } = sorted[i]!;
    const next = sorted[i + 1]!.path;
    if (type !== "directory" && next.startsWith(`${path}/`)) {
      fail("EINVAL", `${next}: ${path} is not a directory in this layer`);
    }
  }
  firstNameHoldsTheData(sorted);
  return sorted;
}

/**
 * Among the names of one hard-linked inode (a file, symlink, fifo or
 * device), the first in layer order must be
 * the file and the others links to it, so that a reader meets the data
 * before any link to it. The names are equal in every other respect.
 */
function firstNameHoldsTheData(sorted: PackEntry[]): void {
  const position = new Map(sorted.map((e, i) => [e.path, i]));
  const groups = new Map<string, PackEntry[]>();
  for (const e of sorted) {
    if (e.type !== "hardlink") continue;
    const group = groups.get(e.target!);
    if (group) group.push(e);
    else groups.set(e.target!, [e]);
  }
  for (const [target, links] of groups) {
    const file = sorted[position.get(target)!]!;
    const first = links[0]!;
    if (position.get(first.path)! > position.get(target)!) continue;
    const { path: firstPath } = first;
    Object.assign(first, { ...file, path: firstPath });
    for (const e of [file, ...links.slice(1)]) {
      Object.assign(e, { type: "hardlink", target: firstPath, data: undefined });
    }
  }
}

/** Parses and checks a layer index, as read back from its blob. */
export function parseLayerIndex(bytes: Uint8Array): LayerIndex {
  const index = parseJson(bytes, "layer index") as Partial<LayerIndex> | null;
  if (index?.mediaType !== LAYER_MEDIA_TYPE || !Array.isArray(index.entries)) {
    fail("EINVAL", "not an overbox layer index");
  }
  for (const e of index.entries) {
    if (typeof e?.path !== "string" || normalisePath(e.path) !== e.path)
      fail("EINVAL", `bad path in layer: ${e?.path}`);
  }
  if (index.chunks !== undefined) checkChunks(index.chunks, index.data?.size);
  const start = index.start as unknown;
  if (
    start !== undefined &&
    !(
      Number.isSafeInteger(start) &&
      (start as number) >= 0 &&
      (start as number) <= (index.data?.size ?? 0)
    )
  )
    fail("EINVAL", `a layer's start is not a size within its data: ${String(start)}`);
  return index as LayerIndex;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A layer's chunks must be digests (they become file names and URLs) and add up to its data. */
function checkChunks(chunks: unknown, size: unknown): void {
  if (!Array.isArray(chunks)) fail("EINVAL", "a layer's chunks are not a list");
  let total = 0;
  for (const c of chunks as Array<Partial<LayerChunk> | null>) {
    if (typeof c?.digest !== "string" || !DIGEST.test(c.digest))
      fail("EINVAL", `a layer's chunk has a bad digest: ${String(c?.digest)}`);
    if (!Number.isSafeInteger(c.size) || c.size! <= 0)
      fail("EINVAL", `a layer's chunk has a bad size: ${String(c.size)}`);
    total += c.size!;
  }
  if (total !== size)
    fail("EINVAL", `a layer's chunks hold ${total} bytes, its data ${String(size)}`);
}

/** JSON from a blob; EINVAL naming `what` if it is not JSON. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    fail("EINVAL", `${what} is not JSON`);
  }
}

/** The bytes of one regular file of a layer, from its data blob. */
export function fileBytes(entry: LayerEntry, data: Uint8Array): Uint8Array {
  if (entry.type !== "file") fail("EINVAL", `${entry.path} is not a regular file`);
  const start = entry.offset ?? 0;
  return data.subarray(start, start + (entry.size ?? 0));
}

/**
 * "./a//b/" becomes "a/b". Absolute paths and `..` components are refused:
 * a layer can only describe names inside its root; so are names no
 * filesystem could hold (a NUL byte, more than NAME_MAX bytes).
 */
export function normalisePath(path: string): string {
  if (path.startsWith("/")) fail("EINVAL", `absolute path in layer: ${path}`);
  if (path.includes("\0")) fail("EINVAL", `a NUL byte in a path in layer: ${JSON.stringify(path)}`);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) fail("EINVAL", `path escapes the root: ${path}`);
  if (parts.length === 0) fail("EINVAL", `empty path in layer: ${JSON.stringify(path)}`);
  for (const name of parts) {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: short names need no encoding.
    if (name.length * 3 > NAME_MAX && new TextEncoder().encode(name).length > NAME_MAX)
      fail("EINVAL", `a name longer than ${NAME_MAX} bytes in layer: ${name.slice(0, 64)}…`);
  }
  return parts.join("/");
}

/**
 * A relative symlink target that climbs above the root from the link's
 * directory. (An absolute target means the container's root, so it stays in.)
 */
function climbsOut(path: string, target: string): boolean {
  let depth = path.split("/").length - 1;
  for (const part of target.split("/")) {
    if (part === "..") depth--;
    else if (part !== "" && part !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * Entries ordered name by name, so that a directory comes before
 * everything inside it, and everything inside it before its next sibling.
 */
function inPathOrder(entries: PackEntry[]): PackEntry[] {
  // With "/" made the lowest character (a NUL, which no name holds), whole paths
  // compare as their names do, one by one, without splitting a deep path at
  // every comparison.
  const keyed = entries.map((e) => ({ key: e.path.split("/").join("\0"), e }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ e }) => e);
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  const hex = [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `sha256:${hex}`;
}
