/**
 * The persistence figures (persist.*): overbox's library in headless
 * Chromium beside raw IndexedDB, ZenFS (CopyOnWrite over its IndexedDB
 * backend) and lifo (Sandbox.create({ persist: true })), in the same run.
 * The page bench/page/persistence.html does and times the work; this side
 * gives each call a fresh page of one browser profile kept on disk (a
 * context without a profile keeps IndexedDB in memory), so a reopen is a
 * new page over the data the last one stored. Every database is deleted
 * before each run's workloads, so each run starts from empty stores.
 *
 * A subject whose data do not come back as written (the check after each
 * reopen) gets no figure for that workload: its samples are dropped and it
 * is not run again; `cannot` says what was read back.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchEngineWithProfile } from "../../e2e/browser.ts";
import { figure } from "../figures.ts";
import {
  cannot,
  ENGINE_SUBJECTS,
  megabytesPerSecond,
  type BrowserEngine,
  type Measurement,
  type Subject,
} from "../measure.ts";
import type { BigSubject, FileSubject, PersistencePage } from "../page/persistence.ts";
import type { BenchContext } from "../suite.ts";

const OVERBOX = "overbox (browser)";
const RAW = "raw IndexedDB";
// (The page's names for the two; in Firefox and WebKit they are reported as ENGINE_SUBJECTS'.)
const ZENFS = "ZenFS";
const LIFO = "lifo";

const WRITE = "persist.write";
const OPEN = "persist.open";
const READ = "persist.read";
const SMALL_WRITE = "persist.small-write";
const SMALL_READ = "persist.small-read";
const ONE_BYTE = "persist.one-byte";

/** Who is measured for each figure, in the report's order. */
const SUBJECTS: Record<string, Subject[]> = {
  [WRITE]: [OVERBOX, RAW, ZENFS, LIFO],
  [OPEN]: [OVERBOX, ZENFS, LIFO],
  [READ]: [OVERBOX, RAW, ZENFS, LIFO],
  [SMALL_WRITE]: [OVERBOX, ZENFS, LIFO],
  [SMALL_READ]: [OVERBOX, ZENFS, LIFO],
  [ONE_BYTE]: [OVERBOX, ZENFS],
};

const BIG_SUBJECTS: BigSubject[] = [OVERBOX, RAW, ZENFS, LIFO];
const FILE_SUBJECTS: FileSubject[] = [OVERBOX, ZENFS, LIFO];

/** What to know when reading a figure, by figure and subject. */
const NOTES: Record<string, Partial<Record<Subject, string>>> = {
  [OPEN]: {
    [OVERBOX]:
      "a new page: from Sandbox.open() (a new worker, the image's manifest and layer fetched) to readdir() listing the file with its size",
    [ZENFS]:
      "from mounting to stat() of the file; mounting the IndexedDB backend reads every value of the database into memory",
    [LIFO]: "from Sandbox.create({ persist: true }) (loading the saved tree) to stat() of the file",
  },
  [READ]: {
    [ZENFS]: "served from the copy that mounting read into memory (persist.open has that cost)",
    [RAW]: "getAll() of the chunks in a new connection, joined into one array",
  },
  [SMALL_WRITE]: {
    [ZENFS]:
      "every operation is its own IndexedDB transaction, and each new file rewrites its directory's listing (one value, every entry)",
    [LIFO]: "the whole tree saved as one value at the sync (files inline, base64)",
  },
  [SMALL_READ]: {
    [OVERBOX]: "timed from Sandbox.open() in a new page to the last file read and checked",
    [ZENFS]: "timed from mounting in a new page to the last file read and checked",
    [LIFO]: "timed from Sandbox.create() in a new page to the last file read and checked",
  },
  [ONE_BYTE]: {
    [OVERBOX]:
      "the image: a container's file, committed; bytes are the keys and values of the new container's database (overbox-NAME) and the size of its replica (overbox.replicas/NAME in the origin private file system), measured while the container is closed",
    [ZENFS]:
      "the readable layer is an InMemory file system holding the file; CopyOnWrite copies the whole file up",
  },
};

/** Why lifo's big file does not come back (lifo 0.5.0's VFS and serializer). */
const LIFO_BIG_FILES =
  "lifo keeps a file of 1 MiB or more as 256 KiB chunks in an in-memory cache of 64 MiB (least recently used dropped) and saves only the chunks' hashes to IndexedDB";

