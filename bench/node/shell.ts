/**
 * The two subjects the Node suite measures, as shells to time: the
 * `overbox` command (`node bin/overbox.mjs --state DIR exec NAME -- sh -c
 * SCRIPT`, the real command in a process of its own, on a state directory
 * of the benchmark's) and Debian's busybox (`busybox sh -c SCRIPT`, in a
 * directory on /dev/shm, which is tmpfs). A run's time is wall time around
 * spawnSync: from before the process starts to after it has exited and its
 * output has been read, so it includes whatever the command does to start
 * and to stop (for overbox: loading the image, storing the container).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Subject } from "../measure.ts";

/** One timed run: wall time in ms, and what it printed. */
export interface Run {
  ms: number;
  stdout: string;
}

/** Somewhere to run `sh -c SCRIPT` and time it. */
export interface Shell {
  subject: Subject;
  /** What makes an applet BusyBox's in workloads.ts's scripts: "" in overbox, "busybox " natively. */
  bb: string;
  /** Runs `sh -c script`, timed; throws if it does not exit 0. */
  run(script: string): Run;
}

/** Output is small (a hash, a count, a sum); anything bigger is a mistake. */
const MAX_OUTPUT = 1 << 20;

function timed(command: string, args: string[], cwd: string): Run {
  const start = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: MAX_OUTPUT,
  });
  const ms = performance.now() - start;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const how = result.signal ?? `status ${result.status}`;
    throw new Error(`${[command, ...args].join(" ")} failed (${how}): ${result.stderr.trim()}`);
  }
  return { ms, stdout: result.stdout };
}

/** Debian's busybox, run as `busybox sh -c SCRIPT` in `cwd` (a directory on /dev/shm). */
export function nativeShell(cwd: string): Shell {
  return {
    subject: "native busybox",
    bb: "busybox ",
    run: (script) => timed("busybox", ["sh", "-c", script], cwd),
  };
}

/** The `overbox` command on one state directory. */
export class Overbox {
  constructor(
    /** The repository's root: bin/overbox.mjs is below it. */
    private readonly root: string,
    readonly state: string,
  ) {}

  /** `overbox --state STATE ARGS...`, timed. */
  command(...args: string[]): Run {
    const bin = join(this.root, "bin", "overbox.mjs");
    return timed(process.execPath, [bin, "--state", this.state, ...args], this.root);
  }

  /** `DIR` as a new image on busybox. */
  buildImage(dir: string, tag: string): void {
    this.command("image", "build", dir, "--from", "busybox", "--tag", tag);
  }

  create(name: string, image = "busybox"): void {
    this.command("create", name, "--image", image);
  }

  remove(name: string): void {
    this.command("rm", name);
  }

  /** Drops the container's changes: its upper layer is empty again. */
  reset(name: string): void {
    this.command("reset", name);
  }

  /** `overbox exec [-w WORKDIR] NAME -- sh -c SCRIPT`; the workdir is made if missing. */
  shell(name: string, workdir?: string): Shell {
    const w = workdir === undefined ? [] : ["-w", workdir];
    return {
      subject: "overbox (CLI)",
      bb: "",
      run: (script) => this.command("exec", ...w, name, "--", "sh", "-c", script),
    };
  }

  /**
   * Bytes the container holds on disk: every file of containers/NAME/ (its
   * upper layer's log, upper.log; and a compaction's upper.log.tmp or a
   * lock, were one left there). The image's blobs are shared, not counted.
   */
  storedBytes(name: string): number {
    const dir = join(this.state, "containers", name);
    return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
  }
}
