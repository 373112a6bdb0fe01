import { constants } from "node:os";
import { Worker } from "node:worker_threads";
import { WINDOW, type FromWorker, type SessionStart, type ToWorker } from "./protocol.ts";

/** Host signals passed on to the command, as `docker run` proxies them. */
const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/**
 * Runs a command in a container on a worker thread (cli/worker-thread.ts)
 * with the host's stdio: output is written as it comes, stdin (with `-i`)
 * is read as the command takes it, and host signals are passed on. With a
 * terminal (`-t`), the host's terminal is put in raw mode for the length of
 * the command (with `-i`) and its size follows the host's.
 *
 * The caller holds the container's lock. Resolves with the status to exit
 * with: the command's, or 125 (and a line on stderr) when it could not run.
 */
export async function runSession(start: SessionStart): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const stderr = process.stderr;
  // Beside this module in the command's bundle (cli/compile.mjs).
  // A 64 MiB stack for the engine (only what is used is ever touched):
  // Python's recursion through C (lru_cache, nested repr) takes tens of KiB
  // of V8's stack a level, and the default 4 MiB ended a 600-level
  // recursion, CPython's limit on WASI, with SIGSEGV (rootfs/python).
  const worker = new Worker(new URL("./worker-thread.js", import.meta.url), {
    workerData: start,
    resourceLimits: { stackSizeMb: 64 },
  });
  const post = (m: ToWorker) => worker.postMessage(m);

  let writes = 0;
  let flushed: (() => void) | null = null;
  const write = (stream: NodeJS.WriteStream, data: Uint8Array) => {
    writes++;
    stream.write(data, () => {
      post({ type: "written", bytes: data.length });
      if (--writes === 0) flushed?.();
    });
  };

  let pending = 0;
  let paused = false;
  const onData = (chunk: Buffer) => {
    const data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length).slice();
    pending += data.length;
    post({ type: "stdin", data });
    if (pending > WINDOW && !paused) {
      paused = true;
      stdin.pause();
    }
  };
  const onEnd = () => post({ type: "stdin-end" });
  const onResize = () => post({ type: "resize", rows: stdout.rows, cols: stdout.columns });
  // A closed stdout (`overbox exec c -- yes | head -1`) closes the command's.
  const onOutputError = (fd: 1 | 2) => (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") post({ type: "closed", fd });
    else throw e;
  };
  const onStdoutError = onOutputError(1);
  const onStderrError = onOutputError(2);
  const onSignal = (signal: NodeJS.Signals) =>
    post({ type: "signal", signal: constants.signals[signal] });

  const raw = Boolean(start.tty && start.stdin && stdin.isTTY);
  if (raw) stdin.setRawMode(true);
  if (start.stdin) {
    stdin.on("data", onData);
    stdin.on("end", onEnd);
  }
  if (start.tty && stdout.isTTY) stdout.on("resize", onResize);
  stdout.on("error", onStdoutError);
  stderr.on("error", onStderrError);
  for (const s of FORWARDED) process.on(s, onSignal);

  try {
    return await new Promise<number>((resolve) => {
      let finished = false;
      const done = (status: number) => {
        finished = true;
        resolve(status);
      };
      worker.on("message", (m: FromWorker) => {
        switch (m.type) {
          case "output":
            write(m.fd === 1 ? stdout : stderr, m.data);
            break;
          case "taken":
            pending -= m.bytes;
            if (paused && pending <= WINDOW) {
              paused = false;
              stdin.resume();
            }
            break;
          case "exit":
            done(m.status);
            break;
          case "failed":
            stderr.write(`overbox: ${m.message}\n`);
            done(m.status);
            break;
        }
      });
      worker.on("error", (e) => {
        if (finished) return;
        stderr.write(`overbox: the worker thread failed: ${e.message}\n`);
        done(125);
      });
      worker.on("exit", () => {
        if (finished) return;
        stderr.write("overbox: the worker thread stopped\n");
        done(125);
      });
    });
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.off("data", onData);
    stdin.off("end", onEnd);
    stdin.pause();
    stdout.off("resize", onResize);
    stdout.off("error", onStdoutError);
    stderr.off("error", onStderrError);
    for (const s of FORWARDED) process.off(s, onSignal);
    if (writes > 0) await new Promise<void>((r) => (flushed = r));
    await worker.terminate();
  }
}
