/**
 * start.embed.cold, start.embed.warm and start.embeds: a documentation
 * page of the built site framing embed.html, once (first and second
 * visit) and three times (second visit), timed from the page's navigation
 * to its embeds' prompts on screen. The framing pages are written into
 * the built site (they are the bench's, not the product's).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { Measurement } from "../measure.ts";
import type { BenchContext } from "../suite.ts";
import type { MeteredSite } from "./sites.ts";
import { SHELL_PROMPT, START_ENGINES, watchRow } from "./start.ts";

const VIEWPORT = { width: 1200, height: 900 };

/** A page framing `count` embeds of ephemeral containers, one below the other. */
function framing(count: number): string {
  const frames = Array.from(
    { length: count },
    (_, i) => `<iframe title="embed ${i + 1}" src="embed.html"></iframe>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${count} embeds</title>
<style>iframe { display: block; width: 640px; height: 240px; border: 0; }</style>
</head><body>
${frames.join("\n")}
</body></html>
`;
}

/**
 * Opens `url` and waits for every frame's prompt (watchRow runs in each
 * frame): ms from the page's navigation start to the last of them.
 */
async function visitEmbeds(page: Page, url: string, count: number): Promise<number> {
  await page.goto(url);
  const prompted = async () => {
    // (An embed frames a page of its own too: its preview's, empty here.)
    const frames = page.frames().filter((f) => new URL(f.url()).pathname.endsWith("/embed.html"));
    if (frames.length < count) return null;
    const at = await Promise.all(
      frames.map((f) =>
        f
          .evaluate(() => {
            const w = window as unknown as { promptAt?: number };
            return w.promptAt === undefined ? null : performance.timeOrigin + w.promptAt;
          })
          .catch(() => null),
      ),
    );
    return at.some((t) => t === null) ? null : Math.max(...(at as number[]));
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const last = await prompted();
    if (last !== null) return last - (await page.evaluate(() => performance.timeOrigin));
    if (Date.now() > deadline) throw new Error(`${url}: no prompt in every embed after 120 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the service worker an embed registered is active (its precache fetched). */
async function untilEmbedServiceWorker(page: Page): Promise<void> {
  const frame = page.frames().find((f) => new URL(f.url()).pathname.endsWith("/embed.html"));
  if (!frame) throw new Error("no embed frame");
  await frame.waitForFunction(
    async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active !== null;
    },
    null,
    { timeout: 60_000 },
  );
}

export async function embedFigures(
  context: BenchContext,
  site: MeteredSite,
): Promise<Measurement[]> {
  const ids = ["start.embed.cold", "start.embed.warm", "start.embeds"];
  if (!ids.some((id) => context.wants(id))) return [];
  await writeFile(join(site.dir, "bench-embed-1.html"), framing(1));
  await writeFile(join(site.dir, "bench-embed-3.html"), framing(3));
  const one = new URL("bench-embed-1.html", site.url).href;
  const three = new URL("bench-embed-3.html", site.url).href;
  const cold: number[] = [];
  const warm: number[] = [];
  const both: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const profile = await mkdtemp(join(tmpdir(), "overbox-bench-profile-"));
    let browser: BrowserContext | null = null;
    try {
      browser = await START_ENGINES["overbox (browser)"](profile, { viewport: VIEWPORT });
      await browser.addInitScript(watchRow, SHELL_PROMPT);
      const first = browser.pages()[0] ?? (await browser.newPage());
      cold.push(await visitEmbeds(first, one, 1));
      await untilEmbedServiceWorker(first);
      await first.close();
      const second = await browser.newPage();
      warm.push(await visitEmbeds(second, one, 1));
      await second.close();
      const third = await browser.newPage();
      both.push(await visitEmbeds(third, three, 3));
      context.log(
        `embeds run ${run + 1}: one embed ${cold.at(-1)!.toFixed(0)} ms first, ${warm.at(-1)!.toFixed(0)} ms second; three embeds ${both.at(-1)!.toFixed(0)} ms`,
      );
    } finally {
      await browser?.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
  const note =
    "from the framing page's navigation start to the last embed's first animation frame drawing a row reading `root@overbox:~#` (watchRow in every frame; each frame's performance.now() taken to the epoch by its timeOrigin); ephemeral containers (embed.html's default), frames 640 × 240";
  const out: Measurement[] = [];
  const subject = "overbox (browser)" as const;
  if (context.wants("start.embed.cold"))
    out.push({
      figure: "start.embed.cold",
      subject,
      unit: "ms",
      samples: cold,
      note: `a new profile each run; ${note}`,
    });
  if (context.wants("start.embed.warm"))
    out.push({
      figure: "start.embed.warm",
      subject,
      unit: "ms",
      samples: warm,
      note: `a new tab of the same browser once the service worker the first visit's embed registered was active; ${note}`,
    });
  if (context.wants("start.embeds"))
    out.push({
      figure: "start.embeds",
      subject,
      unit: "ms",
      samples: both,
      note: `a new tab of the same browser after the one-embed visits, framing three embeds (each its own document and worker); ${note}`,
    });
  return out;
}
