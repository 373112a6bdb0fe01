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
import type { BrowserContext } from "playwright-core";
import type { Measurement } from "../measure.ts";
import type { BenchContext } from "../suite.ts";
import type { MeteredSite } from "./sites.ts";
import { sentBytes, START_ENGINES, untilServiceWorker, visit, watchRow } from "./start.ts";

const VIEWPORT = { width: 1200, height: 700 };

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
      await browser.addInitScript(watchRow, "^>>>$");
      const first = browser.pages()[0] ?? (await browser.newPage());
      site.clear();
      const a = await visit(first, url);
      cold.push(a.ms);
      const before = site.sent.filter((s) => s.at <= a.at);
      bytes.push(sentBytes(before));
      await untilServiceWorker(first);
      await first.close();
      const second = await browser.newPage();
      site.clear();
      const b = await visit(second, url);
      warm.push(b.ms);
      context.log(
        `python run ${run + 1}: cold ${a.ms.toFixed(0)} ms, ${bytes.at(-1)} bytes until >>>; warm ${b.ms.toFixed(0)} ms, ${sentBytes(site.sent)} bytes`,
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
