/**
 * start.cold, start.warm and start.bytes: the playground of the built site
 * opened by a fresh browser profile, then by the same profile again once
 * its service worker is in control, timed from navigation to the shell's
 * prompt on screen. start.reset: that second tab's Reset container, from
 * the click to the new prompt.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchEngineWithProfile } from "../../e2e/browser.ts";
import type { Measurement, Subject } from "../measure.ts";
import type { BenchContext } from "../suite.ts";
import type { MeteredSite, Sent } from "./sites.ts";

/** The engines the start figures are measured in: "overbox (browser)" is Chromium's. */
export const START_ENGINES = {
  "overbox (browser)": (dir, o) => launchEngineWithProfile("chromium", dir, o),
  "overbox (Firefox)": (dir, o) => launchEngineWithProfile("firefox", dir, o),
  "overbox (WebKit)": (dir, o) => launchEngineWithProfile("webkit", dir, o),
} satisfies Partial<
  Record<
    Subject,
    (dir: string, o: { viewport: { width: number; height: number } }) => Promise<BrowserContext>
  >
>;
const VIEWPORT = { width: 1200, height: 700 };

/** What the init script leaves on `window`: the watched row's time, from performance.timeOrigin. */
interface Watched {
  promptAt?: number;
}

/**
 * Runs in the page before its scripts: watches xterm.js's rows (its DOM
 * renderer draws each screen row as a div of .xterm-rows) and notes
 * performance.now() when a row, trailing spaces trimmed, matches `pattern`
 * (a RegExp's source): the shell's prompt "root@overbox:~#" with nothing
 * after it but the cursor, or python.ts's ">>>".
 */
export function watchRow(pattern: string): void {
  const w = window as unknown as Watched;
  const row = new RegExp(pattern);
  const observer = new MutationObserver(() => {
    for (const r of Array.from(document.querySelectorAll(".xterm-rows > div"))) {
      if (row.test((r.textContent ?? "").replace(/\s+$/, ""))) {
        w.promptAt = performance.now();
        observer.disconnect();
        return;
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

export const SHELL_PROMPT = "^root@overbox:\\S*#$";

/**
 * Opens `url` in `page`, whose context watches for a row (watchRow);
 * resolves with ms from navigation start to that row, that moment's epoch
 * ms, and when DOMContentLoaded ended.
 */
export async function visit(
  page: Page,
  url: string,
): Promise<{ ms: number; at: number; loaded: number }> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as Watched).promptAt !== undefined, null, {
    timeout: 120_000,
    polling: 10,
  });
  return page.evaluate(() => {
    const ms = (window as unknown as Watched).promptAt!;
    const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return { ms, at: performance.timeOrigin + ms, loaded: navigation.domContentLoadedEventEnd };
  });
}

/** Waits until the site's service worker has installed (its precache fetched) and controls `page`. */
export async function untilServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      await navigator.serviceWorker.ready;
      return navigator.serviceWorker.controller !== null;
    },
    null,
    { timeout: 60_000 },
  );
}

/**
 * Clicks Reset container and confirms it, in a playground at its prompt
 * that has written a file; resolves with ms from the confirming click to
 * the animation frame whose screen is the new shell's prompt alone.
 */
async function reset(page: Page): Promise<number> {
  await page.keyboard.type("echo reset-me > /root/reset-me && echo written");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll(".xterm-rows > div")).some(
      (row) => (row.textContent ?? "").trim() === "written",
    ),
  );
  await page.getByRole("button", { name: "Reset container" }).click();
  await page
    .getByRole("dialog", { name: /^Reset the container/ })
    .getByRole("button", { name: "Reset" })
    .waitFor();
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        // The dialog's Reset button (found here: WebKit's client passes no element handles).
        const button = Array.from(document.querySelectorAll("dialog[open] button")).find(
          (b) => b.textContent?.trim() === "Reset",
        )!;
        const prompt = /^root@overbox:\S*#$/;
        const rows = document.querySelector(".xterm-rows")!;
        let start = 0;
        // No named functions in here: tsx would wrap them in a helper the page lacks.
        const observer = new MutationObserver(() => {
          const text = Array.from(rows.children, (r) => (r.textContent ?? "").replace(/\s+$/, ""));
          if (!prompt.test(text[0] ?? "") || text.slice(1).some((t) => t !== "")) return;
          observer.disconnect();
          resolve(performance.now() - start);
        });
        observer.observe(rows, { childList: true, subtree: true, characterData: true });
        start = performance.now();
        (button as HTMLButtonElement).click();
      }),
  );
}

