/**
 * The figures measured from Node, for the `overbox` command and for
 * Debian's busybox (shell.ts says how each is run and timed): spawn.shell,
 * pipeline, the applet.* figures, metadata.*, persist.one-byte and
 * memory.cli (memory.ts).
 *
 * Every subject runs workloads.ts's scripts with `sh -c`, one process per
 * script. What starting that process costs (for overbox about 0.4 s: Node,
 * the bundle, the worker thread, the image) is taken off by timing the same
 * harness running `scripts.baseline()` in the same container (or
 * directory), alternately with the workload, and subtracting the
 * baselines' median; spawn.shell instead subtracts the same loop without a
 * process per turn. Each figure starts with one untimed baseline run (a
 * warm-up: page cache, the CLI's bundle).
 *
 * The applets' input files (data.ts) are written once to /dev/shm for
 * busybox, and are built into an image of their own per applet for
 * overbox, so that they are in the container's lower layer, as a data set
 * shipped in an image would be.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { integers, randomBytes, text } from "../data.ts";
import { figure } from "../figures.ts";
import { megabytesPerSecond, summarize, type Measurement, type Subject } from "../measure.ts";
import type { BenchContext, Suite } from "../suite.ts";
import { scripts, type Sizes } from "../workloads.ts";
import { cliMemory } from "./memory.ts";
import { nativeShell, Overbox, type Shell } from "./shell.ts";

/** Where the subjects run: a fresh shell for a directory (native) or a container (overbox). */
interface Subjects {
  native(dir: string): Shell;
  cli: Overbox;
  /** A new directory on /dev/shm, named after `name`. */
  shm(name: string): string;
}

function measurement(id: string, shell: Shell, samples: number[], note?: string): Measurement {
  return { figure: id, subject: shell.subject, unit: figure(id).unit, samples, note };
}

/** Runs `body`, saying on the log what it is and, once done, how long it took. */
function phase<T>(context: BenchContext, what: string, body: () => T): T {
  context.log(`${what}…`);
  const start = performance.now();
  const result = body();
  context.log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

function median(values: number[]): number {
  return summarize(values).median;
}

/**
 * Runs `script` `runs` times, each after a run of the baseline, and
 * answers each run's time less the baselines' median (ms), with its output.
 */
function lessBaseline(
  shell: Shell,
  script: string,
  runs: number,
): Array<{ ms: number; stdout: string }> {
  shell.run(scripts.baseline());
  const baselines: number[] = [];
  const work: Array<{ ms: number; stdout: string }> = [];
  for (let run = 0; run < runs; run++) {
    baselines.push(shell.run(scripts.baseline()).ms);
    work.push(shell.run(script));
  }
  const base = median(baselines);
  return work.map(({ ms, stdout }) => ({ ms: ms - base, stdout }));
}

// ---- spawn.shell, pipeline --------------------------------------------------

/** The spawn.* figures of a shell loop: each loop's script. */
const SPAWN_LOOPS: Array<[string, (n: number, bb: string) => string]> = [
  ["spawn.shell", scripts.spawnLoop],
  ["spawn.subshell", scripts.subshellLoop],
  ["spawn.pipe", scripts.pipeLoop],
];

function spawnShell(
  shell: Shell,
  figure: string,
  loopOf: (n: number, bb: string) => string,
  n: number,
  runs: number,
): Measurement {
  shell.run(scripts.baseline());
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const empty = shell.run(scripts.emptyLoop(n)).ms;
    const loop = shell.run(loopOf(n, shell.bb)).ms;
    samples.push((loop - empty) / n);
  }
  return measurement(figure, shell, samples);
}

function pipeline(shell: Shell, bytes: number, runs: number): Measurement {
  const samples = lessBaseline(shell, scripts.pipeline(bytes, shell.bb), runs).map(
    ({ ms, stdout }) => {
      if (Number(stdout.trim()) !== bytes) {
        throw new Error(`pipeline (${shell.subject}): wc -c said ${stdout.trim()}, not ${bytes}`);
      }
      return megabytesPerSecond(bytes, ms);
    },
  );
  return measurement("pipeline", shell, samples, "time less `sh -c true`'s (the command's start)");
}

