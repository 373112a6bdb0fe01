import { fail, ErrnoError } from "../errno.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import {
  fileBytes,
  parseJson,
  parseLayerIndex,
  sha256,
  type BuiltLayer,
  type LayerEntry,
  type LayerIndex,
} from "./layer.ts";
import { LazyData } from "./layer-data.ts";
import { concat } from "../bytes.ts";
import { LayerFilesystem } from "./layer-fs.ts";
import { newBatch, type Store } from "../store/store.ts";

/**
 * An image: an ordered list of read-only layers, bottom first, and the
 * configuration a container of it starts with. Stored as JSON beside the
 * layers' blobs (rootfs/README.md).
 */
export const IMAGE_MEDIA_TYPE = "application/vnd.overbox.image.v1+json";

export interface ImageConfig {
  /** Environment of the first process, NAME=value. */
  env: string[];
  /** Working directory of the first process. */
  cwd: string;
  /** The command a container runs when none is given. */
  cmd: string[];
}

export interface ImageManifest {
  mediaType: typeof IMAGE_MEDIA_TYPE;
  name: string;
  /** Layer digests (the digest of each layer's index), bottom first. */
  layers: Array<{ digest: string; size: number }>;
  config: ImageConfig;
}

/** Where an image's blobs come from: files in Node, HTTP in the browser. */
export interface BlobSource {
  /**
   * The whole blob with this digest. `size`, where the caller knows it
   * (a manifest or an index says), is what the bytes should come to: for
   * a download's progress.
   */
  blob(digest: string, size?: number): Promise<Uint8Array>;
}

/** Where new layers go (commit, import): blobs are written, then read back by digest. */
export interface BlobStore extends BlobSource {
  put(digest: string, bytes: Uint8Array): Promise<void>;
}

/**
 * Blobs kept in a Store: in the browser, the IndexedDB database that holds
 * the layers made by commit and import, shared by every container.
 */
export class StoreBlobs implements BlobStore {
  constructor(private readonly store: Store) {}

  async blob(digest: string): Promise<Uint8Array> {
    const bytes = await this.store.get(`blob/${digest}`);
    if (!bytes) fail("ENOENT", `no blob ${digest}`);
    return bytes;
  }

  async put(digest: string, bytes: Uint8Array): Promise<void> {
    const batch = newBatch();
    batch.puts.set(`blob/${digest}`, bytes);
    await this.store.commit(batch);
  }
}

/**
 * Stores a built layer's blobs: its data (one blob, or its chunks), then
 * its index, which names them.
 */
export async function putLayer(blobs: BlobStore, layer: BuiltLayer): Promise<void> {
  for (const [digest, bytes] of dataBlobs(layer.index, layer.data)) await blobs.put(digest, bytes);
  await blobs.put(layer.digest, layer.indexBytes);
}

/** The blobs holding a layer's data, by digest: its chunks, or the one data blob. */
export function dataBlobs(index: LayerIndex, data: Uint8Array): Array<[string, Uint8Array]> {
  if (!index.chunks) return index.data.size > 0 ? [[index.data.digest, data]] : [];
  let at = 0;
  return index.chunks.map(({ digest, size }) => [digest, data.subarray(at, (at += size))]);
}

/** The digests of the blobs holding a layer's data (dataBlobs). */
export function dataDigests(index: LayerIndex): string[] {
  if (index.chunks) return index.chunks.map((c) => c.digest);
  return index.data.size > 0 ? [index.data.digest] : [];
}

export interface LoadOptions {
  /**
   * Layers kept in chunks are fetched a file at a time, as they are read
   * (layer-data.ts), instead of whole before the image is ready: for a
   * page, where the network is slow and most of a big layer is never read.
   */
  lazy?: boolean;
}

/**
 * A layer's data from `source`, all of it, checked: its one data blob, or
 * its chunks, each against the digest the index lists.
 */
export async function layerBytes(source: BlobSource, index: LayerIndex): Promise<Uint8Array> {
  if (!index.chunks) {
    const { digest, size } = index.data;
    return size > 0 ? verifiedBlob(source, digest, size) : new Uint8Array(0);
  }
  return concat(await Promise.all(index.chunks.map((c) => verifiedBlob(source, c.digest, c.size))));
}

/** A layer's data as `loadImage` reads it: all now, or (`lazy`, chunks) as files are read. */
function layerData(source: BlobSource, index: LayerIndex, options: LoadOptions) {
  if (!options.lazy || !index.chunks) return layerBytes(source, index);
  const fetch = (digest: string, size: number) => verifiedBlob(source, digest, size);
  return new LazyData(index.chunks, fetch, index.start);
}

/** Tries each source in turn: local blobs (committed layers) before the network, say. */
export function firstOf(...sources: BlobSource[]): BlobSource {
  return {
    async blob(digest: string, size?: number): Promise<Uint8Array> {
      let last: unknown;
      for (const source of sources) {
        try {
          return await source.blob(digest, size);
        } catch (e) {
          last = e;
        }
      }
      throw last ?? new ErrnoError("ENOENT", `no blob ${digest}`);
    },
  };
}

/**
 * An image ready to run: its manifest and its layers as read-only
 * filesystems, bottom first. Containers of one image share these (and so
 * the bytes of their data blobs).
 */
export interface Image {
  manifest: ImageManifest;
  layers: LayerFilesystem[];
}

/**
 * Fetches and checks the layers of an image; those already `loaded` (by
 * digest, from another image) are shared, not fetched again.
 */
