/**
 * Test helpers: the built base image, loaded in Node, and a way to run the
 * same command with Debian's native busybox to compare against.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { flattenImage, parseManifest, type ImageManifest } from "../worker/image/image.ts";
import { Kernel } from "../worker/kernel/kernel.ts";
import type { MemoryFilesystem } from "../worker/vfs/memory.ts";
import { FileBlobSource } from "./pack.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const IMAGES = join(ROOT, "build", "public", "images");
export const NATIVE_BUSYBOX = "/bin/busybox";

/** The built image `busybox`: its manifest and where its blobs are. */
export function builtImage(): { manifest: ImageManifest; source: FileBlobSource } {
  const manifestPath = join(IMAGES, "busybox.json");
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} is missing: run \`npm run setup\` (npm test does it first)`);
  }
  const manifest = parseManifest(readFileSync(manifestPath));
  return { manifest, source: new FileBlobSource(join(IMAGES, "blobs")) };
}

/** The image `busybox` flattened into a fresh memory filesystem, and a runner on it. */
export async function loadBaseImage(): Promise<{ fs: MemoryFilesystem; runner: Kernel }> {
  const { manifest, source } = builtImage();
  const fs = await flattenImage(source, manifest);
  return { fs, runner: new Kernel(fs) };
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
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

export const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
