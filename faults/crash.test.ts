/**
 * Crash consistency of the `overbox` command: `overbox run` is killed with
 * SIGKILL at random moments of a write workload (faults/workload.ts), again
 * and again; after each kill the container must open, `overbox fsck` must
 * find it consistent, and every iteration acknowledged after `sync` must be
 * there. A container serves five kills in a row, then a new one starts (so
 * that deletes of lower directories come round again).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK, checked, killCount, lastAck, WORKLOAD } from "./workload.ts";

const BIN = join(import.meta.dirname, "..", "bin", "overbox.mjs");
const KILLS = killCount();
/** Kills per container before a new one is made. */
const KILLS_PER_CONTAINER = 5;
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "overbox-crash-"));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `overbox ARGS`; with `killAfter`, sends SIGKILL that many ms after it started. */
function overbox(args: string[], killAfter?: number): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, OVERBOX_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = killAfter === undefined ? null : setTimeout(() => child.kill("SIGKILL"), killAfter);
  return new Promise((resolve) =>
    child.on("close", (status) => {
      if (timer) clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

describe("crash consistency of the overbox command", () => {
  it(
    `${KILLS} SIGKILLs of overbox run during writes: each container opens, fsck finds nothing, no acknowledged write is lost`,
    async () => {
      const failures: string[] = [];
      let acknowledged = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const name = `crash-${Math.floor(kill / KILLS_PER_CONTAINER) + 1}`;
        const delay = Math.round(300 + Math.random() * 2700);
        const run = await overbox(["run", "--name", name, "--", "sh", "-c", WORKLOAD], delay);
        const acked = lastAck(run.stdout);
        if (acked > 0) acknowledged++;
        const where = `kill ${kill + 1} (${name}, after ${delay} ms, ack ${acked})`;
        if (run.status !== null) {
          failures.push(`${where}: the run ended by itself (${run.status}): ${run.stderr}`);
          continue;
        }
        const fsck = await overbox(["fsck", name]);
        if (fsck.status !== 0) {
          // Killed before the container was made: then nothing was acknowledged.
          if (acked === 0 && /no such container/.test(fsck.stderr)) continue;
          failures.push(`${where}: fsck said ${fsck.stdout}${fsck.stderr}`);
        }
        const check = await overbox(["exec", name, "--", "sh", "-c", CHECK]);
        const wrong = checked(check.stdout, acked);
        if (check.status !== 0 || wrong.length > 0) {
          failures.push(`${where}: ${wrong.join("; ")} ${check.stderr}`);
        }
      }
      expect(failures).toEqual([]);
      // Most kills must land after the workload got going, or the test proves little.
      expect(acknowledged).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    },
    KILLS * 30_000,
  );

  it("the check after a kill finds a write that is missing", async () => {
    const run = await overbox(["run", "--name", "tampered", "--", "sh", "-c", WORKLOAD], 2500);
    const acked = lastAck(run.stdout);
    expect(acked).toBeGreaterThan(0);
    await overbox(["exec", "tampered", "--", "sh", "-c", `rm /root/small/$((${acked} % 50))/f3`]);
    const check = await overbox(["exec", "tampered", "--", "sh", "-c", CHECK]);
    expect(checked(check.stdout, acked)).toContain(`bad small file ${acked}.3`);
    expect(checked(check.stdout, acked + 5)).toContain(
      `iteration ${acked + 5} was acknowledged, but only ${/done (\d+)/.exec(check.stdout)![1]} is there`,
    );
  }, 60_000);
});
