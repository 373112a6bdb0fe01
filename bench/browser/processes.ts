/**
 * The process figures in the page (bench/page/processes.ts): spawn.api,
 * spawn.shell, pipeline, applet.* and metadata.*, each timed in the page
 * around the library's exec, with the scripts of workloads.ts (bb = "":
 * every command is BusyBox). As in the Node suite, a script's time is
 * taken less the median of `sh -c true`'s (run alternately with it: the
 * shell's start and exec's round trip to the worker), and spawn.shell
 * subtracts the same loop without a process per turn.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchEngineWithProfile } from "../../e2e/browser.ts";
import { integers, randomBytes } from "../data.ts";
import { figure } from "../figures.ts";
import {
  ENGINE_SUBJECTS,
  megabytesPerSecond,
  summarize,
  type BrowserEngine,
  type Measurement,
  type Subject,
} from "../measure.ts";
import type { Inputs, Timed } from "../page/processes.ts";
import type { BenchContext } from "../suite.ts";
import { scripts, type Sizes } from "../workloads.ts";

/** The figures measured in Firefox and WebKit too (Chromium has every one). */
const IN_EVERY_ENGINE = ["spawn.shell", "pipeline", "applet.awk"];

/** The applets' inputs, written once into the ephemeral container's upper layer (memory). */
const INPUTS: Inputs = {
  sha256: "/root/bench/random.bin",
  gzip: "/root/bench/words.txt",
  sort: "/root/bench/sort.txt",
  awk: "/root/bench/awk.txt",
};

interface Applet {
  id: string;
  script: string;
  /** What stdout must be, computed in Node from the same bytes; undefined: not checked. */
  expected?(sizes: Sizes): string;
}

const APPLETS: Applet[] = [
  {
    id: "applet.sha256sum",
    script: scripts.sha256sum(INPUTS.sha256, ""),
    expected: (s) =>
      `${createHash("sha256").update(randomBytes(s.sha256Bytes)).digest("hex")}  ${INPUTS.sha256}\n`,
  },
  { id: "applet.gzip", script: scripts.gzip(INPUTS.gzip, "") },
  { id: "applet.sort", script: scripts.sort(INPUTS.sort, "") },
  {
    id: "applet.awk",
    script: scripts.awk(INPUTS.awk, ""),
    expected: (s) => {
      let sum = 0;
      for (const line of new TextDecoder().decode(integers(s.awkLines, 1e6)).split("\n"))
        if (line) sum += Number(line);
      return `${sum}\n`;
    },
  },
];

const METADATA = ["metadata.create", "metadata.stat", "metadata.unlink"] as const;
/** The named container of the metadata figures (IndexedDB, in the browser profile on disk). */
const METADATA_CONTAINER = "bench-metadata";

const median = (values: number[]) => summarize(values).median;

function measurement(subject: Subject, id: string, samples: number[], note?: string): Measurement {
  return {
    figure: id,
    subject,
    unit: figure(id).unit,
    samples,
    ...(note ? { note } : {}),
  };
}

/** The page's window.processes, from Node. */
class ProcessesPage {
  constructor(
    private readonly page: Page,
    private readonly log: (message: string) => void,
    /** overbox's subject in this page's browser. */
    readonly subject: Subject,
  ) {}

  open(container: string): Promise<void> {
    return this.page.evaluate((c) => window.processes.open(c), container);
  }

  /** Runs `script`; throws unless it exits 0. */
  async run(script: string, cwd?: string): Promise<Timed> {
    const r = await this.page.evaluate(([s, c]) => window.processes.run(s, c), [
      script,
      cwd,
    ] as const);
    if (r.exitCode !== 0)
      throw new Error(`sh -c ${JSON.stringify(script)}: status ${r.exitCode}: ${r.stderr}`);
    return r;
  }

  /**
   * `script` `runs` times, each after a run of `sh -c true`; each run's ms
   * less the baselines' median. Logs each run as `label`.
   */
  async lessBaseline(label: string, script: string, runs: number): Promise<Timed[]> {
    await this.run(scripts.baseline());
    const baselines: number[] = [];
    const work: Timed[] = [];
    for (let run = 0; run < runs; run++) {
      baselines.push((await this.run(scripts.baseline())).ms);
      work.push(await this.run(script));
      this.log(`${label}, run ${run + 1}/${runs}: ${work[run]!.ms.toFixed(0)} ms`);
    }
    const base = median(baselines);
    return work.map((t) => ({ ...t, ms: t.ms - base }));
  }

  download(proxy: string): Promise<{ gateway: number; page: number }> {
    return this.page.evaluate((p) => window.processes.download(p), proxy);
  }

  apiSpawns(calls: number): Promise<number> {
    return this.page.evaluate((n) => window.processes.apiSpawns(n), calls);
  }

  lifoCommands(calls: number): Promise<number> {
    return this.page.evaluate((n) => window.processes.lifoCommands(n), calls);
  }

  writeInputs(sizes: Sizes): Promise<void> {
    return this.page.evaluate(([s, p]) => window.processes.writeInputs(s, p), [
      sizes,
      INPUTS,
    ] as const);
  }