/**
 * How long one page call may take before it is given up: ZenFS writes
 * 10,000 small files in about 7 minutes on a 2-core machine.
 */
const CALL_TIMEOUT_MS = 30 * 60_000;

/** Samples by figure and subject, and the workloads a subject could not do. */
class Tally {
  private readonly samples = new Map<string, number[]>();
  private readonly failures = new Map<string, string>();

  /**
   * `subjects`: who is measured for each figure, as the page names them;
   * `as`: the subject a measurement is reported under.
   */
  constructor(
    private readonly subjects: Record<string, Subject[]>,
    private readonly as: (subject: Subject) => Subject,
  ) {}

  add(figureId: string, subject: Subject, value: number): void {
    const key = `${figureId}|${subject}`;
    this.samples.set(key, [...(this.samples.get(key) ?? []), value]);
  }

  fail(figures: string[], subject: Subject, note: string): void {
    for (const f of figures) {
      if (this.subjects[f]?.includes(subject)) this.failures.set(`${f}|${subject}`, note);
    }
  }

  failed(figureId: string, subject: Subject): boolean {
    return this.failures.has(`${figureId}|${subject}`);
  }

  measurements(figures: string[]): Measurement[] {
    const out: Measurement[] = [];
    for (const f of figures) {
      const unit = figure(f).unit;
      for (const subject of this.subjects[f] ?? []) {
        const key = `${f}|${subject}`;
        const failure = this.failures.get(key);
        if (failure !== undefined) {
          out.push(cannot(f, this.as(subject), unit, failure));
          continue;
        }
        const samples = this.samples.get(key);
        if (!samples) continue;
        const note = NOTES[f]?.[subject];
        out.push({
          figure: f,
          subject: this.as(subject),
          unit,
          samples,
          ...(note ? { note } : {}),
        });
      }
    }
    return out;
  }
}

/** One page at a time of the profile's browser, each new one at the persistence page. */
class Pages {
  private page: Page | null = null;

  constructor(
    private readonly browser: BrowserContext,
    private readonly url: string,
  ) {}

