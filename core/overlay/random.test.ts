/**
 * Randomized comparison of the overlay with the reference: thousands of
 * random operation sequences over a small namespace (so names collide
 * often), each run on a fresh overlay of BASE and on a fresh MemoryFilesystem
 * of BASE. Every operation must answer the same on both, and the trees must
 * match at the end, and again after the overlay is reopened from its store.
 *
 * A failing sequence is shrunk to the fewest steps that still diverge and
 * reported with its seed. Replay one seed (on both stores) with
 * `OVERBOX_SEED=1234 npx vitest run core/overlay/random.test.ts`, and
 * only some of its steps with `OVERBOX_STEPS=0,5,7`. `OVERBOX_SEED_BASE`
 * moves the range of seeds and `OVERBOX_SEQUENCES` scales their number, to
 * search further than the fixed seeds the suite runs by default.
 */
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { applyLayer } from "../image/image.ts";
import { buildLayer } from "../image/layer.ts";
import type { LayerFilesystem } from "../image/layer-fs.ts";
import { IndexedDbStore } from "../../browser/indexeddb.ts";
import type { MemoryStore } from "../store/memory.ts";
import type { Store } from "../store/store.ts";
import type { Filesystem } from "../vfs/filesystem.ts";
import { MemoryFilesystem } from "../vfs/memory.ts";
import { resolveExisting } from "../vfs/resolve.ts";
import { WouldBlock } from "../vfs/would-block.ts";
import { checkUpper } from "./fsck.ts";
import { applyOperation, operator, type Outcome } from "../testing/operations.ts";
import type { Operation } from "../testing/scenarios.ts";
import {
  BASE,
  contentOf,
  layered,
  lazyLowerLayers,
  lowerLayers,
  newStore,
  openOverlay,
  rememberingReads,
  type StoreKind,
} from "../testing/layers.ts";
import type { UpperOptions } from "./upper.ts";

/**
 * One step of a sequence: an operation on both sides, or something only the
 * overlay does: commit its changes (waiting for the commit, or letting it
 * run under the next operations), or close and reopen from its store.
 */
type Step = Operation | { op: "sync"; wait: boolean } | { op: "reopen" };

interface Run {
  seed: number;
  store: StoreKind;
  layers: number;
  options: UpperOptions;
  steps: Step[];
  /** Close and reopen the overlay at the end and compare its tree again. */
  reopenAtEnd: boolean;
  /** The lower layers kept in chunks, fetched as they are read (a page's big layers). */
  lazy: boolean;
}

const env = (name: string): string | undefined => globalThis.process?.env?.[name];

/** mulberry32: a small seeded PRNG, good enough to pick operations. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** One of `choices`, by weight. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let r = this.next() * choices.reduce((n, [w]) => n + w, 0);
    for (const [w, value] of choices) {
      if ((r -= w) < 0) return value;
    }
    return choices.at(-1)![1];
  }
}

/**
 * The namespace: BASE's files and directories (with paths through its
 * symlinks, and names the lower layers hold but white out), and the paths a
 * sequence has made so far. Made names come from a few short ones, at most
 * three deep, so that operations keep meeting each other.
 */
const baseFiles = [
  ...BASE.filter((e) => e.type !== "directory").map((e) => e.path),
  "usr/bin/up/passwd",
  "decoy-0",
  "decoy-dir-0/child",
  "etc/decoy-0",
  "opq/junk-0",
];
const baseDirs = [
  ...new Set(
    BASE.flatMap((e) => [...ancestors(e.path), ...(e.type === "directory" ? [e.path] : [])]),
  ),
  "usr/bin/up",
  "decoy-dir-0",
];
const names = ["a", "b", "c", "a", "b", "c", "passwd", "deep", "kept", "sh", "etc", "x"];
const targets = ["a", "b", "c", "../a", "../etc", "passwd", "deep", "busybox", "x/y", "/a", "/etc"];
const modes = [0o755, 0o644, 0o600, 0o700, 0o4755, 0o2755, 0o2775, 0o1777, 0o640, 0o000];
const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"; // 37: a shifted chunk shows

