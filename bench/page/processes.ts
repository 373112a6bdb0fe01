/**
 * The page of the process figures (processes.html): the library's
 * Sandboxes, driven from Playwright (bench/browser/processes.ts and
 * memory.ts) through `window.processes`. Every duration is taken here with
 * performance.now(), around the library's calls, so the round trip to
 * Playwright is not in it.
 */
import { Sandbox } from "../../src/index.ts";
import { integers, randomBytes, text } from "../data.ts";
import type { Sizes } from "../workloads.ts";

/** A script's run: how long exec took in the page, and what it said. */
export interface Timed {
  ms: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Where the applets' input files go in the container (absolute paths). */
export interface Inputs {
  sha256: string;
  gzip: string;
  sort: string;
  awk: string;
}

export interface ProcessesPage {
  /** Opens a Sandbox ("ephemeral" or a name) as the one the other calls use. */
  open(container: string): Promise<void>;
  /**
   * One `exec(["true"])` to warm up, then `calls` more one after another;
   * resolves with the mean per call.
   */
  apiSpawns(calls: number): Promise<number>;
  /**
   * lifo's command latency: a `Sandbox.create()` of `@lifo-sh/core`, one
   * `commands.run("true")` to warm up, then `calls` more; the mean per call.
   */
  lifoCommands(calls: number): Promise<number>;
  /** `sh -c script`, in `cwd` if given. */
  run(script: string, cwd?: string): Promise<Timed>;
  /** Makes the applets' inputs with bench/data.ts (the Node suite's seeds) and writes them. */
  writeInputs(sizes: Sizes, paths: Inputs): Promise<void>;
  sync(): Promise<void>;
  /** Drops the container's changes: its image again. */
  reset(): Promise<void>;
  /**
   * A download of `url` through the gateway (wget in an ephemeral Sandbox
   * whose CORS proxy prefix is `proxy`, so that `http://files.test/big`
   * is fetched as `proxy` + that URL), and by the page's own fetch of the
   * same URL read to its end: each one's time in ms.
   */
  download(proxy: string): Promise<{ gateway: number; page: number }>;
  /** Opens `count` more ephemeral Sandboxes, each running `sh -c true`. */
  openMore(count: number): Promise<void>;
  closeAll(): Promise<void>;
}

declare global {
  interface Window {
    processes: ProcessesPage;
  }
}

// The page is at bench/page/ of the bench site; the images at its root.
const imagesUrl = new URL("../../images", document.baseURI).href;
const boxes: Sandbox[] = [];
let box: Sandbox | null = null;

function current(): Sandbox {
  if (!box) throw new Error("no Sandbox open");
  return box;
}

async function run(script: string, cwd?: string): Promise<Timed> {
  const b = current();
  const start = performance.now();
  const r = await b.exec(["sh", "-c", script], cwd ? { cwd } : {});
  const ms = performance.now() - start;
  return { ms, ...r };
}

window.processes = {
  async open(container) {
    box = await Sandbox.open({ container, imagesUrl });
    boxes.push(box);
  },
  async apiSpawns(calls) {
    const b = current();
    await b.exec(["true"]);
    const start = performance.now();
    for (let i = 0; i < calls; i++) {
      const r = await b.exec(["true"]);
      if (r.exitCode !== 0) throw new Error(`true: status ${r.exitCode}: ${r.stderr}`);
    }
    return (performance.now() - start) / calls;
  },
  async lifoCommands(calls) {
    const { Sandbox: Lifo } = await import("@lifo-sh/core");
    const lifo = await Lifo.create();
    try {
      await lifo.commands.run("true");
      const start = performance.now();
      for (let i = 0; i < calls; i++) {
        const r = await lifo.commands.run("true");
        if (r.exitCode !== 0) throw new Error(`lifo true: status ${r.exitCode}: ${r.stderr}`);
      }
      return (performance.now() - start) / calls;
    } finally {
      lifo.destroy();
    }
  },
  run,
  async writeInputs(sizes, paths) {
    const b = current();
    const dirs = Object.values(paths).map((p) => p.slice(0, p.lastIndexOf("/")) || "/");
    await b.exec(["mkdir", "-p", ...new Set(dirs)]);
    await b.fs.writeFile(paths.sha256, randomBytes(sizes.sha256Bytes));
    await b.fs.writeFile(paths.gzip, text(sizes.gzipBytes));
    await b.fs.writeFile(paths.sort, integers(sizes.sortLines, 1e9));
    await b.fs.writeFile(paths.awk, integers(sizes.awkLines, 1e6));
  },
  async download(proxy) {
    const b = await Sandbox.open({ container: "ephemeral", imagesUrl, proxy });
    try {
      await b.exec(["true"]);
      let start = performance.now();
      const r = await b.exec(["wget", "-q", "-O", "/dev/null", "http://files.test/big"]);
      const gateway = performance.now() - start;
      if (r.exitCode !== 0) throw new Error(`wget: status ${r.exitCode}: ${r.stderr}`);
      start = performance.now();
      const response = await fetch(`${proxy}http://files.test/big`, { cache: "no-store" });
      await response.arrayBuffer();
      return { gateway, page: performance.now() - start };
    } finally {
      await b.close();
    }
  },
  sync: () => current().sync(),
  reset: () => current().reset(),
  async openMore(count) {
    for (let i = 0; i < count; i++) {
      const b = await Sandbox.open({ container: "ephemeral", imagesUrl });
      boxes.push(b);
      const r = await b.exec(["sh", "-c", "true"]);
      if (r.exitCode !== 0) throw new Error(`sh -c true: status ${r.exitCode}: ${r.stderr}`);
    }
  },
  async closeAll() {
    await Promise.all(boxes.splice(0).map((b) => b.close()));
    box = null;
  },
};
