/**
 * What run.ts hands each suite, and what a suite is: a set of figures
 * measured on one platform (the page in Chromium, or Node).
 */
import type { Measurement } from "./measure.ts";
import type { Sizes } from "./workloads.ts";

export interface BenchContext {
  /** Repetitions per figure (at least 5 for the record). */
  runs: number;
  sizes: Sizes;
  /** Whether a figure was asked for (`--only`); a suite skips the others. */
  wants(figure: string): boolean;
  /** The repository's root, and a scratch directory below build/ for this run. */
  root: string;
  scratch: string;
  /** A line of progress on stderr. */
  log(message: string): void;
}

export interface Suite {
  name: string;
  run(context: BenchContext): Promise<Measurement[]>;
}