/** "a/b/c" → "a", "a/b". */
function ancestors(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Paths to pick from: BASE's, and those the sequence so far has made. */
class Namespace {
  readonly files = [...baseFiles];
  readonly dirs = [...baseDirs];

  constructor(private readonly r: Random) {}

  /** A path, of an object of that kind more often than not. */
  path(kind: "file" | "dir" | "new"): string {
    const r = this.r;
    let path: string;
    if (kind !== "new" && r.chance(0.6)) {
      path = r.pick(r.chance(0.8) === (kind === "file") ? this.files : this.dirs);
    } else {
      // A name in a directory at most two deep.
      const dir = r.chance(0.2) ? "" : r.pick(this.dirs.filter((d) => d.split("/").length <= 2));
      path = dir === "" ? r.pick(names) : `${dir}/${r.pick(names)}`;
    }
    // Now and then through `..` of a directory, or ending in a slash or `/.`.
    if (r.chance(0.04)) path = `${r.pick(this.dirs)}/../${path}`;
    return `/${path}${r.weighted([
      [95, ""],
      [3, "/"],
      [2, "/."],
    ])}`;
  }

  /** Remembers a path an operation may have made (it may have failed: no matter). */
  made(path: string, kind: "file" | "dir"): void {
    const bare = path.replace(/^\/|\/$/g, "");
    const pool = kind === "file" ? this.files : this.dirs;
    if (!pool.includes(bare)) pool.push(bare);
  }
}

function randomData(r: Random): string {
  const length = r.weighted([
    [70, () => 1 + r.int(20)],
    [20, () => 100 + r.int(1900)],
    [10, () => 2000 + r.int(68_000)],
  ])();
  const from = r.int(alphabet.length);
  let out = "";
  while (out.length < length + from) out += alphabet;
  return out.slice(from, from + length);
}

function randomOffset(r: Random): number {
  return r.chance(0.25) ? r.int(200_000) : r.int(600);
}

function randomSize(r: Random): number {
  return r.weighted([
    [3, () => 0],
    [5, () => r.int(600)],
    [3, () => r.int(310_000)],
  ])();
}

function randomOperation(r: Random, ns: Namespace): Operation {
  const file = (made = false) => {
    const path = ns.path(r.chance(made ? 0.4 : 0.1) ? "new" : "file");
    if (made) ns.made(path, "file");
    return path;
  };
  const dir = (made = false) => {
    const path = ns.path(r.chance(made ? 0.7 : 0.1) ? "new" : "dir");
    if (made) ns.made(path, "dir");
    return path;
  };
  const any = () => (r.chance(0.6) ? file() : dir());
  const mode = () => (r.chance(0.3) ? r.pick(modes) : undefined);
  return r.weighted<() => Operation>([
    [
      14,
      () => ({
        op: "write",
        path: file(true),
        data: randomData(r),
        offset: r.chance(0.4) ? randomOffset(r) : undefined,
      }),
    ],
    [8, () => ({ op: "append", path: file(true), data: randomData(r) })],
    [5, () => ({ op: "create", path: file(true), mode: mode() })],
    [7, () => ({ op: "truncate", path: file(), size: randomSize(r) })],
    [10, () => ({ op: "mkdir", path: dir(true), mode: mode() })],
    [7, () => ({ op: "rmdir", path: dir() })],
    [8, () => ({ op: "unlink", path: file() })],
    [8, () => ({ op: "rename", from: file(), to: file(true) })],
    [6, () => ({ op: "rename", from: dir(), to: dir(true) })],
    [2, () => ({ op: "rename", from: any(), to: any() })],
    [5, () => ({ op: "link", from: file(), to: file(true) })],
    [6, () => ({ op: "symlink", target: r.pick(targets), path: file(true) })],
    [4, () => ({ op: "chmod", path: any(), mode: r.pick(modes) })],
    [
      4,
      () => ({
        op: "chown",
        path: any(),
        uid: r.pick([0, 1, 2, 1000]),
        gid: r.pick([0, 1, 42, 100]),
      }),
    ],
    [3, () => ({ op: "mkfifo", path: file(true) })],
    [8, () => ({ op: "read", path: file() })],
    [6, () => ({ op: "readdir", path: dir() })],
  ])();
}

/** The run a seed stands for: its store options, layers and steps. */
function plan(seed: number, store: StoreKind): Run {
  const r = new Random(seed);
  const options: UpperOptions = {};
  if (r.chance(0.3)) options.chunkSize = 512;
  if (r.chance(0.3)) options.cacheBytes = 4096;
  const layers = 1 + r.int(3);
  const ns = new Namespace(r);
  const steps: Step[] = [];
  const count = 25 + r.int(16);
  const reopening = r.chance(0.1);
  for (let i = 0; i < count; i++) {
    if (r.chance(0.06)) steps.push({ op: "sync", wait: r.chance(0.5) });
    if (reopening && r.chance(0.05)) steps.push({ op: "reopen" });
    steps.push(randomOperation(r, ns));
  }
  const reopenAtEnd = reopening || r.chance(0.1);
  return { seed, store, layers, options, steps, reopenAtEnd, lazy: r.chance(0.3) };
}

const lowersByCount = new Map<number, Promise<LayerFilesystem[]>>();
const lowersFor = (count: number) => {
  let lowers = lowersByCount.get(count);
  if (!lowers) lowersByCount.set(count, (lowers = lowerLayers(layered(BASE, count))));
  return lowers;
};

const lazyByCount = new Map<number, Promise<() => LayerFilesystem[]>>();
const lazyLowersFor = async (count: number) => {
  let lowers = lazyByCount.get(count);
  if (!lowers) lazyByCount.set(count, (lowers = lazyLowerLayers(layered(BASE, count))));
  return (await lowers)();
};

/** reference(BASE), with the layer built once: applying it borrows the file bytes. */
const baseLayer = buildLayer(BASE);
async function freshReference(): Promise<MemoryFilesystem> {
  const layer = await baseLayer;
  const fs = new MemoryFilesystem();
  applyLayer(fs, layer.index.entries, layer.data);
  return fs;
}

/** The same store opened again, as after a reload. */
function reopened(store: Store, kind: StoreKind): Store {
  if (kind === "memory") return (store as MemoryStore).reopen();
  return new IndexedDbStore((store as IndexedDbStore).database);
}

/**
 * `retrying`, but a call that still would block after many tries fails:
 * with the memory store a load is only microtasks, so a livelock would
 * hang the test with no timer left to stop it.
 */
async function settle<T>(call: () => T): Promise<T> {
  for (let tries = 0; tries < 1000; tries++) {
    try {
      return call();
    } catch (e) {
      if (!(e instanceof WouldBlock)) throw e;
      await e.ready;
    }
  }
  throw new Error("would block for ever");
}

/** An outcome, or what was thrown that is no errno (a bug either way). */
async function outcome(run: () => Outcome | Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (e) {
    return { result: `threw ${e instanceof Error ? e.stack : String(e)}` };
  }
}

/**
 * A tree description with the link count of every non-directory added
 * (those of directories are Linux's business: a merged one says 1).
 */
function linkCounts(fs: Filesystem, tree: Map<string, string>): Map<string, string> {
  return new Map(
    [...tree].map(([path, line]) => {
      if (line.startsWith("directory")) return [path, line];
      const st = fs.stat(resolveExisting(fs, fs.root, path, { follow: false }));
      return [path, `${line}, ${st.nlink} links`];
    }),
  );
}

function treeDifference(ours: Map<string, string>, theirs: Map<string, string>): string | null {
  const lines: string[] = [];
  for (const path of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(path);
    const b = theirs.get(path);
    if (a !== b) lines.push(`  ${path}: overlay ${a ?? "(none)"}, reference ${b ?? "(none)"}`);
  }
  return lines.length === 0 ? null : lines.slice(0, 10).join("\n");
}

/** Runs a sequence on both sides; answers the first divergence, or null. */
async function execute(run: Run): Promise<string | null> {
  const lowers = run.lazy ? await lazyLowersFor(run.layers) : await lowersFor(run.layers);
  let store = newStore(run.store);
  let ov = await openOverlay(store, lowers, run.options);
  const ref = await freshReference();
  // An operation is made again as a whole after WouldBlock; what its reads
  // answered before is kept (see rememberingReads), as a process makes one
  // call at a time.
  const reads = new Map<string, Uint8Array>();
  let ours = operator(rememberingReads(ov, reads));
  const theirs = operator(ref);
  const background: Array<Promise<unknown>> = [];
  const compareTrees = async (when: string) => {
    let tree: Map<string, string>;
    try {
      tree = await contentOf(ov, settle);
    } catch (e) {
      return `${when}: describing the overlay threw ${e instanceof Error ? e.stack : String(e)}`;
    }
    const d = treeDifference(linkCounts(ov, tree), linkCounts(ref, await contentOf(ref)));
    return d && `${when}, the trees differ:\n${d}`;
  };
  /** What fsck finds wrong in the store, once every change is in it. */
  const consistent = async (when: string) => {
    const report = await ov.upper.whileStill(() => checkUpper(store, lowers));
    const lines = report.problems.map((p) => `  ${p.key} ${p.path ?? ""}: ${p.message}`);
    return lines.length === 0 ? null : `${when}, fsck found:\n${lines.slice(0, 10).join("\n")}`;
  };
  const reopen = async () => {
    await ov.upper.close();
    store = reopened(store, run.store);
    ov = await openOverlay(store, lowers, run.options);
    ours = operator(rememberingReads(ov, reads));
  };
  try {
    for (const [i, step] of run.steps.entries()) {
      if (step.op === "sync") {
        const done = ov.upper.sync();
        if (step.wait) await done;
        else background.push(done.catch(() => undefined));
        continue;
      }
      if (step.op === "reopen") {
        await reopen();
        const d = await compareTrees(`after reopening at step ${i}`);
        if (d) return d;
        continue;
      }
      reads.clear();
      const got = await outcome(() => settle(() => applyOperation(ours, step)));
      const want = await outcome(() => applyOperation(theirs, step));
      if (got.result !== want.result || got.output !== want.output) {
        return `step ${i} ${show(step)}: overlay ${show(got)}, reference ${show(want)}`;
      }
    }
    const d = (await compareTrees("at the end")) ?? (await consistent("at the end"));
    if (d) return d;
    if (run.reopenAtEnd) {
      await reopen();
      return (
        (await compareTrees("after reopening at the end")) ??
        (await consistent("after reopening at the end"))
      );
    }
    return null;
  } finally {
    await Promise.all(background);
    await ov.upper.close().catch(() => undefined);
  }
}

/** JSON with long data cut short: it is for reading, the seed for replaying. */
function show(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (key === "data" && typeof v === "string" && v.length > 40) {
      return `${v.slice(0, 12)}…(${v.length} chars)`;
    }
    return v;
  });
}

