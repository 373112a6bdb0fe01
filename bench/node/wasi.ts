/**
 * The wasi.* figures: a program built elsewhere (bench/programs/crunch.c,
 * 1.1 MB of WebAssembly built with clang-19 and wasi-libc, no Asyncify)
 * run by the `overbox` command, against the same source built natively
 * with clang-19 -O2. Both are built here, into the run's scratch folder.
 *
 * wasi.first: the command's whole time with nothing prepared (the
 * state's prepared/ folder emptied before each run); wasi.again: with the
 * prepared module kept; wasi.cpu: the work the program times itself.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type Measurement } from "../measure.ts";
import type { BenchContext, Suite } from "../suite.ts";
import { Overbox } from "./shell.ts";

const FIGURE_IDS = ["wasi.first", "wasi.again", "wasi.cpu"];

/** crunch.c built for WASI and natively into `dir`: the two files. */
function build(root: string, dir: string): { wasm: string; native: string } {
  const source = join(root, "bench", "programs", "crunch.c");
  const sysroot = join(dir, "sysroot");
  mkdirSync(join(sysroot, "lib"), { recursive: true });
  symlinkSync("/usr/include/wasm32-wasi", join(sysroot, "include"));
  symlinkSync("/usr/lib/wasm32-wasi", join(sysroot, "lib", "wasm32-wasi"));
  const wasm = join(dir, "crunch.wasm");
  const native = join(dir, "crunch");
  const flags = ["-O2", "-Wall", "-Werror"];
  // As a user's clang builds it: not with binaryen's wasm-opt of
  // node_modules/.bin on the PATH, which clang would run after linking.
  const env = { ...process.env, PATH: withoutNodeModules(process.env.PATH ?? "") };
  execFileSync(
    "clang-19",
    [
      "--target=wasm32-wasi",
      `--sysroot=${sysroot}`,
      ...flags,
      "-Wl,--strip-debug",
      "-o",
      wasm,
      source,
    ],
    { env },
  );
  execFileSync("clang-19", [...flags, "-o", native, source], { env });
  return { wasm, native };
}

function withoutNodeModules(path: string): string {
  return path
    .split(":")
    .filter((dir) => !dir.includes("node_modules"))
    .join(":");
}

/** The milliseconds crunch says its work took. */
function work(stdout: string): number {
  const m = /work (\d+) ms/.exec(stdout);
  if (!m) throw new Error(`crunch said: ${stdout}`);
  return Number(m[1]);
}

function timedNative(file: string, rounds: number): { ms: number; stdout: string } {
  const start = performance.now();
  const stdout = execFileSync(file, [String(rounds)], { encoding: "utf8" });
  return { ms: performance.now() - start, stdout };
}

function measure(
  context: BenchContext,
  cli: Overbox,
  files: { wasm: string; native: string },
): Measurement[] {
  const { runs } = context;
  const rounds = context.sizes.crunchRounds;
  cli.create("crunch");
  cli.command("cp", files.wasm, "crunch:/usr/local/bin/");
  const run = (n: number) => cli.command("exec", "crunch", "--", "crunch.wasm", String(n));
  const out: Measurement[] = [];
  const add = (figure: string, subject: Measurement["subject"], samples: number[]) =>
    out.push({ figure, subject, unit: "ms", samples });
  if (context.wants("wasi.first")) {
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      rmSync(join(cli.state, "prepared"), { recursive: true, force: true });
      samples.push(run(1).ms);
    }
    add("wasi.first", "overbox (CLI)", samples);
    add(
      "wasi.first",
      "native (clang)",
      Array.from({ length: runs }, () => timedNative(files.native, 1).ms),
    );
  }
  if (context.wants("wasi.again")) {
    run(1);
    add(
      "wasi.again",
      "overbox (CLI)",
      Array.from({ length: runs }, () => run(1).ms),
    );
    add(
      "wasi.again",
      "native (clang)",
      Array.from({ length: runs }, () => timedNative(files.native, 1).ms),
    );
  }
  if (context.wants("wasi.cpu")) {
    run(1);
    const cpu: number[] = [];
    const native: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = run(rounds);
      const n = timedNative(files.native, rounds);
      const [a, b] = [r.stdout, n.stdout].map((s) => s.split(",")[0]);
      if (a !== b) throw new Error(`crunch's checksums differ: ${a} in overbox, ${b} natively`);
      cpu.push(work(r.stdout));
      native.push(work(n.stdout));
    }
    add("wasi.cpu", "overbox (CLI)", cpu);
    add("wasi.cpu", "native (clang)", native);
  }
  return out;
}

export const wasiSuite: Suite = {
  name: "programs built elsewhere (overbox CLI, native clang)",
  run(context) {
    if (!FIGURE_IDS.some((id) => context.wants(id))) return Promise.resolve([]);
    const dir = join(context.scratch, "wasi");
    mkdirSync(dir, { recursive: true });
    const files = build(context.root, dir);
    const cli = new Overbox(context.root, join(dir, "state"));
    context.log("programs built elsewhere…");
    try {
      return Promise.resolve(measure(context, cli, files));
    } finally {
      rmSync(join(dir, "state"), { recursive: true, force: true });
    }
  },
};