// ---- net.* -------------------------------------------------------------------

const NET = ["net.loopback", "net.http"] as const;

/**
 * Loopback TCP through nc, and HTTP requests to httpd, in a directory of
 * /dev/shm (native) and in a container (overbox), each run on ports of
 * its own (a native port may linger in TIME_WAIT).
 */
function net(at: Subjects, context: BenchContext): Measurement[] {
  const { loopbackBytes, httpRequests } = context.sizes;
  at.cli.create("net");
  const shells = [at.native(at.shm("net")), at.cli.shell("net", "/tmp")];
  const out: Measurement[] = [];
  let port = 47400;
  for (const shell of shells) {
    const bb = shell.bb;
    shell.run(`${bb}mkdir -p www && echo small > www/f`);
    if (context.wants("net.loopback")) {
      const samples: number[] = [];
      for (let run = 0; run < context.runs; run++) {
        const r = shell.run(scripts.loopback(loopbackBytes, port++, bb));
        if (Number(r.stdout.trim()) !== loopbackBytes) {
          throw new Error(
            `net.loopback (${shell.subject}): the listener counted ${r.stdout.trim()}`,
          );
        }
        samples.push(megabytesPerSecond(loopbackBytes, r.ms));
      }
      out.push(measurement("net.loopback", shell, samples, "time from the shell's start"));
    }
    if (context.wants("net.http")) {
      const samples: number[] = [];
      for (let run = 0; run < context.runs; run++) {
        const up = (n: number, p: number) =>
          scripts.httpdUp("$PWD/www", p, bb) + scripts.httpLoop(n, p, bb) + "kill $server; wait";
        const empty = shell.run(up(0, port++)).ms;
        const full = shell.run(up(httpRequests, port++)).ms;
        samples.push((full - empty) / httpRequests);
      }
      out.push(measurement("net.http", shell, samples, "each a wget process and a connection"));
    }
  }
  at.cli.remove("net");
  return out;
}

// ---- applet.* ----------------------------------------------------------------

interface Applet {
  id: string;
  file: string;
  data(sizes: Sizes): Uint8Array;
  script(file: string, bb: string): string;
  /** Whether the output is compared with native busybox's. */
  checked: boolean;
}

const APPLETS: Applet[] = [
  {
    id: "applet.sha256sum",
    file: "random.bin",
    data: (s) => randomBytes(s.sha256Bytes),
    script: scripts.sha256sum,
    checked: true,
  },
  {
    id: "applet.gzip",
    file: "words.txt",
    data: (s) => text(s.gzipBytes),
    script: scripts.gzip,
    checked: false,
  },
  {
    id: "applet.sort",
    file: "numbers.txt",
    data: (s) => integers(s.sortLines, 1e9),
    script: scripts.sort,
    checked: false,
  },
  {
    id: "applet.awk",
    file: "numbers.txt",
    data: (s) => integers(s.awkLines, 1e6),
    script: scripts.awk,
    checked: true,
  },
];

/**
 * One applet for both subjects. The input is written to DIR/data/FILE on
 * /dev/shm; busybox runs in DIR/data, and overbox in /data of a container
 * whose image is DIR built on busybox. Both name the file relatively, so
 * their outputs (sha256sum prints the name) can be compared as they are.
 */
