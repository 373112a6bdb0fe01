/**
 * The messages between the `overbox` command's main thread (cli/session.ts)
 * and the worker thread it starts for `run` and `exec`
 * (cli/worker-thread.ts). Types only: both sides compile against this
 * module.
 *
 * Output and input are flow-controlled: each side acknowledges the bytes it
 * has passed on, and the sender stops while too many are unacknowledged, so
 * a fast writer and a slow reader never pile data up in memory.
 */
import type { Published } from "./publish.ts";

/** What the worker thread is started with (its workerData). */
export interface SessionStart {
  /** The state directory and the container (opened and locked by the main thread). */
  state: string;
  container: string;
  /** argv; empty for the image's command. */
  args: string[];
  /** NAME=value, over the image's environment. */
  env: string[];
  /** Working directory; default the image's. */
  cwd?: string;
  /** A terminal of this size for the command (`-t`), or none. */
  tty?: { rows: number; cols: number };
  /** The host's stdin is passed on (`-i`); otherwise the command reads end-of-file. */
  stdin: boolean;
  /** HTTP out through the host's fetch (core/kernel/gateway.ts); false: `--network none`. */
  network: boolean;
  /** Ports of the container published on the host's (`-p`; `run` only). */
  publish: Published[];
}

export type ToWorker =
  | { type: "stdin"; data: Uint8Array }
  | { type: "stdin-end" }
  | { type: "resize"; rows: number; cols: number }
  /** The host's stdout or stderr is closed (EPIPE): the command's writes to it fail. */
  | { type: "closed"; fd: 1 | 2 }
  /** A signal the host got (SIGINT, SIGTERM, SIGHUP...), by Linux number, for the command. */
  | { type: "signal"; signal: number }
  /** Output bytes the host has written. */
  | { type: "written"; bytes: number };

export type FromWorker =
  | { type: "output"; fd: 1 | 2; data: Uint8Array }
  /** Input bytes the command's stdin has taken. */
  | { type: "taken"; bytes: number }
  /** The command ended with this status (the shell's: 128 + signal when killed); the container is stored. */
  | { type: "exit"; status: number }
  /** The command could not run: one line for the user, and the status to exit with. */
  | { type: "failed"; message: string; status: number };

/** Bytes either side may send before it waits for an acknowledgement. */
export const WINDOW = 1 << 20;
