/**
 * Builds the base image `busybox`: one layer holding /bin/busybox, an entry
 * for every applet where BusyBox installs it, /etc from rootfs/files, and
 * the usual top-level directories. Everything is owned by root and dated
 * `mtime`, so the same inputs give the same layer digest.
 */
import { deviceLinks, deviceNodes } from "../core/kernel/devices.ts";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { buildLayer, type PackEntry } from "../core/image/layer.ts";
import { IMAGE_MEDIA_TYPE, type ImageManifest } from "../core/image/image.ts";
import { LOGIN_ENV } from "../core/kernel/kernel.ts";
import { packDirectory, writeLayer } from "../node/pack.ts";

export interface BaseImageInputs {
  /** The BusyBox module. */
  wasm: string;
  /** BusyBox's list of install paths, one per line (/bin/ls, /usr/bin/awk...). */
  links: string;
  /** Files copied into the image as they are (rootfs/files). */
  files: string;
  /** mtime of every entry, seconds. */
  mtime: number;
}

const DIRECTORIES: Array<[string, number]> = [
  ["bin", 0o755],
  ["sbin", 0o755],
  ["usr", 0o755],
  ["usr/bin", 0o755],
  ["usr/sbin", 0o755],
  ["usr/local", 0o755],
  ["usr/local/bin", 0o755],
  ["etc", 0o755],
  ["root", 0o700],
  ["home", 0o755],
  ["tmp", 0o1777],
  ["var", 0o755],
  ["var/tmp", 0o1777],
  ["var/log", 0o755],
  ["dev", 0o755],
  ["proc", 0o755],
  ["mnt", 0o755],
];

export async function baseImageEntries(inputs: BaseImageInputs): Promise<PackEntry[]> {
  const root = { uid: 0, gid: 0, mtime: inputs.mtime };
  const entries: PackEntry[] = DIRECTORIES.map(([path, mode]) => ({
    path,
    type: "directory",
    mode,
    ...root,
  }));
  // The memory devices are part of the image, as in a root filesystem
  // tarball: a container finds them there and never makes its own.
  for (const d of deviceNodes) {
    entries.push({ path: `dev/${d.name}`, type: "chardev", mode: d.mode, rdev: d.rdev, ...root });
  }
  for (const l of deviceLinks) {
    entries.push({
      path: `dev/${l.name}`,
      type: "symlink",
      mode: 0o777,
      target: l.target,
      ...root,
    });
  }
  entries.push({
    path: "bin/busybox",
    type: "file",
    mode: 0o755,
    ...root,
    data: await readFile(inputs.wasm),
  });
  const links = (await readFile(inputs.links, "utf8")).split("\n").filter(Boolean);
  for (const link of links) {
    const path = link.replace(/^\/+/, "");
    if (path === "bin/busybox") continue;
    // Relative symlinks, as BusyBox's `make install` makes them.
    const target = relative(dirname(`/${path}`), "/bin/busybox");
    entries.push({ path, type: "symlink", mode: 0o777, ...root, target });
  }
  const files = await packDirectory(inputs.files, {
    owner: { uid: 0, gid: 0 },
    mtime: inputs.mtime,
  });
  for (const f of files) {
    if (entries.some((e) => e.path === f.path)) continue; // directories listed above
    // Git keeps only the executable bit: give the rest the usual modes.
    f.mode = f.type === "directory" || f.mode & 0o100 ? 0o755 : 0o644;
    entries.push(f);
  }
  return entries;
}

/** Builds the image and writes it: DIR/NAME.json and DIR/blobs/sha256/… */
export async function writeBaseImage(inputs: BaseImageInputs, dir: string, name = "busybox") {
  const layer = await buildLayer(await baseImageEntries(inputs));
  await writeLayer(join(dir, "blobs"), layer);
  const manifest: ImageManifest = {
    mediaType: IMAGE_MEDIA_TYPE,
    name,
    layers: [{ digest: layer.digest, size: layer.indexBytes.length }],
    config: {
      env: [...LOGIN_ENV],
      cwd: "/root",
      cmd: ["/bin/sh", "-l"],
    },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), JSON.stringify(manifest, null, 2) + "\n");
  return { manifest, layer };
}

/** A file of a tool layer: its path in the image, and its bytes or a symlink's target. */
export interface ToolFile {
  path: string;
  data?: Uint8Array;
  target?: string;
}

/**
 * The entries of a tool layer (rootfs/README.md, "Layers"): `files`, each
 * under the directories that hold it, all owned by root and dated `mtime`;
 * files executable (0755), as what a layer adds is programs and their data.
 */
export function toolLayerEntries(files: ToolFile[], mtime: number): PackEntry[] {
  const root = { uid: 0, gid: 0, mtime };
  const entries: PackEntry[] = [];
  const directories = new Set<string>();
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (directories.has(dir)) continue;
      directories.add(dir);
      entries.push({ path: dir, type: "directory", mode: 0o755, ...root });
    }
    if (f.target !== undefined) {
      entries.push({ path: f.path, type: "symlink", mode: 0o777, target: f.target, ...root });
    } else {
      entries.push({ path: f.path, type: "file", mode: 0o755, ...root, data: f.data! });
    }
  }
  return entries;
}

/** A tool layer's entries, and the files its programs read as they start (readStartFiles). */
export interface ToolLayerEntries {
  entries: PackEntry[];
  start?: string[];
}

/**
 * A list of start files (rootfs/python/start-files.txt): a path of the
 * layer on each line, `#` comments and blank lines aside.
 */
export function readStartFiles(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * The chunk size of tool layers (core/image/layer.ts): a page fetches a
 * file's chunks when it is first read. Measured on python's first visit
 * (bench/browser/python.ts, Chromium, localhost, gzip), time and bytes to
 * `>>>`: 64 KiB 2.6 s and 5.1 MB (many more waits), 256 KiB 1.9 s and
 * 6.0 MB, 1 MiB 1.8 s and 8.1 MB.
 */
export const LAYER_CHUNK_SIZE = 256 * 1024;

/**
 * Writes image `name`: the layers of image `base` (already in DIR), then
 * `layers` on top, each kept in chunks, with `base`'s configuration.
 * DIR/NAME.json and each new layer's blobs; a layer already there
 * (another image's) is stored once.
 */
export async function writeStackedImage(
  dir: string,
  name: string,
  base: ImageManifest,
  layers: ToolLayerEntries[],
): Promise<ImageManifest> {
  const built = [];
  for (const { entries, start } of layers) {
    const layer = await buildLayer(entries, { chunkSize: LAYER_CHUNK_SIZE, start });
    await writeLayer(join(dir, "blobs"), layer);
    built.push({ digest: layer.digest, size: layer.indexBytes.length });
  }
  const manifest: ImageManifest = { ...base, name, layers: [...base.layers, ...built] };
  await writeFile(join(dir, `${name}.json`), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}