export async function loadImage(
  source: BlobSource,
  manifest: ImageManifest,
  loaded: readonly LayerFilesystem[] = [],
  options: LoadOptions = {},
): Promise<Image> {
  const layers = await Promise.all(
    manifest.layers.map(async ({ digest, size }) => {
      const known = loaded.find((l) => l.digest === digest);
      if (known) return known;
      const index = parseLayerIndex(await verifiedBlob(source, digest, size));
      const data = await layerData(source, index, options);
      return new LayerFilesystem(index.entries, data, digest);
    }),
  );
  return { manifest, layers };
}

/** The image with one more layer on top (commit, import). */
export function withLayer(image: Image, layer: BuiltLayer, name = image.manifest.name): Image {
  const manifest: ImageManifest = {
    ...image.manifest,
    name,
    layers: [...image.manifest.layers, { digest: layer.digest, size: layer.indexBytes.length }],
  };
  const fs = new LayerFilesystem(layer.index.entries, layer.data, layer.digest);
  return { manifest, layers: [...image.layers, fs] };
}

/** Parses an image manifest; EINVAL if it is not JSON or not one. */
export function parseManifest(bytes: Uint8Array): ImageManifest {
  const m = parseJson(bytes, "image manifest") as Partial<ImageManifest> | null;
  if (m?.mediaType !== IMAGE_MEDIA_TYPE || !Array.isArray(m.layers)) {
    fail("EINVAL", "not an overbox image manifest");
  }
  return m as ImageManifest;
}

/** Fetches a blob and checks that its bytes match its digest. */
export async function verifiedBlob(
  source: BlobSource,
  digest: string,
  size?: number,
): Promise<Uint8Array> {
  const bytes = await source.blob(digest, size);
  if ((await sha256(bytes)) !== digest) fail("EIO", `blob ${digest} does not match its digest`);
  return bytes;
}

/**
 * Flattens an image's layers, bottom first, into a memory filesystem, the
 * way overlayfs would show them merged: whiteouts delete, opaque
 * directories hide what lies below. File bytes are borrowed from the data
 * blobs, not copied.
 */
export async function flattenImage(
  source: BlobSource,
  manifest: ImageManifest,
): Promise<MemoryFilesystem> {
  const fs = new MemoryFilesystem();
  for (const layer of manifest.layers) {
    const index = parseLayerIndex(await verifiedBlob(source, layer.digest));
    applyLayer(fs, index.entries, await layerBytes(source, index));
  }
  return fs;
}

/** Applies one layer's entries on top of what `fs` already holds. */
export function applyLayer(fs: MemoryFilesystem, entries: LayerEntry[], data: Uint8Array): void {
  const inodes = new Map<string, number>();
  const dirTimes: Array<[number, number]> = [];
  for (const e of entries) {
    const slash = e.path.lastIndexOf("/");
    const parent = directoryAt(fs, slash < 0 ? "" : e.path.slice(0, slash));
    const name = e.path.slice(slash + 1);
    const existing = lookup(fs, parent, name);
    const owner = { uid: e.uid, gid: e.gid };
    const mtime = BigInt(e.mtime) * 1_000_000_000n;
    if (e.type === "directory" && existing !== null && fs.typeOf(existing) === "directory") {
      if (e.opaque) for (const child of fs.readdir(existing)) removeTree(fs, existing, child.name);
      fs.setattr(existing, { mode: e.mode, ...owner });
      dirTimes.push([existing, e.mtime]);
      continue;
    }
    if (existing !== null) removeTree(fs, parent, name);
    let ino: number;
    switch (e.type) {
      case "whiteout":
        continue;
      case "directory":
        ino = fs.mkdir(parent, name, e.mode, owner);
        dirTimes.push([ino, e.mtime]);
        break;
      case "file":
        ino = fs.createBorrowed(
          parent,
          name,
          { type: "file", mode: e.mode, ...owner },
          fileBytes(e, data),
        );
        break;
      case "hardlink": {
        const target = inodes.get(e.target ?? "");
        if (target === undefined) fail("EINVAL", `hard link ${e.path}: no such file in the layer`);
        fs.link(parent, name, target);
        continue;
      }
      case "symlink":
        ino = fs.symlink(parent, name, e.target ?? "", owner);
        break;
      default:
        ino = fs.create(parent, name, { type: e.type, mode: e.mode, ...owner, rdev: e.rdev ?? 0 });
    }
    fs.setattr(ino, { atime: mtime, mtime });
    inodes.set(e.path, ino);
  }
  for (const [ino, mtime] of dirTimes) {
    const t = BigInt(mtime) * 1_000_000_000n;
    fs.setattr(ino, { atime: t, mtime: t });
  }
}

function lookup(fs: Filesystem, dir: number, name: string): number | null {
  try {
    return fs.lookup(dir, name);
  } catch {
    return null;
  }
}

/** The directory at a layer path, made (mode 0755) where a layer omits it. */
function directoryAt(fs: MemoryFilesystem, path: string): number {
  let dir = fs.root;
  for (const name of path.split("/").filter(Boolean)) {
    const ino = lookup(fs, dir, name);
    if (ino !== null && fs.typeOf(ino) === "directory") {
      dir = ino;
      continue;
    }
    if (ino !== null) removeTree(fs, dir, name);
    dir = fs.mkdir(dir, name, 0o755, { uid: 0, gid: 0 });
  }
  return dir;
}

function removeTree(fs: Filesystem, dir: number, name: string): void {
  const ino = fs.lookup(dir, name);
  if (fs.typeOf(ino) === "directory") {
    for (const child of fs.readdir(ino)) removeTree(fs, ino, child.name);
    fs.rmdir(dir, name);
  } else {
    fs.unlink(dir, name);
  }
}
