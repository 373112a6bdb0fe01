/**
 * The packer: turns a directory, or a tar archive, into an image layer
 * (core/image/layer.ts) written into a blob store directory.
 *
 *   npx tsx node/pack.ts SOURCE --blobs DIR [--owner UID:GID]
 *
 * prints the new layer's digest. SOURCE is a directory or a .tar file.
 */
import { readFile, readdir, readlink, lstat } from "node:fs/promises";
import { join } from "node:path";
import { buildLayer, type BuiltLayer, type PackEntry } from "../core/image/layer.ts";
import { readTar } from "../core/image/tar.ts";
import { putLayer } from "../core/image/image.ts";
import { FileBlobs } from "./blobs.ts";

export interface PackOptions {
  /** Give every entry this owner instead of the one on disk (for images built without root). */
  owner?: { uid: number; gid: number };
  /** Give every entry this mtime (seconds), for reproducible layers. */
  mtime?: number;
}

/**
 * Every entry below `root` (not `root` itself): files, directories (empty
 * ones too), symlinks, fifos and devices, with modes, owners and mtimes.
 * Files that share an inode become one file and hard links to it.
 */
export async function packDirectory(root: string, options: PackOptions = {}): Promise<PackEntry[]> {
  const entries: PackEntry[] = [];
  const seen = new Map<string, string>();
  async function walk(rel: string): Promise<void> {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const st = await lstat(full, { bigint: true });
      const base = {
        path,
        mode: Number(st.mode & 0o7777n),
        uid: options.owner?.uid ?? Number(st.uid),
        gid: options.owner?.gid ?? Number(st.gid),
        mtime: options.mtime ?? Number(st.mtimeMs / 1000n),
      };
      if (st.isDirectory()) {
        entries.push({ ...base, type: "directory" });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        entries.push({ ...base, type: "symlink", target: await readlink(full) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1n ? seen.get(key) : undefined;
        if (first !== undefined) {
          entries.push({ ...base, type: "hardlink", target: first });
        } else {
          seen.set(key, path);
          entries.push({ ...base, type: "file", data: await readFile(full) });
        }
      } else if (st.isFIFO()) {
        entries.push({ ...base, type: "fifo" });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const rdev = Number(st.rdev);
        entries.push({
          ...base,
          type: st.isCharacterDevice() ? "chardev" : "blockdev",
          rdev: (((rdev >> 8) & 0xfff) << 8) | (rdev & 0xff),
        });
      } else {
        throw new Error(`${full}: sockets cannot be packed into a layer`);
      }
    }
  }
  await walk("");
  return entries;
}

/** The entries of a tar archive file; see core/image/tar.ts. */
export async function packTar(file: string, options: PackOptions = {}): Promise<PackEntry[]> {
  return readTar(await readFile(file)).map((e) => ({
    ...e,
    ...(options.owner ?? {}),
    ...(options.mtime !== undefined ? { mtime: options.mtime } : {}),
  }));
}

/** Writes a layer's two blobs into the blob directory `blobs` (blobs/sha256/HEX). */
export async function writeLayer(blobs: string, layer: BuiltLayer): Promise<void> {
  await putLayer(new FileBlobs(blobs), layer);
}

async function main(argv: string[]): Promise<void> {
  const usage = "usage: tsx node/pack.ts SOURCE(dir|tar) --blobs DIR [--owner UID:GID]";
  const source = argv[0];
  const blobsAt = argv.indexOf("--blobs");
  const ownerAt = argv.indexOf("--owner");
  if (!source || blobsAt < 0 || !argv[blobsAt + 1]) throw new Error(usage);
  const options: PackOptions = {};
  if (ownerAt >= 0) {
    const [uid, gid] = (argv[ownerAt + 1] ?? "").split(":").map(Number);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(usage);
    options.owner = { uid: uid!, gid: gid! };
  }
  const st = await lstat(source);
  const entries = st.isDirectory()
    ? await packDirectory(source, options)
    : await packTar(source, options);
  const layer = await buildLayer(entries);
  await writeLayer(argv[blobsAt + 1]!, layer);
  console.log(layer.digest);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`pack: ${e.message}`);
    process.exit(1);
  });
}
