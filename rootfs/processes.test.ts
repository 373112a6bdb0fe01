/**
 * The process kernel over the built image, where native busybox cannot be
 * the reference: streaming pipelines in bounded memory, signals between
 * processes, and the container's limits (the cgroup analogue).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Kernel } from "../core/kernel/kernel.ts";
import { WasmLoader } from "../core/wasi/loader.ts";
import type { MemoryFilesystem } from "../core/vfs/memory.ts";
import { loadBaseImage } from "./testing.ts";

let fs: MemoryFilesystem;

beforeAll(async () => {
  ({ fs } = await loadBaseImage());
});

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function sh(script: string, kernel = new Kernel(fs, new WasmLoader())) {
  const r = await kernel.run({ args: ["sh", "-c", script] });
  return { status: r.status, stdout: text(r.stdout), stderr: text(r.stderr) };
}

describe("pipelines stream", () => {
  it("yes | head -n 3 prints three lines and ends", async () => {
    expect(await sh("yes | head -n 3")).toEqual({ status: 0, stdout: "y\ny\ny\n", stderr: "" });
  });

  it("moves 100 MB through two pipes with no process growing past a few MiB", async () => {
    const kernel = new Kernel(fs, new WasmLoader());
    let largest = 0;
    const watch = setInterval(() => {
      for (const p of kernel.processes()) largest = Math.max(largest, kernel.describe(p).memory);
    }, 5);
    const r = await sh("cat /dev/zero | head -c 100000000 | wc -c", kernel);
    clearInterval(watch);
    expect(r).toEqual({ status: 0, stdout: "100000000\n", stderr: "" });
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);

  it("a writer whose reader has gone dies of SIGPIPE (status 141 under pipefail)", async () => {
    expect((await sh("set -o pipefail; yes | head -n 1 >/dev/null; echo $?")).stdout).toBe("141\n");
  });

  it("a writer that ignores SIGPIPE gets EPIPE instead", async () => {
    const r = await sh("trap '' PIPE; yes | head -n 1 >/dev/null");
    expect(r.stderr).toMatch(/yes: .*Broken pipe/);
  });
});

describe("signals between processes", () => {
  it("kill ends a background job with SIGTERM, and wait reports 128+15", async () => {
    expect((await sh("sleep 10 & kill $!; wait $!; echo $?")).stdout).toBe("143\n");
  });

  it("a handler installed with trap runs when the shell is signalled", async () => {
    expect((await sh("trap 'echo caught' USR1; kill -USR1 $$; echo after")).stdout).toBe(
      "caught\nafter\n",
    );
  });

  it("SIGSTOP and SIGCONT stop and resume a process", async () => {
    const r = await sh(
      "sleep 0.3 & p=$!; kill -STOP $p; sleep 0.5; kill -0 $p && echo still-there; kill -CONT $p; wait $p; echo $?",
    );
    expect(r.stdout).toBe("still-there\n0\n");
  });

  it("an alarm interrupts a sleep", async () => {
    const started = performance.now();
    const r = await sh("timeout 1 sleep 30; echo $?");
    expect(r.stdout).toBe("143\n");
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("the process table", () => {
  it("reaps an orphan when it ends: no zombie is left behind", async () => {
    const kernel = new Kernel(fs, new WasmLoader());
    expect((await sh("(sleep 0.1 &); sleep 0.3; echo done", kernel)).stdout).toBe("done\n");
    expect(kernel.processes().map((p) => `${p.pid} ${p.args.join(" ")}`)).toEqual([]);
  });

  it("keeps the niceness across exec", async () => {
    expect((await sh("nice -n 5 sh -c 'nice'")).stdout).toBe("5\n");
  });
});

describe("limits", () => {
  it("kills a process past its memory limit like the OOM killer, and the shell goes on", async () => {
    const kernel = new Kernel(fs, new WasmLoader(), { memory: 64 * 1024 * 1024, processes: 64 });
    const r = await sh(
      `awk 'BEGIN { s = "xxxxxxxxxxxxxxxx"; while (1) s = s s }'; echo "status $?"`,
      kernel,
    );
    expect(r.stderr).toMatch(/out of memory: killed process \d+ \(awk\)/);
    expect(r.stdout).toBe("status 137\n");
  }, 60_000);

  it("refuses fork past the process limit with EAGAIN, and the container goes on", async () => {
    const kernel = new Kernel(fs, new WasmLoader(), { memory: 256 * 1024 * 1024, processes: 12 });
    // ash treats a failed fork as an error: a shell running a script exits with 2.
    const r = await sh(
      "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do sleep 1 & done",
      kernel,
    );
    expect(r).toEqual({
      status: 2,
      stdout: "",
      stderr: "sh: can't fork: Resource temporarily unavailable\n",
    });
    expect((await sh("echo still-alive", kernel)).stdout).toBe("still-alive\n");
  }, 60_000);

  it("a fork that gets no memory for the child fails with ENOMEM and leaves no process behind", async () => {
    const loader = new WasmLoader();
    const kernel = new Kernel(fs, loader);
    // As a browser answers once its wasm memories fill the address space it allows.
    loader.memories.forFork = () => {
      throw new RangeError("WebAssembly.Memory(): could not allocate memory");
    };
    const r = await sh("(echo child); echo parent $?", kernel);
    expect(r.stderr).toMatch(/can't fork: Out of memory/);
    expect(r.stdout).not.toMatch(/child/);
    expect(kernel.processes()).toEqual([]);
  });

  it("a fork bomb hits the process limit and ends when it is killed", async () => {
    const kernel = new Kernel(fs, new WasmLoader(), { memory: 256 * 1024 * 1024, processes: 24 });
    const bomb = kernel.run({ args: ["sh", "-c", "b() { b | b & }; b; sleep 1"] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      kernel.processes().filter((p) => kernel.describe(p).state !== "Z").length,
    ).toBeLessThanOrEqual(24);
    for (const p of kernel.processes()) kernel.signal(p.pid, 9);
    await bomb;
    expect((await sh("echo still-alive", kernel)).stdout).toBe("still-alive\n");
  }, 60_000);
});