/**
 * The fewest steps (by index into the run's steps) that still diverge:
 * drops halves, then quarters, and so on down to single steps, for as long
 * as anything can go.
 */
async function minimise(run: Run): Promise<number[]> {
  let kept = run.steps.map((_, i) => i);
  const diverges = async (indices: number[]) =>
    (await execute({ ...run, steps: indices.map((i) => run.steps[i]!) })) !== null;
  let size = Math.ceil(kept.length / 2);
  while (size >= 1) {
    let dropped = false;
    for (let at = 0; at < kept.length;) {
      const fewer = [...kept.slice(0, at), ...kept.slice(at + size)];
      if (fewer.length < kept.length && (await diverges(fewer))) {
        kept = fewer;
        dropped = true;
      } else {
        at += size;
      }
    }
    if (!dropped) size = size === 1 ? 0 : Math.ceil(size / 2);
  }
  return kept;
}

/** Runs one seed; on a divergence, fails with the shrunk sequence and how to replay it. */
async function check(seed: number, store: StoreKind): Promise<void> {
  const run = plan(seed, store);
  const only = env("OVERBOX_STEPS");
  const indices = only ? only.split(",").map(Number) : run.steps.map((_, i) => i);
  run.steps = indices.map((i) => run.steps[i]!);
  const divergence = await execute(run);
  if (divergence === null) return;
  const kept = await minimise(run);
  const shrunk = { ...run, steps: kept.map((i) => run.steps[i]!) };
  const lines = [
    `seed ${seed} diverges on the ${store} store over ${run.layers} lower layers` +
      ` (options ${show(run.options)}${run.reopenAtEnd ? ", reopened at the end" : ""}):`,
    `  ${divergence}`,
    `shrunk to ${kept.length} of ${run.steps.length} steps:`,
    ...shrunk.steps.map((s) => `  ${show(s)}`),
    `  ${(await execute(shrunk)) ?? "(no longer diverges: it depends on timing)"}`,
    `replay: OVERBOX_SEED=${seed} OVERBOX_STEPS=${kept.map((k) => indices[k]).join(",")}` +
      " npx vitest run core/overlay/random.test.ts",
  ];
  expect.fail(lines.join("\n"));
}

