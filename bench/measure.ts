/**
 * What a benchmark produces: repeated samples of one figure for one
 * subject (overbox in the browser, overbox's command, native busybox, a
 * peer). Suites return these; report.ts sets them beside the targets of
 * figures.ts. Runs only in Node and in the page alike (no platform imports).
 */

/** Who did the work. A figure is measured for several subjects in the same run. */
export type Subject =
  | "overbox (browser)"
  | "overbox (Firefox)"
  | "overbox (WebKit)"
  | "overbox (CLI)"
  | "native busybox"
  | "native (clang)"
  | "native (python3.11)"
  | "raw IndexedDB"
  | "raw IndexedDB (Firefox)"
  | "raw IndexedDB (WebKit)"
  | "ZenFS"
  | "lifo"
  | "the page's fetch";

/**
 * The browsers the browser suite measures overbox in: "overbox (browser)"
 * is Chromium's (every figure), Firefox ESR's and WebKit's (with Safari's
 * storage features, e2e/webkit.ts) have start, spawn, the pipeline, a CPU
 * applet and persistence beside raw IndexedDB in the same browser.
 */
export type BrowserEngine = "chromium" | "firefox" | "webkit";

/** overbox's subject in `engine`, and raw IndexedDB's there. */
export const ENGINE_SUBJECTS: Record<BrowserEngine, { overbox: Subject; raw: Subject }> = {
  chromium: { overbox: "overbox (browser)", raw: "raw IndexedDB" },
  firefox: { overbox: "overbox (Firefox)", raw: "raw IndexedDB (Firefox)" },
  webkit: { overbox: "overbox (WebKit)", raw: "raw IndexedDB (WebKit)" },
};

/**
 * The subject a figure of `subject` is compared to, where the figure
 * compares with `compare` (raw IndexedDB in Chromium): the same browser's
 * raw IndexedDB for overbox in Firefox or WebKit, and nobody (itself) for
 * raw IndexedDB there; else `compare` itself.
 */
export function comparedIn(subject: Subject, compare: Subject): Subject {
  if (compare !== "raw IndexedDB") return compare;
  const engine = Object.values(ENGINE_SUBJECTS).find(
    (e) => e.overbox === subject || e.raw === subject,
  );
  return engine ? (engine.raw === subject ? subject : engine.raw) : compare;
}

export type Unit = "ms" | "MB/s" | "ops/s" | "bytes" | "MB" | "×";

export interface Measurement {
  /** A figure of figures.ts. */
  figure: string;
  subject: Subject;
  unit: Unit;
  /** One value per repetition; empty when the subject cannot do the workload (see note). */
  samples: number[];
  /** Why the subject cannot do the workload, or what to know when reading the figure. */
  note?: string;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * Runs `body` `times` times, one after another, and collects what each
 * run returns (a duration, a rate: the caller decides).
 */
export async function repeat(
  times: number,
  body: (run: number) => Promise<number>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < times; run++) samples.push(await body(run));
  return samples;
}

/** A workload a subject cannot do: a measurement with no samples and the reason. */
export function cannot(figure: string, subject: Subject, unit: Unit, note: string): Measurement {
  return { figure, subject, unit, samples: [], note };
}

/** Megabytes (10^6 bytes) per second for `bytes` moved in `ms`. */
export function megabytesPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}
