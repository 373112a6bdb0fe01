/**
 * Test helpers: the built base image, loaded in Node, and a way to run the
 * same command with Debian's native busybox to compare against.
 */
import { spawnSync } from "node:child_process";
import { constants } from "node:os";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { flattenImage, parseManifest, type ImageManifest } from "../core/image/image.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { Filesystem } from "../core/vfs/filesystem.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { makeDirectories } from "../core/vfs/paths.ts";
import { resolve } from "../core/vfs/resolve.ts";
import type { BuildRecord } from "./build-record.ts";
import { FileBlobs } from "../node/blobs.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const IMAGES = join(ROOT, "build", "public", "images");
export const NATIVE_BUSYBOX = "/bin/busybox";

/** The built image `busybox`: its manifest and where its blobs are. */
export function builtImage(): { manifest: ImageManifest; source: FileBlobs } {
  const manifestPath = join(IMAGES, "busybox.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} is missing: run \`npm run setup\` (npm test does it first)`);
  }
  const manifest = parseManifest(readFileSync(manifestPath));
  return { manifest, source: new FileBlobs(join(IMAGES, "blobs")) };
}

/** The image `busybox` flattened into a fresh memory filesystem, and a runner on it. */
export async function loadBaseImage(): Promise<{ fs: MemoryFilesystem; runner: Kernel }> {
  const { manifest, source } = builtImage();
  const fs = await flattenImage(source, manifest);
  return { fs, runner: new Kernel(fs, new WasmLoader()) };
}

export interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `busybox ARGV...` natively (Debian's build) in `cwd`. */
export function runNative(
  argv: string[],
  options: { cwd: string; env: string[]; stdin?: string | Uint8Array },
): Outcome {
  const env = Object.fromEntries(
    options.env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
  const r = spawnSync(NATIVE_BUSYBOX, argv, {
    cwd: options.cwd,
    env,
    input: options.stdin ?? "",
    encoding: "latin1",
    timeout: 30_000,
  });
  // A program may exit without reading all of its input (EPIPE on our side).
  if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") throw r.error;
  // Killed by a signal: a shell's 128 + its number, as Kernel.run reports it.
  const signalled = r.signal ? 128 + (constants.signals[r.signal] ?? 0) : 128;
  return { status: r.status ?? signalled, stdout: r.stdout, stderr: r.stderr };
}

/** Makes the directories of the absolute `path` in `fs` that are missing (owned by root, 0755); its inode. */
export const mkdirContainer = makeDirectories;

export const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

/**
 * What the set-up built the image from (build/busybox-build.json, written by
 * scripts/setup.ts): the unpacked source tree and build.sh's output
 * directory, as absolute paths.
 */
export function busyboxBuild(): BuildRecord {
  const file = join(ROOT, "build", "busybox-build.json");
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run setup\` (npm test does it first)`);
  }
  const record = JSON.parse(readFileSync(file, "utf8")) as BuildRecord;
  return { ...record, source: join(ROOT, record.source), out: join(ROOT, record.out) };
}

/**
 * Copies the host tree `from` (a directory) to `to` in `fs`, owned by root:
 * directories, regular files and symlinks, with their permission bits (not
 * times; other file types are left out). Missing parents of `to` are made;
 * existing directories are kept, other existing entries overwritten.
 */
export function copyIntoContainer(fs: Filesystem, from: string, to: string): void {
  const root = { uid: 0, gid: 0 };
  let dir = fs.root;
  for (const name of to.split("/").filter(Boolean)) {
    dir = resolve(fs, dir, name, { follow: true }).ino ?? fs.mkdir(dir, name, 0o755, root);
  }
  const copy = (host: string, parent: number, name: string) => {
    const st = lstatSync(host);
    const mode = st.mode & 0o7777;
    const existing = resolve(fs, parent, name, { follow: false }).ino;
    if (st.isDirectory()) {
      const ino = existing ?? fs.mkdir(parent, name, mode, root);
      for (const entry of readdirSync(host).sort()) copy(join(host, entry), ino, entry);
    } else if (st.isSymbolicLink()) {
      if (existing !== null) fs.unlink(parent, name);
      fs.symlink(parent, name, readlinkSync(host), root);
    } else if (st.isFile()) {
      const ino = existing ?? fs.create(parent, name, { type: "file", mode, ...root });
      fs.truncate(ino, 0);
      fs.write(ino, 0, readFileSync(host));
      fs.setattr(ino, { mode });
    }
  };
  for (const entry of readdirSync(from).sort()) copy(join(from, entry), dir, entry);
}
