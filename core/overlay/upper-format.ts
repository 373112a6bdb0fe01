/**
 * The stored format of the upper layer: what its Store holds under which
 * key, read and written by the layer (upper.ts) and read by its check
 * (fsck.ts). The store knows only keys and bytes:
 *
 *   `i/INO`       the inode INO (an UpperInode) as JSON: its fields but
 *                 `entries`, with the times as decimal strings. `chunks` is
 *                 absent from records made before chunks were counted.
 *   `e/DIR/NAME`  the entry NAME of directory DIR: the child's inode number
 *                 in decimal, or 0 (WHITEOUT) for a whiteout.
 *   `c/INO/N`     chunk N of file INO's data: bytes N × chunkSize on, at
 *                 most chunkSize of them (fewer in the file's last chunk).
 *                 Only chunks written since the copy-up are stored.
 *   `meta`        JSON `{ nextIno, chunkSize }`: the next free inode number,
 *                 and the chunk size the layer was made with (absent from
 *                 records made before it was stored).
 *   `image`       not the layer's: the container's record of the image it
 *                 runs (container.ts), which shares the store.
 *
 * The root is inode ROOT_INO. Inode numbers below 2³² are born in the
 * layer; a copied-up object keeps the larger number the overlay gave it in
 * its lower layer (overlay.ts, LAYER_SPAN).
 */
import { fail } from "../errno.ts";
import type { FileType } from "../vfs/filesystem.ts";

/** A directory entry of the upper layer that deletes the name from the lowers. */
export const WHITEOUT = 0;

/** The inode number of the upper layer's root, which is the merged root. */
export const ROOT_INO = 1;

/** Bytes per stored chunk of file data in a new upper layer: a write stores the chunks it touches. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

/** The key of the meta record. */
export const META_KEY = "meta";

/**
 * The key of the container's record of its image (container.ts): in the
 * layer's store, but not the layer's.
 */
export const IMAGE_KEY = "image";

/** The kinds of record kept under many keys, and the prefix of each kind's keys. */
export const PREFIX = { inode: "i/", entry: "e/", chunk: "c/" } as const;

export type KeyKind = keyof typeof PREFIX | "meta";

/** The key of inode `ino`. */
export function inodeKey(ino: number): string {
  return `${PREFIX.inode}${ino}`;
}

/** The key of the entry `name` of directory `dir`. */
export function entryKey(dir: number, name: string): string {
  return `${PREFIX.entry}${dir}/${name}`;
}

/** The key of chunk `n` of file `ino`. */
export function chunkKey(ino: number, n: number): string {
  return `${PREFIX.chunk}${ino}/${n}`;
}

/** The kind of record `key` holds, or null for a key of no known kind. */
export function keyKind(key: string): KeyKind | null {
  if (key === META_KEY) return "meta";
  if (key.startsWith(PREFIX.inode)) return "inode";
  if (key.startsWith(PREFIX.entry)) return "entry";
  if (key.startsWith(PREFIX.chunk)) return "chunk";
  return null;
}

/** "e/12/a/b" is kind "e", "12", "a/b" (names hold no "/", but be safe). */
export function splitKey(key: string): [string, string, string] {
  const first = key.indexOf("/");
  const second = key.indexOf("/", first + 1);
  if (second < 0) return [key.slice(0, first), key.slice(first + 1), ""];
  return [key.slice(0, first), key.slice(first + 1, second), key.slice(second + 1)];
}

/**
 * One inconsistency in a stored layer: the key it was found at, the path
 * if known, and what is wrong. Found by the layer as it opens
 * (`UpperLayer.damage`) and by its check (fsck.ts).
 */
export interface FsckProblem {
  key: string;
  path: string | null;
  message: string;
}

/**
 * Where the bytes of a copied-up file come from until they are written: the
 * first `length` bytes of the file at `path` in the lower layer whose
 * digest is `digest`. A copy-up copies metadata only; the chunks a write
 * touches are the only data the upper layer ever stores.
 *
 * Stored (encodeInode), `digest` keeps its old key, "layer": the records of
 * existing containers must still open.
 */
export interface BaseData {
  digest: string;
  path: string;
  length: number;
}

/**
 * One inode of the upper layer, keyed by its overlay inode number (which a
 * copied-up object keeps from the lower layer it came from).
 */
