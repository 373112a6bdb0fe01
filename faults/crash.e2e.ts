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
import { launchChromium, spawnChromium } from "../e2e/browser.ts";
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

/**
 * What is wrong with the container open in `page`, after a kill that
 * followed ack `acked`; `containers` must all still be in the browser's
 * IndexedDB (a browser that dropped its databases would lose them all).
 */
async function verify(page: Page, acked: number, containers: string[] = []): Promise<string[]> {
  const { info, kept } = await page.evaluate(async () => ({
    info: window.overbox.box.info,
    kept: (await indexedDB.databases()).map((d) => d.name ?? ""),
  }));
  const wrong = info.damage.map((d) => `opened damaged: ${d}`);
  if (info.readOnly) wrong.push("opened read-only");
  for (const c of containers) {
    if (!kept.includes(`overbox-${c}`)) wrong.push(`container ${c}'s database is gone`);
  }
  const report = await page.evaluate(() => window.overbox.box.fsck());
  wrong.push(...report.problems.map((p) => `fsck: ${describeProblem(p)}`));
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
          const before = Array.from({ length: kill + 1 }, (_, k) => containerFor(k));
          const wrong = await verify(running.page, acked, [...new Set(before)]);
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

describe("a crashed tab", () => {
  it("gives its container back: another tab of the live browser opens it writable and consistent, with every acknowledged write", async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const url = `${inject("baseUrl")}/?container=tab-crash`;
      const first = await context.newPage();
      await first.goto(url);
      await first.waitForFunction(() => window.overbox !== undefined);
      const printed = await startWorkload(first);
      await expect.poll(() => lastAck(printed()), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
      // The renderer dies, the container's worker with it, holding the Web Lock.
      const crashed = new Promise<void>((resolve) => first.on("crash", () => resolve()));
      const cdp = await context.newCDPSession(first);
      void cdp.send("Page.crash").catch(() => undefined);
      await crashed;
      const acked = lastAck(printed());

      const second = await context.newPage();
      await second.goto(url);
      await second.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
      expect(await second.isHidden("#busy")).toBe(true);
      expect(await verify(second, acked)).toEqual([]);
      // It writes, and what it writes is kept.
      await second.evaluate(() => window.overbox.box.exec("echo after > /root/after; sync"));
      await second.reload();
      await second.waitForFunction(() => window.overbox !== undefined);
      const after = await second.evaluate(() => window.overbox.box.exec("cat /root/after"));
      expect(after.stdout).toBe("after\n");
    } finally {
      await browser.close();
    }
  }, 120_000);
});