  /** Waits until the container's changes are in IndexedDB; resolves with how long that took (ms, in the page). */
  sync(): Promise<number> {
    return this.page.evaluate(async () => {
      const start = performance.now();
      await window.processes.sync();
      return performance.now() - start;
    });
  }

  reset(): Promise<void> {
    return this.page.evaluate(() => window.processes.reset());
  }

  closeAll(): Promise<void> {
    return this.page.evaluate(() => window.processes.closeAll());
  }
}

async function cpuFigures(p: ProcessesPage, context: BenchContext): Promise<Measurement[]> {
  const { runs, sizes } = context;
  const out: Measurement[] = [];
  const container = "an ephemeral container (its upper layer in memory)";
  await p.open("ephemeral");
  await p.run(scripts.baseline());
  if (context.wants("spawn.api")) {
    context.log(`spawn.api: ${p.subject}`);
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push(await p.apiSpawns(sizes.apiSpawns));
    out.push(
      measurement(
        p.subject,
        "spawn.api",
        samples,
        `the mean of ${sizes.apiSpawns} calls after one warm-up, each awaited before the next; timed in the page (comlink round trip to the worker included)`,
      ),
    );
    context.log("spawn.api: lifo");
    const lifo: number[] = [];
    for (let run = 0; run < runs; run++) lifo.push(await p.lifoCommands(sizes.apiSpawns));
    out.push({
      figure: "spawn.api",
      subject: "lifo",
      unit: "ms",
      samples: lifo,
      note: `commands.run("true"), the mean of ${sizes.apiSpawns} calls after one warm-up; lifo runs commands as JavaScript functions on the page's thread, no process or worker`,
    });
  }
  const loops: Array<[string, (n: number, bb: string) => string]> = [
    ["spawn.shell", scripts.spawnLoop],
    ["spawn.subshell", scripts.subshellLoop],
    ["spawn.pipe", scripts.pipeLoop],
  ];
  for (const [id, loopOf] of loops) {
    if (!context.wants(id)) continue;
    context.log(`${id}: ${p.subject}`);
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) {
      const empty = (await p.run(scripts.emptyLoop(sizes.spawnLoop))).ms;
      const loop = (await p.run(loopOf(sizes.spawnLoop, ""))).ms;
      samples.push((loop - empty) / sizes.spawnLoop);
    }
    out.push(measurement(p.subject, id, samples, `${container}; timed in the page around exec`));
  }
  if (context.wants("pipeline")) {
    context.log(`pipeline: ${p.subject}`);
    const bytes = sizes.pipelineBytes;
    const timed = await p.lessBaseline("pipeline", scripts.pipeline(bytes, ""), runs);
    const samples = timed.map((t) => {
      if (Number(t.stdout.trim()) !== bytes)
        throw new Error(`pipeline: wc -c said ${t.stdout.trim()}, not ${bytes}`);
      return megabytesPerSecond(bytes, t.ms);
    });
    out.push(
      measurement(p.subject, "pipeline", samples, "time less `sh -c true`'s, timed in the page"),
    );
  }
  const applets = APPLETS.filter((a) => context.wants(a.id));
  if (applets.length) {
    context.log("applets: writing the inputs");
    await p.writeInputs(sizes);
  }
  for (const applet of applets) {
    context.log(`${applet.id}: ${p.subject}`);
    const timed = await p.lessBaseline(applet.id, applet.script, runs);
    const expected = applet.expected?.(sizes);
    for (const t of timed) {
      if (expected !== undefined && t.stdout !== expected)
        throw new Error(
          `${applet.id}: printed ${JSON.stringify(t.stdout)}, not ${JSON.stringify(expected)} (Node, same bytes)`,
        );
    }
    if (expected !== undefined)
      context.log(`${applet.id}: printed ${JSON.stringify(timed[0]!.stdout)}, as Node computes it`);
    out.push(
      measurement(
        p.subject,
        applet.id,
        timed.map((t) => t.ms),
        `input written once with the library's fs.writeFile into ${container}; time less \`sh -c true\`'s, timed in the page${expected !== undefined ? "; output checked against Node's on the same bytes" : ""}`,
      ),
    );
  }
  await p.closeAll();
  return out;
}

/**
 * create, stat and unlink, each run in /m of a named container reset
 * before the run; the changes are put in IndexedDB after each step (sync,
 * not timed), so that no step pays for the last one's writes.
 */
