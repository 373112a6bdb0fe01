/**
 * Crash consistency in Chromium: the playground runs the write workload
 * (faults/workload.ts) through the library, and every process of the
 * browser is killed with SIGKILL at a random moment of it, again and
 * again, on one profile. After each kill the browser starts again on that
 * profile, the container must open, `fsck` must find it consistent, and
 * every iteration acknowledged after `sync` must be there. A container
 * serves five kills in a row, then a new one starts.
 *
 * Chromium itself sometimes drops every IndexedDB database of the site
 * when it restarts (twice in 400 kills here; README, "Crashes"), so each
 * container keeps a replica (browser/replica.ts). The harness tries
 * it: a container's last kill deletes its database before it opens, and
 * it must come back from the replica with every acknowledged iteration.
 * When Chromium drops the site's databases by itself, every container made
 * before must restore too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  BROWSER,
  contentProcesses,
  crashTab,
  ENGINE,
  launchBrowser,
  launchBrowserWithProfile,
  REPLICAS,
  spawnBrowser,
} from "../e2e/browser.ts";
import { dropDatabase } from "../e2e/drop.ts";
import type {} from "../src/playground.ts";
import { describeProblem } from "../core/overlay/fsck.ts";
import { CHECK, checked, killCount, lastAck, WORKLOAD } from "./workload.ts";

const KILLS = killCount();
const KILLS_PER_CONTAINER = 5;
const profile = mkdtempSync(join(tmpdir(), "overbox-crash-profile-"));

afterAll(() => {
  rmSync(profile, { recursive: true, force: true });
});

/** A browser on the profile, with the playground open on `container` (or a blank page). */
async function playground(container: string | null) {
  const browser = await spawnBrowser(profile);
  const page = await browser.context.newPage();
  if (container !== null) await open(page, container);
  return { ...browser, page };
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
 * followed ack `acked`. `restored`: the page found its database dropped
 * and restored it from the replica.
 */
async function verify(page: Page, acked: number): Promise<{ wrong: string[]; restored: boolean }> {
  const info = await page.evaluate(() => window.overbox.box.info);
  const wrong = info.damage.map((d) => `opened damaged: ${d}`);
  if (info.readOnly) wrong.push("opened read-only");
  const report = await page.evaluate(() => window.overbox.box.fsck());
  wrong.push(...report.problems.map((p) => `fsck: ${describeProblem(p)}`));
  const check = await page.evaluate((script) => window.overbox.box.exec(script), CHECK);
  return { wrong: [...wrong, ...checked(check.stdout, acked)], restored: info.restored };
}

/** Opens container `name` in `page`. */
async function open(page: Page, name: string): Promise<void> {
  await page.goto(`${inject("baseUrl")}/?container=${name}`);
  await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
}

describe(`crash consistency in ${BROWSER}`, () => {
  it(
    REPLICAS
      ? `${KILLS} SIGKILLs of the browser during writes: each container opens, fsck finds nothing, no acknowledged write is lost, even when the database is dropped and restored from the replica`
      : `${KILLS} SIGKILLs of the browser during writes: each container opens, fsck finds nothing, no acknowledged write is lost (${BROWSER} keeps no replica: no database is dropped)`,
    async () => {
      const failures: string[] = [];
      /** Kills after which Chromium dropped the site's IndexedDB by itself. */
      const drops: string[] = [];
      /** The last iteration acknowledged in each container made so far. */
      const acks = new Map<string, number>();
      let acknowledged = 0;
      let restores = 0;
      const containerFor = (kill: number) => `crash-${Math.floor(kill / KILLS_PER_CONTAINER) + 1}`;
      let running = await playground(containerFor(0));
      try {
        for (let kill = 0; kill < KILLS; kill++) {
          const name = containerFor(kill);
          if (!running.page.url().endsWith(`?container=${name}`)) await open(running.page, name);
          const printed = await startWorkload(running.page);
          const delay = Math.round(200 + Math.random() * 2800);
          await new Promise((r) => setTimeout(r, delay));
          await running.crash();
          const acked = Math.max(lastAck(printed()), acks.get(name) ?? 0);
          if (lastAck(printed()) > 0) acknowledged++;
          acks.set(name, acked);
          // A container's last kill drops its database before it opens: the
          // replica, written through the kills, must restore every ack.
          const drop = REPLICAS && kill % KILLS_PER_CONTAINER === KILLS_PER_CONTAINER - 1;
          running = await playground(drop ? null : name);
          if (drop) {
            await dropDatabase(running.page, `overbox-${name}`);
            await open(running.page, name);
          }
          const what = `kill ${kill + 1} (${name}, after ${delay} ms, ack ${acked})`;
          const { wrong, restored } = await verify(running.page, acked);
          if (drop && !restored) wrong.push("its database was dropped, and it was not restored");
          if (restored) restores++;
          // Chromium may drop every database of the site (README, "Crashes"):
          // every container made before must then restore too.
          const kept = await running.page.evaluate(async () =>
            (await indexedDB.databases()).map((d) => d.name ?? ""),
          );
          const gone = [...acks.keys()].filter((c) => c !== name && !kept.includes(`overbox-${c}`));
          if ((restored && !drop) || gone.length > 0) drops.push(what);
          for (const other of gone) {
            await open(running.page, other);
            const found = await verify(running.page, acks.get(other)!);
            if (!found.restored)
              found.wrong.push("its database was dropped, and it was not restored");
            wrong.push(...found.wrong.map((w) => `container ${other}: ${w}`));
          }
          if (wrong.length > 0) failures.push(`${what}: ${wrong.join("; ")}`);
        }
      } finally {
        await running.crash();
      }
      if (drops.length > 0) {
        console.log(
          `${BROWSER} dropped the site's IndexedDB by itself after: ${drops.join(", ")}; each container was restored from its replica`,
        );
      }
      expect(failures).toEqual([]);
      expect(acknowledged).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
      if (REPLICAS) {
        expect(restores).toBeGreaterThanOrEqual(Math.floor(KILLS / KILLS_PER_CONTAINER));
      }
    },
    KILLS * 60_000,
  );
});

describe("a crashed tab", () => {
  // Firefox and WebKit have no command that crashes a tab (Chromium's
  // Page.crash): the nearest equivalent, named in the test, is SIGKILL of
  // the tab's process. WebKitWebDriver ends its session when a page
  // crashes, closing the browser: there the other tab is in a browser
  // started again on the same profile.
  const how =
    ENGINE === "chromium"
      ? ""
      : ENGINE === "webkit"
        ? ` (${BROWSER}: its content process killed, and the other tab in the browser started again, as WebDriver ends it with the tab)`
        : ` (${BROWSER}: its content process killed)`;
  it(`gives its container back${how}: another tab of the live browser opens it writable and consistent, with every acknowledged write`, async () => {
    const browser = ENGINE === "webkit" ? null : await launchBrowser();
    const kept = mkdtempSync(join(tmpdir(), "overbox-tab-crash-"));
    const contextOf = () =>
      browser ? browser.newContext() : launchBrowserWithProfile(join(kept, "profile"));
    let context = await contextOf();
    try {
      const url = `${inject("baseUrl")}/?container=tab-crash`;
      const first = await context.newPage();
      const before = contentProcesses();
      await first.goto(url);
      await first.waitForFunction(() => window.overbox !== undefined);
      const printed = await startWorkload(first);
      await expect.poll(() => lastAck(printed()), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
      // The renderer dies, the container's worker with it, holding the Web Lock.
      await crashTab(first, before);
      const acked = lastAck(printed());
      if (!browser) {
        await context.close();
        context = await contextOf();
      }

      const second = await context.newPage();
      await second.goto(url);
      await second.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
      expect(await second.isHidden("#busy")).toBe(true);
      expect(await verify(second, acked)).toEqual({ wrong: [], restored: false });
      // It writes, and what it writes is kept.
      await second.evaluate(() => window.overbox.box.exec("echo after > /root/after; sync"));
      await second.reload();
      await second.waitForFunction(() => window.overbox !== undefined);
      const after = await second.evaluate(() => window.overbox.box.exec("cat /root/after"));
      expect(after.stdout).toBe("after\n");
    } finally {
      await context.close();
      await browser?.close();
      rmSync(kept, { recursive: true, force: true });
    }
  }, 120_000);
});