const seedBase = Number(env("OVERBOX_SEED_BASE") ?? 1);
const scale = Number(env("OVERBOX_SEQUENCES") ?? 1);
const onlySeed = env("OVERBOX_SEED");

/** Seeds `from`..`from + count - 1`, cut into blocks of one test each. */
function blocks(from: number, count: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = from; s < from + count; s += size) out.push([s, Math.min(size, from + count - s)]);
  return out;
}

describe.skipIf(onlySeed !== undefined)("random sequences: the overlay as the reference", () => {
  it.each(blocks(seedBase, Math.round(2000 * scale), 250))(
    "on the memory store: from seed %i, %i seeds",
    async (from, count) => {
      for (let seed = from; seed < from + count; seed++) await check(seed, "memory");
    },
  );
  // IndexedDB's seeds are a range of their own, so that one seed is one run.
  it.each(blocks(seedBase + 1_000_000, Math.round(200 * scale), 50))(
    "on the indexeddb store: from seed %i, %i seeds",
    async (from, count) => {
      for (let seed = from; seed < from + count; seed++) await check(seed, "indexeddb");
    },
  );
});

describe.runIf(onlySeed !== undefined)(`random sequence ${onlySeed}, replayed`, () => {
  it.each(["memory", "indexeddb"] as const)("on the %s store", async (store) => {
    await check(Number(onlySeed), store);
  });
});

