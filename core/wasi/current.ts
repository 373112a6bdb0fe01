import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import type { WasmLoader } from "./loader.ts";

/**
 * Whom an instance's imports serve: the process running the instance now,
 * with its kernel and loader (Linux's `current`). An instance outlives its
 * process (it is kept for the next fork of its module, instance-pool.ts),
 * so the import functions look these up at each call instead of keeping
 * them.
 */
export interface Current {
  readonly proc: Process;
  readonly kernel: Kernel;
  readonly loader: WasmLoader;
  /** Delivers the deliverable signals now (program.ts). */
  deliver(): void;
}