  /** Runs `body` on a fresh page (the last one closed, its workers and connections with it). */
  async call<T>(body: (page: Page) => Promise<T>): Promise<T> {
    await this.page?.close();
    const page = await this.browser.newPage();
    this.page = page;
    await page.goto(this.url);
    await page.waitForFunction(() => window.persistence !== undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${CALL_TIMEOUT_MS / 1000} s`)),
        CALL_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([body(page), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.page?.close();
    this.page = null;
  }
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

/**
 * The persist.* figures in `engine`: Chromium's every one; in Firefox and
 * WebKit, the big file's write and read beside raw IndexedDB in the same
 * browser, under that browser's subjects (ENGINE_SUBJECTS).
 */
export async function persistence(
  context: BenchContext,
  site: { url: string },
  engine: BrowserEngine = "chromium",
): Promise<Measurement[]> {
  const elsewhere = engine !== "chromium";
  const subjects: Record<string, Subject[]> = elsewhere
    ? { [WRITE]: [OVERBOX, RAW], [READ]: [OVERBOX, RAW] }
    : SUBJECTS;
  const figures = Object.keys(subjects).filter((f) => context.wants(f));
  if (!figures.length) return [];
  const wants = (f: string) => figures.includes(f);
  const { sizes } = context;
  const as = (s: Subject): Subject =>
    !elsewhere
      ? s
      : s === OVERBOX
        ? ENGINE_SUBJECTS[engine].overbox
        : s === RAW
          ? ENGINE_SUBJECTS[engine].raw
          : s;
  const bigSubjects: BigSubject[] = elsewhere ? [OVERBOX, RAW] : BIG_SUBJECTS;
  const tally = new Tally(subjects, as);
  const pageUrl = new URL("bench/page/persistence.html", site.url);
  pageUrl.searchParams.set("images", new URL("images", site.url).href);
  const profile = await mkdtemp(join(context.scratch, "persistence-profile-"));
  const browser = await launchEngineWithProfile(engine, profile);
  const pages = new Pages(browser, pageUrl.href);
  /** Calls `window.persistence[method](...args)` on a fresh page. */
  const call = <K extends keyof PersistencePage>(
    method: K,
    ...args: Parameters<PersistencePage[K]>
  ): ReturnType<PersistencePage[K]> =>
    pages.call((page) =>
      page.evaluate(
        ([m, a]) => (window.persistence[m] as (...x: unknown[]) => Promise<unknown>)(...a),
        [method, args] as const,
      ),
    ) as ReturnType<PersistencePage[K]>;
  const clear = () => call("clear");

  /** Runs `step` for `subject`; a throw makes every figure of `figs` a `cannot` for it. */
  const attempt = async <T>(subject: Subject, figs: string[], step: () => Promise<T>) => {
    try {
      return await step();
    } catch (e) {
      tally.fail(figs, subject, `threw: ${message(e)}`);
      return undefined;
    }
  };

  try {
    for (let run = 0; run < context.runs; run++) {
      const progress = `persistence, run ${run + 1} of ${context.runs}`;
      const big = [WRITE, OPEN, READ];
      if (big.some(wants)) {
        context.log(`${progress}: one file of ${sizes.persistBytes} bytes`);
        await clear();
        const store = "bench-big";
        const bytes = sizes.persistBytes;
        const active = bigSubjects.filter((s) => !big.some((f) => tally.failed(f, s)));
        const written: BigSubject[] = [];
        for (const subject of active) {
          const ms = await attempt(subject, big, () => call("write", subject, store, bytes));
          if (ms === undefined) continue;
          written.push(subject);
          if (wants(WRITE)) tally.add(WRITE, subject, megabytesPerSecond(bytes, ms));
        }
        for (const subject of written) {
          const r = await attempt(subject, big, () => call("reopen", subject, store, bytes));
          if (!r) continue;
          if (r.problem) {
            const why = subject === LIFO ? `; ${LIFO_BIG_FILES}` : "";
            tally.fail(big, subject, `after a reopen, ${r.problem} (${bytes} written)${why}`);
            continue;
          }
          if (wants(OPEN) && r.openMs !== undefined) tally.add(OPEN, subject, r.openMs);
          if (wants(READ)) tally.add(READ, subject, megabytesPerSecond(bytes, r.readMs));
        }
      }
      const small = [SMALL_WRITE, SMALL_READ];
      if (small.some(wants)) {
        context.log(`${progress}: ${sizes.smallFiles} files of ${sizes.smallFileBytes} bytes`);
        await clear();
        const store = "bench-small";
        const n = sizes.smallFiles;
        const size = sizes.smallFileBytes;
        const active = FILE_SUBJECTS.filter((s) => !small.some((f) => tally.failed(f, s)));
        const written: FileSubject[] = [];
        for (const subject of active) {
          const ms = await attempt(subject, small, () =>
            call("smallWrite", subject, store, n, size),
          );
          if (ms === undefined) continue;
          written.push(subject);
          if (wants(SMALL_WRITE)) tally.add(SMALL_WRITE, subject, n / (ms / 1000));
        }
        for (const subject of written) {
          const r = await attempt(subject, small, () => call("smallRead", subject, store, n, size));
          if (!r) continue;
          if (r.problem) {
            tally.fail(small, subject, `after a reopen, ${r.problem}`);
            continue;
          }
          if (wants(SMALL_READ)) tally.add(SMALL_READ, subject, n / (r.ms / 1000));
        }
      }
      if (wants(ONE_BYTE)) {
        context.log(`${progress}: one byte into a lower file of ${sizes.lowerFileBytes} bytes`);
        await clear();
        for (const subject of [OVERBOX, ZENFS] as const) {
          if (tally.failed(ONE_BYTE, subject)) continue;
          const r = await attempt(subject, [ONE_BYTE], () =>
            call("oneByte", subject, sizes.lowerFileBytes),
          );
          if (!r) continue;
          if (r.problem) tally.fail([ONE_BYTE], subject, `after the write, ${r.problem}`);
          else tally.add(ONE_BYTE, subject, r.after - r.before);
        }
      }
    }
    await clear();
  } finally {
    await pages.close();
    await browser.close();
    // Chromium's last writes into the profile may come after close() returns.
    await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  }
  return tally.measurements(figures);
}
