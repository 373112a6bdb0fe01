/**
 * python.cold, python.warm and python.bytes: a container of the image
 * `python` opened by the embed of the built site (embed.html?image=python
 * &command=python3), by a fresh Chromium profile and then by the same
 * profile again once its service worker is in control, timed from
 * navigation to the REPL's `>>>` prompt on screen.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { Measurement } from "../measure.ts";
import type { BenchContext } from "../suite.ts";
import type { MeteredSite } from "./sites.ts";
import { START_ENGINES } from "./start.ts";

const VIEWPORT = { width: 1200, height: 700 };

/** What the init script leaves on `window`: the REPL prompt's time, from performance.timeOrigin. */
interface Watched {
  replAt?: number;
}

/** Runs in the page before its scripts: notes performance.now() when a terminal row reads `>>>`. */
function watchRepl(): void {
  const w = window as unknown as Watched;
  const observer = new MutationObserver(() => {
    for (const row of Array.from(document.querySelectorAll(".xterm-rows > div"))) {
      if ((row.textContent ?? "").replace(/\s+$/, "") === ">>>") {
        w.replAt = performance.now();
        observer.disconnect();
        return;
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
}

async function visit(page: Page, url: string): Promise<{ ms: number; at: number }> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as Watched).replAt !== undefined, null, {
    timeout: 120_000,
    polling: 10,
  });
  return page.evaluate(() => {
    const ms = (window as unknown as Watched).replAt!;
    return { ms, at: performance.timeOrigin + ms };
  });
}

export async function pythonFigures(
  context: BenchContext,
  site: MeteredSite,
): Promise<Measurement[]> {
  const url = `${site.url}embed.html?image=python&command=python3`;
  const cold: number[] = [];
  const warm: number[] = [];
  const bytes: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const profile = await mkdtemp(join(tmpdir(), "overbox-bench-profile-"));
    let browser: BrowserContext | null = null;
    try {
      browser = await START_ENGINES["overbox (browser)"](profile, { viewport: VIEWPORT });
      await browser.addInitScript(watchRepl);
      const first = browser.pages()[0] ?? (await browser.newPage());
      site.clear();
      const a = await visit(first, url);
      cold.push(a.ms);
      const before = site.sent.filter((s) => s.at <= a.at);
      bytes.push(before.reduce((n, s) => n + s.bytes, 0));
      await first.waitForFunction(
        async () => {
          await navigator.serviceWorker.ready;
          return navigator.serviceWorker.controller !== null;
        },
        null,
        { timeout: 60_000 },
      );
      await first.close();
      const second = await browser.newPage();
      site.clear();
      const b = await visit(second, url);
      warm.push(b.ms);
      context.log(
        `python run ${run + 1}: cold ${a.ms.toFixed(0)} ms, ${bytes.at(-1)} bytes until >>>; warm ${b.ms.toFixed(0)} ms, ${site.sent.reduce((n, s) => n + s.bytes, 0)} bytes`,
      );
    } finally {
      await browser?.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
  const note =
    "from navigation start to the first DOM change of xterm.js's rows that shows a row reading `>>>` (a MutationObserver installed before the page's scripts)";
  const out: Measurement[] = [];
  const subject = "overbox (browser)" as const;
  if (context.wants("python.cold"))
    out.push({
      figure: "python.cold",
      subject,
      unit: "ms",
      samples: cold,
      note: `a new profile each run; ${note}`,
    });
  if (context.wants("python.warm"))
    out.push({
      figure: "python.warm",
      subject,
      unit: "ms",
      samples: warm,
      note: `a new tab of the same browser once its service worker controlled the first; ${note}`,
    });
  if (context.wants("python.bytes"))
    out.push({
      figure: "python.bytes",
      subject,
      unit: "bytes",
      samples: bytes,
      note: "bytes the server wrote (gzip where asked, as for start.bytes) for responses finished before `>>>` appeared",
    });
  return out;
}