/** The bytes of these responses. */
export const sentBytes = (sent: Sent[]) => sent.reduce((n, s) => n + s.bytes, 0);

export async function startFigures(
  context: BenchContext,
  site: MeteredSite,
  subject: keyof typeof START_ENGINES = "overbox (browser)",
): Promise<Measurement[]> {
  const SUBJECT: Subject = subject;
  const launch = START_ENGINES[subject];
  const cold: number[] = [];
  const warm: number[] = [];
  const bytes: number[] = [];
  const resets: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const profile = await mkdtemp(join(tmpdir(), "overbox-bench-profile-"));
    let browser: BrowserContext | null = null;
    try {
      browser = await launch(profile, { viewport: VIEWPORT });
      await browser.addInitScript(watchRow, SHELL_PROMPT);
      const first = browser.pages()[0] ?? (await browser.newPage());
      site.clear();
      const a = await visit(first, site.url);
      cold.push(a.ms);
      // Responses over by the time the prompt was on screen (the same clock: one machine).
      const before = site.sent.filter((s) => s.at <= a.at);
      bytes.push(sentBytes(before));
      // A visitor who stays a moment: the service worker has installed (its
      // precache fetched) and controls the page.
      await untilServiceWorker(first);
      const sw = before.filter((s) => s.serviceWorker);
      context.log(
        `start run ${run + 1} (${subject}): cold ${a.ms.toFixed(0)} ms (DOMContentLoaded at ${a.loaded.toFixed(0)} ms); ` +
          `${sentBytes(before)} bytes in ${before.length} responses until the prompt, ` +
          `${sentBytes(sw)} of them in ${sw.length} for the service worker's precache; ${sentBytes(site.sent)} bytes once it installed`,
      );
      await first.close();
      if (!context.wants("start.warm") && !context.wants("start.reset")) continue;
      const second = await browser.newPage();
      site.clear();
      const b = await visit(second, site.url);
      warm.push(b.ms);
      context.log(
        `start run ${run + 1} (${subject}): warm ${b.ms.toFixed(0)} ms (DOMContentLoaded at ${b.loaded.toFixed(0)} ms), ${sentBytes(site.sent)} bytes from the server`,
      );
      if (!context.wants("start.reset")) continue;
      resets.push(await reset(second));
      context.log(`start run ${run + 1}: reset ${resets.at(-1)!.toFixed(0)} ms`);
    } finally {
      await browser?.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
  const note =
    "from navigation start (performance.timeOrigin) to the first animation frame in which xterm.js's DOM renderer draws a row reading `root@overbox:~#` (a MutationObserver on .xterm-rows, installed before the page's scripts); performance.now() in the page, which Chromium coarsens to 0.1 ms without cross-origin isolation; the pixels follow in that frame's paint (one frame ≈ 16.7 ms at most)";
  const out: Measurement[] = [];
  if (context.wants("start.cold"))
    out.push({
      figure: "start.cold",
      subject: SUBJECT,
      unit: "ms",
      samples: cold,
      note: `a new profile each run; ${note}`,
    });
  if (context.wants("start.warm"))
    out.push({
      figure: "start.warm",
      subject: SUBJECT,
      unit: "ms",
      samples: warm,
      note: `a new tab of the same browser, once the first visit's tab was closed and its service worker controlled it (installed, precache complete); ${note}`,
    });
  if (context.wants("start.reset"))
    out.push({
      figure: "start.reset",
      subject: SUBJECT,
      unit: "ms",
      samples: resets,
      note: "in the warm visit's tab, after `echo reset-me > /root/reset-me`; from the confirming click (performance.now() in the page) to the first DOM change of .xterm-rows that leaves the new prompt alone on the screen's first row",
    });
  if (context.wants("start.bytes"))
    out.push({
      figure: "start.bytes",
      subject: SUBJECT,
      unit: "bytes",
      samples: bytes,
      note:
        "status lines, headers and bodies the server wrote for responses finished before the prompt appeared, the service worker's precache included (it copies every file of the site, from the HTTP cache where the page fetched it already); " +
        "the server gzips (level 6) HTML, JS, CSS, JSON, wasm and the image's blobs when asked, as a static host would",
    });
  return out;
}