/**
 * Sequences the random runs found diverging, shrunk, and kept as tests of
 * the fixes; each runs on both stores over one, two and three lower layers.
 */
const found: Array<{ name: string; options?: UpperOptions; steps: Step[] }> = [
  {
    name: "a read that spans more chunks than the cache holds (it loaded and evicted them for ever)",
    options: { chunkSize: 512, cacheBytes: 4096 },
    steps: [
      { op: "write", path: "/tmp/f", data: "0123456789".repeat(1000) },
      { op: "sync", wait: true },
      { op: "read", path: "/tmp/f" },
      { op: "write", path: "/tmp/f", data: "x", offset: 5000 },
    ],
  },
  {
    name: "unlink of one name of a lower hard-linked file leaves the other one link (it said 2)",
    steps: [{ op: "unlink", path: "/etc/passwd" }],
  },
  {
    name: "rename over one name of a lower hard-linked file leaves the other one link, reopened too",
    steps: [
      { op: "rename", from: "/etc/group", to: "/usr/bin/up/passwd-" },
      { op: "reopen" },
      { op: "unlink", path: "/etc/passwd" },
    ],
  },
];

describe("random sequences found diverging, fixed", () => {
  for (const { name, options, steps } of found) {
    it(name, async () => {
      for (const store of ["memory", "indexeddb"] as const) {
        for (const layers of [1, 2, 3]) {
          for (const lazy of [false, true]) {
            const run = { seed: 0, store, layers, options: options ?? {}, steps, lazy };
            expect(
              await execute({ ...run, reopenAtEnd: true }),
              `${store} store, ${layers} lower layers${lazy ? ", fetched as read" : ""}`,
            ).toBeNull();
          }
        }
      }
    });
  }
});
