// The `overbox` command is TypeScript (cli/, on core/ and node/);
// Node 20 runs JavaScript. So the command runs from a bundle made with
// esbuild: build/cli/HASH/main.js, worker-thread.js (the worker
// thread's entry) and prepare-worker.js (node/prepare-worker.ts), named
// by the hash of their bytes, and build/cli/current.json saying which is current and what it was made
// from. It is made again when one of those source files changed since:
// checking that is a stat per file, a bundle costs a tenth of a second, and
// a command then starts in plain Node (loading TypeScript through a loader
// on every start would cost half a second, twice: once per thread).
import { build } from "esbuild";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "build", "cli");
const CURRENT = join(OUT, "current.json");

/** The directory of an up-to-date bundle of the command, made if needed. */
export async function compiled() {
  const current = readCurrent();
  if (current && upToDate(current)) return join(OUT, current.dir);
  const startedAt = Date.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: {
      main: "cli/main.ts",
      "worker-thread": "cli/worker-thread.ts",
      "prepare-worker": "node/prepare-worker.ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outdir: OUT,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const hash = createHash("sha256");
  for (const file of result.outputFiles) hash.update(file.path).update(file.contents);
  const dir = hash.digest("hex").slice(0, 16);
  if (!existsSync(join(OUT, dir))) {
    // Made aside and renamed into place: a command starting meanwhile, in
    // another process, sees the whole bundle or none.
    const aside = join(OUT, `.new-${randomBytes(6).toString("hex")}`);
    await mkdir(aside, { recursive: true });
    for (const file of result.outputFiles) {
      await writeFile(join(aside, file.path.slice(OUT.length + 1)), file.contents);
    }
    await rename(aside, join(OUT, dir)).catch(() => rm(aside, { recursive: true, force: true }));
  }
  const record = { dir, startedAt, inputs: Object.keys(result.metafile.inputs) };
  const aside = `${CURRENT}.${process.pid}`;
  await writeFile(aside, JSON.stringify(record, null, 1));
  await rename(aside, CURRENT);
  return join(OUT, dir);
}

function readCurrent() {
  try {
    return JSON.parse(readFileSync(CURRENT, "utf8"));
  } catch {
    return null;
  }
}

/** Whether every source file of the bundle is older than the bundle (and it is there). */
function upToDate(current) {
  if (!existsSync(join(OUT, current.dir, "main.js"))) return false;
  try {
    return current.inputs.every((f) => statSync(join(ROOT, f)).mtimeMs < current.startedAt);
  } catch {
    return false; // a source file was removed
  }
}