function applet(applet: Applet, at: Subjects, context: BenchContext): Measurement[] {
  const dir = at.shm(applet.id);
  const data = join(dir, "data");
  mkdirSync(data);
  writeFileSync(join(data, applet.file), applet.data(context.sizes));
  const name = applet.id.replace(".", "-");
  at.cli.buildImage(dir, name);
  at.cli.create(name, name);
  const out: Measurement[] = [];
  let expected: string | undefined;
  for (const shell of [at.native(data), at.cli.shell(name, "/data")]) {
    const script = applet.script(applet.file, shell.bb);
    const runs = phase(context, `${applet.id}: ${shell.subject}`, () =>
      lessBaseline(shell, script, context.runs),
    );
    for (const { stdout } of runs) {
      expected ??= stdout;
      if (applet.checked && stdout !== expected) {
        throw new Error(
          `${applet.id}: ${shell.subject} printed ${JSON.stringify(stdout)}, native busybox ${JSON.stringify(expected)}`,
        );
      }
    }
    const note =
      shell.subject === "native busybox"
        ? "input on tmpfs; time less `sh -c true`'s"
        : "input in the container's image (its lower layer); time less `sh -c true`'s in the same container (which loads the same image)";
    out.push(
      measurement(
        applet.id,
        shell,
        runs.map((r) => r.ms),
        note,
      ),
    );
  }
  at.cli.remove(name);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

// ---- metadata.* --------------------------------------------------------------

const METADATA = ["metadata.create", "metadata.stat", "metadata.unlink"] as const;

const METADATA_NOTES: Partial<Record<Subject, string>> = {
  "native busybox": "in a new directory on tmpfs",
  "overbox (CLI)":
    "in a container reset before each run; one `overbox exec` each, which stores the container's changes (fdatasync) before it exits",
};

/**
 * create, stat and unlink of `n` files, in that order, each run in an empty
 * directory: a new one on /dev/shm for busybox; for overbox, /m of a
 * container reset before each run (so that no run pays for an earlier
 * run's log). Each is n / (time − the baselines' median), in ops/s.
 */
function metadata(at: Subjects, context: BenchContext): Measurement[] {
  const name = "metadata";
  at.cli.create(name);
  const places: Array<{ subject: Subject; fresh: () => Shell }> = [
    { subject: "native busybox", fresh: () => at.native(at.shm("metadata")) },
    {
      subject: "overbox (CLI)",
      fresh: () => {
        at.cli.reset(name);
        return at.cli.shell(name, "/m");
      },
    },
  ];
  const out = places.flatMap(({ subject, fresh }) =>
    phase(context, `metadata: ${subject}`, () => metadataOf(fresh, context)),
  );
  at.cli.remove(name);
  return out;
}

/** The metadata figures for one subject; `fresh` answers a shell in an empty directory. */
function metadataOf(fresh: () => Shell, context: BenchContext): Measurement[] {
  const n = context.sizes.metadataFiles;
  let shell = fresh();
  shell.run(scripts.baseline());
  const baselines: number[] = [];
  const times = new Map<string, number[]>(METADATA.map((id) => [id, []]));
  for (let run = 0; run < context.runs; run++) {
    shell = fresh();
    baselines.push(shell.run(scripts.baseline()).ms);
    times.get("metadata.create")!.push(shell.run(scripts.create(n, shell.bb)).ms);
    const made = Number(shell.run(`${shell.bb}ls | ${shell.bb}wc -l`).stdout.trim());
    if (made !== n) throw new Error(`metadata (${shell.subject}): ${made} files made, not ${n}`);
    times.get("metadata.stat")!.push(shell.run(scripts.stat(n, shell.bb)).ms);
    times.get("metadata.unlink")!.push(shell.run(scripts.unlink(n, shell.bb)).ms);
  }
  const base = median(baselines);
  return METADATA.filter((id) => context.wants(id)).map((id) =>
    measurement(
      id,
      shell,
      times.get(id)!.map((ms) => n / ((ms - base) / 1000)),
      METADATA_NOTES[shell.subject],
    ),
  );
}

// ---- persist.one-byte ----------------------------------------------------------

/**
 * The stored cost of a one-byte write into a big file of the image: per
 * run a new container of an image holding /data/lower.bin; its stored
 * bytes (Overbox.storedBytes) are taken after an exec of `sync` alone and
 * again after an exec that writes one byte in the middle and syncs. The
 * sample is the second growth. The file store compacts its log only when
 * opened with a log of megabytes that is mostly dead; this one holds a
 * few hundred bytes of records, so its growth is exactly what was appended.
 */
function oneByte(at: Subjects, context: BenchContext): Measurement {
  const size = context.sizes.lowerFileBytes;
  const middle = Math.floor(size / 2);
  const dir = at.shm("persist");
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "lower.bin"), randomBytes(size));
  const image = "persist-lower";
  at.cli.buildImage(dir, image);
  const samples: number[] = [];
  const idle: number[] = [];
  const logged: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const name = `one-byte-${run}`;
    at.cli.create(name, image);
    const shell = at.cli.shell(name);
    const start = at.cli.storedBytes(name);
    shell.run("sync");
    const synced = at.cli.storedBytes(name);
    shell.run(
      `printf x | dd of=/data/lower.bin bs=1 seek=${middle} conv=notrunc 2>/dev/null && sync`,
    );
    const written = at.cli.storedBytes(name);
    const back = shell.run(
      `dd if=/data/lower.bin bs=1 skip=${middle} count=1 2>/dev/null; echo; stat -c %s /data/lower.bin`,
    );
    if (back.stdout !== `x\n${size}\n`) {
      throw new Error(
        `persist.one-byte: read back ${JSON.stringify(back.stdout)}, not "x" and ${size}`,
      );
    }
    at.cli.remove(name);
    logged.push(synced);
    idle.push(synced - start);
    samples.push(written - synced);
  }
  rmSync(dir, { recursive: true, force: true });
  const note =
    `growth of containers/NAME/ (upper.log, the file store's log), stat'ed before and after; ` +
    `the log held ${median(logged)} bytes before the write (too little to be compacted); ` +
    `an exec of \`sync\` alone grew it by ${median(idle)} bytes (not subtracted)`;
  return { figure: "persist.one-byte", subject: "overbox (CLI)", unit: "bytes", samples, note };
}

