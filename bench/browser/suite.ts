/**
 * The browser suite: overbox in Debian's headless Chromium (playwright-core),
 * subject "overbox (browser)", every figure; and in Firefox ESR and WebKit
 * (with Safari's storage features: e2e/webkit.ts), subjects "overbox
 * (Firefox)" and "overbox (WebKit)", start.* (and, in Chromium, python.*:
 * the python image's first and second visit, python.ts), spawn.shell, the pipeline,
 * applet.awk, and persist.write and persist.read beside raw IndexedDB in
 * the same browser. Two sites are built and served (sites.ts):
 * the product's, gzipped, for start.* (start.ts; the embed's in Chromium,
 * embeds.ts); the bench pages', for the
 * process figures (processes.ts), memory.* (memory.ts) and, last, persist.*
 * (persistence.ts). Every browser and server it starts is closed before it
 * returns, whether or not the figures were measured.
 */
import { FIGURES } from "../figures.ts";
import type { Measurement } from "../measure.ts";
import type { BenchContext, Suite } from "../suite.ts";
import { embedFigures } from "./embeds.ts";
import { memoryFigures } from "./memory.ts";
import { persistence } from "./persistence.ts";
import { processFigures } from "./processes.ts";
import { pythonFigures } from "./python.ts";
import { buildPageSite, buildProductSite, serveMetered, servePlain } from "./sites.ts";
import { startFigures } from "./start.ts";

const wantsAny = (context: BenchContext, prefix: string) =>
  FIGURES.some((f) => f.id.startsWith(prefix) && context.wants(f.id));

export const browserSuite: Suite = {
  name: "overbox (browser)",
  async run(context) {
    const started = performance.now();
    const out: Measurement[] = [];
    if (wantsAny(context, "start.") || wantsAny(context, "python.cold")) {
      context.log("browser: building the site (vite build)");
      const site = await serveMetered(await buildProductSite(context));
      try {
        if (wantsAny(context, "start.")) {
          if (
            ["start.cold", "start.warm", "start.bytes", "start.reset"].some((id) =>
              context.wants(id),
            )
          ) {
            out.push(...(await startFigures(context, site)));
            out.push(...(await startFigures(context, site, "overbox (Firefox)")));
            out.push(...(await startFigures(context, site, "overbox (WebKit)")));
          }
          out.push(...(await embedFigures(context, site)));
        }
        if (["python.cold", "python.warm", "python.bytes"].some((id) => context.wants(id))) {
          out.push(...(await pythonFigures(context, site)));
        }
      } finally {
        await site.close();
      }
    }
    const pages = [
      "spawn.",
      "pipeline",
      "applet.",
      "metadata.",
      "memory.",
      "persist.",
      "net.fetch",
    ];
    if (pages.some((prefix) => wantsAny(context, prefix))) {
      context.log("browser: building the bench pages (bench/vite.config.ts)");
      const site = await servePlain(await buildPageSite(context));
      try {
        out.push(...(await processFigures(context, site.url)));
        out.push(...(await memoryFigures(context, site.url)));
        if (wantsAny(context, "persist.")) out.push(...(await persistence(context, site)));
        for (const engine of ["firefox", "webkit"] as const) {
          out.push(...(await processFigures(context, site.url, engine)));
          if (wantsAny(context, "persist.")) {
            out.push(...(await persistence(context, site, engine)));
          }
        }
      } finally {
        await site.close();
      }
    }
    context.log(`browser suite: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return out;
  },
};
