/**
 * The built site (`npm run build`, dist/) from a plain static server: it
 * boots, shows a progress bar while the image downloads on a first visit,
 * and works offline after that visit (its service worker).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../src/playground.ts";
import { launchChromium } from "./browser.ts";
import { serveStatic } from "./static-server.ts";

let browser: Browser;
let dist: string;
let site: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "overbox-dist-"));
  await build({
    logLevel: "warn",
    build: { outDir: dist, emptyOutDir: true },
  });
  site = await serveStatic(dist);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe("the built site", () => {
  it("boots from a plain static server and runs commands", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.overbox.box.exec("echo built; uname -s"));
    expect(r).toEqual({ exitCode: 0, stdout: "built\nLinux\n", stderr: "" });
    await page.context().close();
  });

  it("shows a progress bar while the image downloads on a first visit", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Whether the bar was ever shown with some progress: recorded as it
    // happens, since a local download is over in a moment.
    await page.addInitScript(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      document.addEventListener("DOMContentLoaded", () => {
        const box = document.getElementById("progress")!;
        const bar = document.getElementById("progress-bar") as HTMLProgressElement;
        new MutationObserver(() => {
          if (!box.hidden && bar.value > 0) w.sawProgress = true;
        }).observe(document.body, { attributes: true, subtree: true });
      });
    });
    await page.goto(site.url);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    expect(
      await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress),
    ).toBe(true);
    expect(await page.isHidden("#progress")).toBe(true);
    await context.close();
  });

  it("works offline after the first visit: files, shell and all", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}?container=offline`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    await page.evaluate(() => window.overbox.box.exec("echo kept > /root/offline.txt; sync"));
    // The service worker has cached the site once it controls the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 20_000,
    });
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.overbox.box.exec("cat /root/offline.txt"));
    expect(r).toEqual({ exitCode: 0, stdout: "kept\n", stderr: "" });
    await context.close();
  });
});