// ---- the suite -------------------------------------------------------------------

const FIGURE_IDS = [
  ...NET,
  ...SPAWN_LOOPS.map(([id]) => id),
  "pipeline",
  ...APPLETS.map((a) => a.id),
  ...METADATA,
  "persist.one-byte",
  "memory.cli",
];

/** Every figure asked for, one after another, in containers of one state directory. */
function measure(at: Subjects, context: BenchContext): Measurement[] {
  const out: Measurement[] = [];
  phase(context, "overbox (CLI): warm-up (its bundle, the base image)", () =>
    at.cli.command("images"),
  );
  const loops = SPAWN_LOOPS.filter(([id]) => context.wants(id));
  if (loops.length > 0 || context.wants("pipeline")) {
    at.cli.create("bench");
    const shells = [at.native(at.shm("bench")), at.cli.shell("bench")];
    for (const [id, loopOf] of loops) {
      for (const shell of shells) {
        out.push(
          phase(context, `${id}: ${shell.subject}`, () =>
            spawnShell(shell, id, loopOf, context.sizes.spawnLoop, context.runs),
          ),
        );
      }
    }
    for (const shell of context.wants("pipeline") ? shells : []) {
      out.push(
        phase(context, `pipeline: ${shell.subject}`, () =>
          pipeline(shell, context.sizes.pipelineBytes, context.runs),
        ),
      );
    }
    at.cli.remove("bench");
  }
  for (const a of APPLETS) if (context.wants(a.id)) out.push(...applet(a, at, context));
  if (METADATA.some((id) => context.wants(id))) out.push(...metadata(at, context));
  if (NET.some((id) => context.wants(id))) {
    out.push(...phase(context, "net.*", () => net(at, context)));
  }
  if (context.wants("persist.one-byte")) {
    out.push(phase(context, "persist.one-byte: overbox (CLI)", () => oneByte(at, context)));
  }
  return out;
}

export const nodeSuite: Suite = {
  name: "node (overbox CLI, native busybox)",
  async run(context) {
    if (!FIGURE_IDS.some((id) => context.wants(id))) return [];
    const shm = mkdtempSync("/dev/shm/overbox-bench-");
    const state = mkdtempSync(join(context.scratch, "node-state-"));
    const at: Subjects = {
      native: nativeShell,
      cli: new Overbox(context.root, state),
      shm: (name) => mkdtempSync(join(shm, `${name}-`)),
    };
    try {
      const out = phase(context, "node suite", () => measure(at, context));
      out.push(...(await cliMemory(context, state)));
      return out;
    } finally {
      // The containers and images are in `state`: removing it removes them.
      rmSync(shm, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  },
};