async function metadataFigures(p: ProcessesPage, context: BenchContext): Promise<Measurement[]> {
  const n = context.sizes.metadataFiles;
  await p.open(METADATA_CONTAINER);
  const baselines: number[] = [];
  const times = new Map<string, number[]>(METADATA.map((id) => [id, []]));
  const syncs = new Map<string, number[]>(METADATA.map((id) => [id, []]));
  await p.run(scripts.baseline());
  for (let run = 0; run < context.runs; run++) {
    context.log(`metadata: ${p.subject}, run ${run + 1}/${context.runs}`);
    await p.reset();
    await p.run("mkdir /m");
    await p.sync();
    baselines.push((await p.run(scripts.baseline(), "/m")).ms);
    times.get("metadata.create")!.push((await p.run(scripts.create(n, ""), "/m")).ms);
    syncs.get("metadata.create")!.push(await p.sync());
    const made = Number((await p.run("ls | wc -l", "/m")).stdout.trim());
    if (made !== n) throw new Error(`metadata: ${made} files made, not ${n}`);
    times.get("metadata.stat")!.push((await p.run(scripts.stat(n, ""), "/m")).ms);
    syncs.get("metadata.stat")!.push(await p.sync());
    times.get("metadata.unlink")!.push((await p.run(scripts.unlink(n, ""), "/m")).ms);
    syncs.get("metadata.unlink")!.push(await p.sync());
  }
  await p.closeAll();
  const base = median(baselines);
  return METADATA.filter((id) => context.wants(id)).map((id) =>
    measurement(
      p.subject,
      id,
      times.get(id)!.map((ms) => n / ((ms - base) / 1000)),
      `a named container (its upper layer in IndexedDB, in a browser profile on disk), reset before each run; time less \`sh -c true\`'s, timed in the page; ` +
        `the command returns before its changes are in IndexedDB: the sync after it (not timed) took ${median(syncs.get(id)!).toFixed(0)} ms (median)`,
    ),
  );
}

/**
 * net.fetch: a download through the gateway (wget in the page's worker,
 * the gateway's fetch) beside the page's own fetch of the same URL, from
 * an HTTP server of this process on localhost (another origin than the
 * bench site's; it allows every origin, as a CORS proxy does).
 */
async function netFigures(p: ProcessesPage, context: BenchContext): Promise<Measurement[]> {
  const bytes = context.sizes.downloadBytes;
  const body = randomBytes(bytes);
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      "Access-Control-Allow-Origin": "*",
      "Content-Type": "application/octet-stream",
      "Content-Length": String(bytes),
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "localhost", r));
  const proxy = `http://localhost:${(server.address() as AddressInfo).port}/`;
  try {
    const gateway: number[] = [];
    const page: number[] = [];
    await p.download(proxy);
    for (let run = 0; run < context.runs; run++) {
      const t = await p.download(proxy);
      context.log(
        `net.fetch, run ${run + 1}/${context.runs}: gateway ${t.gateway.toFixed(0)} ms, the page's fetch ${t.page.toFixed(0)} ms`,
      );
      gateway.push(megabytesPerSecond(bytes, t.gateway));
      page.push(megabytesPerSecond(bytes, t.page));
    }
    const note = `${bytes / 2 ** 20} MiB after one warm-up download, timed in the page`;
    return [
      measurement(
        p.subject,
        "net.fetch",
        gateway,
        `${note}: wget's process and the gateway's copies through the kernel's socket included`,
      ),
      measurement(
        "the page's fetch",
        "net.fetch",
        page,
        `${note}: fetch and arrayBuffer in the page`,
      ),
    ];
  } finally {
    server.close();
  }
}

/**
 * spawn.*, pipeline, applet.* and metadata.* in one browser, on the bench
 * page site at `siteUrl`: Chromium's every one, another engine's those of
 * IN_EVERY_ENGINE.
 */
export async function processFigures(
  all: BenchContext,
  siteUrl: string,
  engine: BrowserEngine = "chromium",
): Promise<Measurement[]> {
  const context: BenchContext = {
    ...all,
    wants: (id) => all.wants(id) && (engine === "chromium" || IN_EVERY_ENGINE.includes(id)),
  };
  const cpu = [
    "spawn.api",
    "spawn.shell",
    "spawn.subshell",
    "spawn.pipe",
    "pipeline",
    ...APPLETS.map((a) => a.id),
  ];
  const wantsCpu = cpu.some((id) => context.wants(id));
  const wantsMetadata = METADATA.some((id) => context.wants(id));
  const wantsNet = engine === "chromium" && context.wants("net.fetch");
  if (!wantsCpu && !wantsMetadata && !wantsNet) return [];
  // A profile on disk: IndexedDB of a context without one is kept in memory.
  const profile = await mkdtemp(join(tmpdir(), "overbox-bench-profile-"));
  let browser: BrowserContext | null = null;
  try {
    browser = await launchEngineWithProfile(engine, profile);
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on("pageerror", (e) => context.log(`processes page: ${String(e)}`));
    await page.goto(new URL("bench/page/processes.html", siteUrl).href);
    await page.waitForFunction(() => window.processes !== undefined);
    const p = new ProcessesPage(page, context.log, ENGINE_SUBJECTS[engine].overbox);
    const out: Measurement[] = [];
    if (wantsCpu) out.push(...(await cpuFigures(p, context)));
    if (wantsMetadata) out.push(...(await metadataFigures(p, context)));
    if (wantsNet) out.push(...(await netFigures(p, context)));
    return out;
  } finally {
    await browser?.close();
    await rm(profile, { recursive: true, force: true });
  }
}
