/**
 * The worker thread of `overbox run` and `overbox exec`: a worker_threads
 * worker, as programs run in a Web Worker in the browser, so the main thread
 * stays free for the host's terminal and signals while programs run.
 *
 * It opens the container (the main thread holds its lock), starts the
 * command in a new kernel with the host's stdio passed through pipes or a
 * terminal (cli/protocol.ts), and when the command ends, stops what it left
 * running, stores the container and reports the status.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ErrnoError } from "../core/errno.ts";
import { shellStatus } from "../core/kernel/exit.ts";
import { Gateway } from "../core/kernel/gateway.ts";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import { InputStream, type OpenFile } from "../core/kernel/open-file.ts";
import { InputPipe, OutputPipe } from "../core/kernel/host-pipes.ts";
import type { Process } from "../core/kernel/process.ts";
import { SIGKILL } from "../core/kernel/signals.ts";
import { TtyFile, type Tty } from "../core/kernel/tty.ts";
import { makeDirectories } from "../core/vfs/paths.ts";
import { WINDOW, type FromWorker, type SessionStart, type ToWorker } from "./protocol.ts";
import { damageNote, reason, State } from "./state.ts";
import { nodePreparer } from "../node/preparer.ts";
import { publish } from "./publish.ts";
import type { Server } from "node:net";

const start = workerData as SessionStart;
/** Programs built elsewhere are prepared in a worker of their own, beside this bundle's file. */
const preparer = nodePreparer(new URL("./prepare-worker.js", import.meta.url));
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);

/** Output sent to the host and not yet acknowledged (WINDOW). */
let unacknowledged = 0;
let acknowledged: Array<() => void> = [];

function output(fd: 1 | 2, data: Uint8Array): void {
  unacknowledged += data.length;
  send({ type: "output", fd, data });
}

async function room(): Promise<void> {
  while (unacknowledged > WINDOW) await new Promise<void>((r) => acknowledged.push(r));
}

/** `base` with each NAME=value of `extra` replacing or adding NAME. */
function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const name = e.slice(0, e.indexOf("=") + 1);
    const at = out.findIndex((x) => x.startsWith(name));
    if (at >= 0) out[at] = e;
    else out.push(e);
  }
  return out;
}

/** A failure to start the command, as a shell reports one: 127 not found, 126 not executable. */
function startFailure(e: unknown, program: string): { message: string; status: number } {
  if (e instanceof ErrnoError && (e.errno === "ENOENT" || e.errno === "ENOTDIR")) {
    return { message: `${program}: command not found`, status: 127 };
  }
  if (e instanceof ErrnoError && (e.errno === "EACCES" || e.errno === "ENOEXEC")) {
    return { message: `${program}: cannot run: ${reason(e)}`, status: 126 };
  }
  return { message: `${program}: ${reason(e)}`, status: 125 };
}

async function main(): Promise<void> {
  const state = new State(start.state);
  const container = await state.openContainer(start.container);
  if (container.damage.length > 0) {
    const note = `overbox: ${damageNote(start.container, container.damage)}\n`;
    output(2, new TextEncoder().encode(note));
  }
  let stored = false;
  try {
    const config = container.image.manifest.config;
    const kernel = new Kernel(container.fs, new WasmLoader(state.prepared, preparer));
    if (start.network) kernel.network.gateway = new Gateway();
    const args = start.args.length > 0 ? start.args : config.cmd;
    const env = mergeEnv(config.env, start.env);
    const cwd = start.cwd ?? config.cwd;
    makeDirectories(kernel.fs, cwd);

    let tty: Tty | null = null;
    let feed: InputPipe | null = null;
    const outputs: OutputPipe[] = [];
    let stdio: [OpenFile, OpenFile, OpenFile];
    if (start.tty) {
      // Programs wait while the host's terminal is a window behind, as pipes do.
      const behind = () =>
        unacknowledged > WINDOW ? new Promise<void>((r) => acknowledged.push(r)) : null;
      tty = kernel.terminal((data) => output(1, data), behind);
      tty.winsize = { ...start.tty };
      const end = () => new TtyFile(tty!, null, true, true);
      stdio = [end(), end(), end()];
    } else {
      // Each output waits for room in the window before it is sent on.
      const toHost = (fd: 1 | 2) => async (data: Uint8Array) => {
        await room();
        output(fd, data);
      };
      outputs.push(new OutputPipe(toHost(1)), new OutputPipe(toHost(2)));
      feed = start.stdin ? new InputPipe((bytes) => send({ type: "taken", bytes })) : null;
      stdio = [feed ? feed.read : new InputStream(), outputs[0]!.write, outputs[1]!.write];
    }

    let proc: Process | null = null;
    /** Host signals that came before the command was running: it gets them once it is. */
    const early: number[] = [];
    const forward = (p: Process, signal: number) =>
      kernel.signalGroup(tty ? tty.foreground || p.pgid : p.pgid, signal);
    port.on("message", (m: ToWorker) => {
      switch (m.type) {
        case "stdin":
          if (tty) {
            tty.input(m.data);
            send({ type: "taken", bytes: m.data.length });
          } else feed?.push(m.data);
          break;
        case "stdin-end":
          if (tty) tty.hangUp();
          else feed?.end();
          break;
        case "closed":
          outputs[m.fd - 1]?.close();
          break;
        case "resize":
          tty?.resize({ rows: m.rows, cols: m.cols });
          break;
        case "signal":
          if (proc) forward(proc, m.signal);
          else early.push(m.signal);
          break;
        case "written":
          unacknowledged -= m.bytes;
          if (unacknowledged <= WINDOW) {
            const waiting = acknowledged;
            acknowledged = [];
            for (const wake of waiting) wake();
          }
          break;
      }
    });

    const servers: Server[] = [];
    try {
      for (const p of start.publish) servers.push(await publish(kernel.network, p));
    } catch (e) {
      for (const s of servers) s.close();
      send({ type: "failed", message: reason(e), status: 125 });
      return;
    }
    try {
      proc = await kernel.spawn({ args, env, cwd, stdio, ...(tty ? { tty } : {}) });
    } catch (e) {
      const failure = startFailure(e, args[0] ?? "");
      for (const s of servers) s.close();
      send({ type: "failed", ...failure });
      return;
    }
    for (const signal of early) forward(proc, signal);
    const status = shellStatus(await kernel.waitFor(proc));
    for (const s of servers) s.close();
    // The container stops with its command (as docker's does): what the
    // command left running is killed, and its output read to the end.
    for (const p of kernel.processes()) kernel.signal(p.pid, SIGKILL);
    await Promise.all(outputs.map((o) => o.done));
    await container.close();
    stored = true;
    send({ type: "exit", status });
  } finally {
    if (!stored) await container.close();
  }
}

// The main thread ends this thread once it has the outcome.
main().catch((e: unknown) => send({ type: "failed", message: reason(e), status: 125 }));
