/**
 * The python.* figures: CPython of the `python` image (rootfs/python) run
 * by the `overbox` command, against Debian's native python3.11 (the same
 * 3.11.2 source) on this machine.
 *
 * python.start: `python3 -c pass` in a warm container, each start timed
 * inside one shell loop (the command's own start taken off by timing the
 * same loop with no turn); python.cpu and python.sqlite: work the program
 * times itself with time.perf_counter (a loop of integer arithmetic; a
 * table of 100,000 rows made in SQLite and queried, by Python's sqlite3).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Measurement, Subject } from "../measure.ts";
import type { BenchContext, Suite } from "../suite.ts";
import { Overbox } from "./shell.ts";

const FIGURE_IDS = ["python.start", "python.cpu", "python.sqlite"];
const NATIVE: Subject = "native (python3.11)";
const NATIVE_PYTHON = "/usr/bin/python3.11";
/** Starts per shell loop, for python.start. */
const STARTS = 10;

/** Programs that print their own time, in ms, last on their output. */
const CPU = `import time
t = time.perf_counter()
s = 0
for i in range(2_000_000):
    s += i * i % 7
d = {}
for i in range(300_000):
    d[str(i)] = i
print(s, len(d), (time.perf_counter() - t) * 1000)`;

const SQLITE = `import sqlite3, time
t = time.perf_counter()
con = sqlite3.connect(":memory:")
con.execute("create table t(id integer primary key, k text, v real)")
con.executemany("insert into t(k, v) values (?, ?)", ((f"key{i % 1000}", i * 0.5) for i in range(100_000)))
rows = con.execute("select k, count(*), sum(v) from t where v > 10 group by k order by sum(v) desc limit 5").fetchall()
print(rows[0][0], len(rows), (time.perf_counter() - t) * 1000)`;

function selfTimed(stdout: string): number {
  const ms = Number(stdout.trim().split(/\s+/).pop());
  if (!Number.isFinite(ms)) throw new Error(`the program said: ${stdout}`);
  return ms;
}

function native(args: string[]): { ms: number; stdout: string } {
  const start = performance.now();
  const stdout = execFileSync(NATIVE_PYTHON, args, { encoding: "utf8" });
  return { ms: performance.now() - start, stdout };
}

function nativeLoop(turns: number, body: string): number {
  const start = performance.now();
  execFileSync("sh", ["-c", `i=0; while [ $i -lt ${turns} ]; do ${body}; i=$((i+1)); done`]);
  return performance.now() - start;
}

function measure(context: BenchContext, cli: Overbox): Measurement[] {
  const { runs } = context;
  cli.create("py", "python");
  const out: Measurement[] = [];
  const add = (figure: string, subject: Subject, samples: number[]) =>
    out.push({ figure, subject, unit: "ms", samples });
  const loop = (body: string, turns: number) =>
    cli.command(
      "exec",
      "py",
      "--",
      "sh",
      "-c",
      `i=0; while [ $i -lt ${turns} ]; do ${body}; i=$((i+1)); done`,
    ).ms;
  if (context.wants("python.start")) {
    loop("python3 -c pass", 1); // warm: the image in the state, the module compiled
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const base = loop(":", STARTS);
      ours.push((loop("python3 -c pass", STARTS) - base) / STARTS);
      const nativeBase = nativeLoop(STARTS, ":");
      theirs.push((nativeLoop(STARTS, `${NATIVE_PYTHON} -c pass`) - nativeBase) / STARTS);
    }
    add("python.start", "overbox (CLI)", ours);
    add("python.start", NATIVE, theirs);
  }
  for (const [id, program] of [
    ["python.cpu", CPU],
    ["python.sqlite", SQLITE],
  ] as const) {
    if (!context.wants(id)) continue;
    const run = () => cli.command("exec", "py", "--", "python3", "-c", program).stdout;
    run();
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = run();
      const b = native(["-c", program]).stdout;
      const [x, y] = [a, b].map((s) => s.trim().split(/\s+/).slice(0, -1).join(" "));
      if (x !== y) throw new Error(`${id}: overbox printed ${x}, native python ${y}`);
      ours.push(selfTimed(a));
      theirs.push(selfTimed(b));
    }
    add(id, "overbox (CLI)", ours);
    add(id, NATIVE, theirs);
  }
  return out;
}

export const pythonSuite: Suite = {
  name: "Python (overbox CLI, native python3.11)",
  run(context) {
    if (!FIGURE_IDS.some((id) => context.wants(id))) return Promise.resolve([]);
    const dir = join(context.scratch, "python");
    mkdirSync(dir, { recursive: true });
    const cli = new Overbox(context.root, join(dir, "state"));
    context.log("Python…");
    try {
      return Promise.resolve(measure(context, cli));
    } finally {
      rmSync(join(dir, "state"), { recursive: true, force: true });
    }
  },
};
