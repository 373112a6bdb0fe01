/**
 * memory.cli: what a second `overbox run` of the busybox image costs while
 * one runs, as the PSS of its process (and any below it) less its
 * file-backed part, as memory.extra counts a browser's (bench/pss.ts).
 * Each run of the command is a Node process of its own, with its own copy
 * of the image and its own compiled busybox.wasm: nothing is shared
 * between two runs but the files Node maps.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Measurement } from "../measure.ts";
import { counted, processTree, pss } from "../pss.ts";
import type { BenchContext } from "../suite.ts";

/** How long a run is left alone once its shell is up, before its memory is read. */
const SETTLE_MS = 2000;

/** `overbox run --rm` (the busybox image) of a shell that says "up" and waits; resolves once it said it. */
function started(context: BenchContext, state: string): Promise<ChildProcess> {
  const bin = join(context.root, "bin", "overbox.mjs");
  const child = spawn(
    process.execPath,
    [bin, "--state", state, "run", "--rm", "--", "sh", "-c", "echo up; sleep 600"],
    { cwd: context.root, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let said = "";
    child.stdout!.on("data", (d: Buffer) => {
      said += d.toString();
      if (said.includes("up\n")) resolve(child);
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      reject(new Error(`overbox run ended (${code}) before its shell was up`)),
    );
  });
}

export async function cliMemory(context: BenchContext, state: string): Promise<Measurement[]> {
  if (!context.wants("memory.cli")) return [];
  const samples: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const runs: ChildProcess[] = [];
    try {
      runs.push(await started(context, state));
      runs.push(await started(context, state));
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const second = await pss(processTree(runs[1]!.pid!));
      samples.push(counted(second) / 1e6);
      context.log(
        `memory.cli run ${run + 1}: the second run's PSS ${(second.all / 1e6).toFixed(1)} MB, ${(second.file / 1e6).toFixed(1)} MB of it file-backed`,
      );
    } finally {
      for (const r of runs) r.kill("SIGKILL");
    }
  }
  return [
    {
      figure: "memory.cli",
      subject: "overbox (CLI)",
      unit: "MB",
      samples,
      note: `\`overbox run --rm -- sh -c 'echo up; sleep 600'\` twice, the second started once the first's shell said "up"; read ${SETTLE_MS / 1000} s after the second's did: the sum of Pss less Pss_File over its process and those below it`,
    },
  ];
}