export interface UpperInode {
  ino: number;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  size: number;
  target: string;
  base: BaseData | null;
  /**
   * Files: how many chunks of their data the store holds. A chunk that went
   * missing from the store shows as one fewer than this (fsck).
   */
  chunks: number;
  /** Directories: name → inode number, or WHITEOUT. */
  entries: Map<string, number> | null;
  /** Directories: the lower layers' entries below this one are hidden. */
  opaque: boolean;
  /**
   * Directories moved from elsewhere: the lower path whose directories this
   * one merges (Linux's redirect_dir). Without it a directory merges the
   * lower directories of its own name in its parent's `lowerRefs`.
   */
  redirect: string | null;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const decoder = new TextDecoder();

/** The record of an inode (`i/INO`), without its entries (stored one key each). */
export function encodeInode(inode: UpperInode): Uint8Array {
  const base = inode.base;
  // Every field but entries, named one by one: a spread of the inode
  // was most of the cost of storing a file's creation.
  return encoder.encode(
    JSON.stringify({
      ino: inode.ino,
      type: inode.type,
      mode: inode.mode,
      uid: inode.uid,
      gid: inode.gid,
      nlink: inode.nlink,
      rdev: inode.rdev,
      size: inode.size,
      target: inode.target,
      chunks: inode.chunks,
      opaque: inode.opaque,
      redirect: inode.redirect,
      // The stored key of a base's digest keeps its old name, "layer" (BaseData).
      base: base && { layer: base.digest, path: base.path, length: base.length },
      atime: String(inode.atime),
      mtime: String(inode.mtime),
      ctime: String(inode.ctime),
    }),
  );
}

const FILE_TYPES: readonly FileType[] = [
  "file",
  "directory",
  "symlink",
  "fifo",
  "chardev",
  "blockdev",
  "socket",
];

/**
 * An inode record (`i/INO`) read back, checked field by field: a record
 * that is not one (damaged, or not ours) is EIO naming its key. A
 * directory comes with no entries (they are read from their own keys); a
 * record made before chunks were counted has `chunks` NaN.
 */
export function decodeInode(bytes: Uint8Array, key: string): UpperInode {
  const damaged = (why: string): never => fail("EIO", `the record ${key} is damaged: ${why}`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(strictDecoder.decode(bytes)) as Record<string, unknown>;
  } catch {
    return damaged("not JSON");
  }
  if (typeof raw !== "object" || raw === null) return damaged("not an object");
  const whole = (name: string): number => {
    const v = raw[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) damaged(`${name} is ${v}`);
    return v as number;
  };
  const time = (name: string): bigint => {
    const v = raw[name];
    if (typeof v !== "string" || !/^-?\d+$/.test(v)) damaged(`${name} is ${String(v)}`);
    return BigInt(v as string);
  };
  const type = raw.type as FileType;
  if (!FILE_TYPES.includes(type)) damaged(`type is ${String(raw.type)}`);
  const ino = whole("ino");
  if (key !== inodeKey(ino)) damaged(`it holds inode ${ino}`);
  if (typeof raw.target !== "string") damaged("target is not a string");
  // Stored under its old key, "layer": the digest of the base's lower layer (BaseData).
  const stored = raw.base as { layer: string; path: string; length: number } | null;
  if (
    stored !== null &&
    (typeof stored !== "object" ||
      typeof stored.layer !== "string" ||
      typeof stored.path !== "string" ||
      !Number.isSafeInteger(stored.length) ||
      stored.length < 0)
  ) {
    damaged("base is not a layer, path and length");
  }
  const base: BaseData | null = stored && {
    digest: stored.layer,
    path: stored.path,
    length: stored.length,
  };
  const redirect = raw.redirect ?? null;
  if (redirect !== null && typeof redirect !== "string") damaged("redirect is not a path");
  return {
    ino,
    type,
    mode: whole("mode"),
    uid: whole("uid"),
    gid: whole("gid"),
    nlink: whole("nlink"),
    rdev: whole("rdev"),
    atime: time("atime"),
    mtime: time("mtime"),
    ctime: time("ctime"),
    size: whole("size"),
    target: raw.target as string,
    base,
    // Records made before chunks were counted: counted at open.
    chunks: raw.chunks === undefined ? NaN : whole("chunks"),
    entries: type === "directory" ? new Map() : null,
    opaque: raw.opaque === true,
    redirect: redirect as string | null,
  };
}

/** The value of an entry (`e/DIR/NAME`) naming inode `ino`, or WHITEOUT. */
export function encodeEntry(ino: number): Uint8Array {
  return encoder.encode(String(ino));
}

/** The inode number an entry's value holds; NaN if it holds none, or there is no value. */
export function decodeEntry(value: Uint8Array | undefined): number {
  const text = value === undefined ? "" : decoder.decode(value);
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/** The meta record (`meta`). */
export interface UpperMeta {
  nextIno: number;
  chunkSize: number;
}

export function encodeMeta(meta: UpperMeta): Uint8Array {
  return encoder.encode(JSON.stringify({ nextIno: meta.nextIno, chunkSize: meta.chunkSize }));
}

/**
 * A meta record read back, its fields as stored and unchecked (`chunkSize`
 * is absent from old records). Throws if it is not JSON, and reading a
 * field throws if it is JSON `null`: both mean the record is damaged.
 */
export function decodeMeta(bytes: Uint8Array): Partial<Record<keyof UpperMeta, unknown>> {
  return JSON.parse(decoder.decode(bytes)) as Partial<Record<keyof UpperMeta, unknown>>;
}
