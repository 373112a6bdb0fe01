/**
 * `npm run bench`: every figure of figures.ts, measured in headless
 * Chromium against the built site and in Node (the `overbox` command,
 * native busybox, and a program built natively with clang), then written
 * to bench/results/latest.{json,md,svg}.
 *
 *   npm run bench                      the whole suite, 5 runs per figure
 *   npm run bench -- --runs 7          more runs
 *   npm run bench -- --only spawn,applet.sort   figures whose id starts so
 *   npm run bench -- --quick           small workloads, to try it out (written to quick.*)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { format, resolveConfig } from "prettier";
import { browserSuite } from "./browser/suite.ts";
import type { Measurement } from "./measure.ts";
import { nodeSuite } from "./node/suite.ts";
import { pythonSuite } from "./node/python.ts";
import { wasiSuite } from "./node/wasi.ts";
import { chart, markdown, type Results } from "./report.ts";
import type { BenchContext, Suite } from "./suite.ts";
import { FULL, QUICK } from "./workloads.ts";

const SUITES: Suite[] = [nodeSuite, wasiSuite, pythonSuite, browserSuite];

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).split("\n")[0]!.trim();
  } catch {
    return "absent";
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      only: { type: "string" },
      quick: { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs wants a whole number, not ${values.runs}`);
  const only = values.only?.split(",").filter(Boolean);
  const root = resolve(import.meta.dirname, "..");
  const scratch = join(root, "build", "bench");
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const context: BenchContext = {
    runs,
    sizes: values.quick ? QUICK : FULL,
    wants: (figure) => !only || only.some((prefix) => figure.startsWith(prefix)),
    root,
    scratch,
    log: (message) => process.stderr.write(`bench: ${message}\n`),
  };
  const started = new Date().toISOString();
  const measurements: Measurement[] = [];
  for (const suite of SUITES) {
    context.log(`${suite.name}…`);
    measurements.push(...(await suite.run(context)));
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const results: Results = {
    started,
    machine: {
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
      memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
      node: process.version,
      chromium: version("/usr/bin/chromium", ["--version"]),
      "native busybox": version("busybox", ["--help"]),
      "@zenfs/core": pkg.devDependencies["@zenfs/core"] ?? "absent",
      "@zenfs/dom": pkg.devDependencies["@zenfs/dom"] ?? "absent",
      "@lifo-sh/core": pkg.devDependencies["@lifo-sh/core"] ?? "absent",
    },
    runs,
    quick: values.quick,
    measurements,
  };
  const out = join(root, "bench", "results");
  mkdirSync(out, { recursive: true });
  const name = values.quick ? "quick" : only ? "partial" : "latest";
  // Written as `npm run check` wants them, so a committed run passes CI.
  const write = async (file: string, text: string) => {
    const path = join(out, file);
    const options = (await resolveConfig(path)) ?? {};
    writeFileSync(path, await format(text, { ...options, filepath: path }));
  };
  await write(`${name}.json`, JSON.stringify(results, null, 2));
  await write(`${name}.md`, markdown(results));
  writeFileSync(join(out, `${name}.svg`), chart(results));
  process.stdout.write(markdown(results));
  context.log(`written to bench/results/${name}.{json,md,svg}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
