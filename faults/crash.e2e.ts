/**
 * Crash consistency in Chromium: the playground runs the write workload
 * (faults/workload.ts) through the library, and every process of the
 * browser is killed with SIGKILL at a random moment of it, again and
 * again, on one profile. After each kill the browser starts again on that
 * profile, the container must open, `fsck` must find it consistent, and
 * every iteration acknowledged after `sync` must be there. A container
 * serves five kills in a row, then a new one starts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, inject, it } from "vitest";
import { spawnChromium } from "../e2e/browser.ts";
import type {} from "../src/playground.ts";
import { describeProblem } from "../worker/overlay/fsck.ts";
import { CHECK, checked, killCount, lastAck, WORKLOAD } from "./workload.ts";

const KILLS = killCount();
const KILLS_PER_CONTAINER = 5;
const profile = mkdtempSync(join(tmpdir(), "overbox-crash-profile-"));

afterAll(() => {
  rmSync(profile, { recursive: true, force: true });
});

/** A browser on the profile, with the playground open on `container`. */
async function playground(container: string) {
  const chromium = await spawnChromium(profile);
  const page = await chromium.browser.contexts()[0]!.newPage();
  await page.goto(`${inject("baseUrl")}/?container=${container}`);
  await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
  return { ...chromium, page };
}

/** Starts the workload in the page; what it prints comes back as console messages. */
async function startWorkload(page: Page): Promise<() => string> {
  let printed = "";
  page.on("console", (m) => {
    if (m.text().startsWith("workload:")) printed += m.text().slice("workload:".length);
  });
  await page.evaluate(async (script) => {
    const p = await window.overbox.box.spawn(["sh", "-c", script]);
    void (async () => {
      const reader = p.stdout.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        console.log(`workload:${decoder.decode(value, { stream: true })}`);
      }
    })();
  }, WORKLOAD);
  return () => printed;
}

/** What is wrong with the container open in `page`, after a kill that followed ack `acked`. */
async function verify(page: Page, acked: number): Promise<string[]> {
  const report = await page.evaluate(() => window.overbox.box.fsck());
  const wrong = report.problems.map((p) => `fsck: ${describeProblem(p)}`);
  const check = await page.evaluate((script) => window.overbox.box.exec(script), CHECK);
  return [...wrong, ...checked(check.stdout, acked)];
}

describe("crash consistency in Chromium", () => {
  it(
    `${KILLS} SIGKILLs of the browser during writes: each container opens, fsck finds nothing, no acknowledged write is lost`,
    async () => {
      const failures: string[] = [];
      let acknowledged = 0;
      const containerFor = (kill: number) => `crash-${Math.floor(kill / KILLS_PER_CONTAINER) + 1}`;
      let running = await playground(containerFor(0));
      try {
        for (let kill = 0; kill < KILLS; kill++) {
          const name = containerFor(kill);
          if (!running.page.url().endsWith(`?container=${name}`)) {
            await running.page.goto(`${inject("baseUrl")}/?container=${name}`);
            await running.page.waitForFunction(() => window.overbox !== undefined);
          }
          const printed = await startWorkload(running.page);
          const delay = Math.round(200 + Math.random() * 2800);
          await new Promise((r) => setTimeout(r, delay));
          await running.crash();
          const acked = lastAck(printed());
          if (acked > 0) acknowledged++;
          running = await playground(name);
          const wrong = await verify(running.page, acked);
          if (wrong.length > 0) {
            failures.push(
              `kill ${kill + 1} (${name}, after ${delay} ms, ack ${acked}): ${wrong.join("; ")}`,
            );
          }
        }
      } finally {
        await running.crash();
      }
      expect(failures).toEqual([]);
      expect(acknowledged).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    },
    KILLS * 60_000,
  );
});
