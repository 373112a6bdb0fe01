/**
 * memory.image, memory.one and memory.extra: what a container costs a
 * browser, as the proportional set size (PSS) of every process of one
 * Chromium instance, read from /proc.
 */
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromiumWithProfile } from "../../e2e/browser.ts";
import type { Measurement, Subject } from "../measure.ts";
import type { BenchContext } from "../suite.ts";
import { counted, processTable, processTree, pss, type Pss } from "../pss.ts";

const SUBJECT: Subject = "overbox (browser)";
/** How long the page is left alone after the collections, before /proc is read. */
const SETTLE_MS = 2000;

/** The image's blobs (its layers: index and data) from its manifest, with their sizes on disk. */
function imageBytes(root: string, image: string): { bytes: number; blobs: number } {
  const images = join(root, "build", "public", "images");
  const manifest = JSON.parse(readFileSync(join(images, `${image}.json`), "utf8")) as {
    layers: { digest: string }[];
  };
  const blobPath = (digest: string) => {
    const [algorithm, hex] = digest.split(":");
    return join(images, "blobs", algorithm!, hex!);
  };
  let bytes = 0;
  let blobs = 0;
  for (const layer of manifest.layers) {
    // A layer's digest names its index, which names its data blob.
    const index = JSON.parse(readFileSync(blobPath(layer.digest), "utf8")) as {
      data: { digest: string };
    };
    for (const digest of [layer.digest, index.data.digest]) {
      bytes += statSync(blobPath(digest)).size;
      blobs++;
    }
  }
  return { bytes, blobs };
}

/** The browser process of the Chromium using `profile`, and every process below it. */
function chromiumProcesses(profile: string): number[] {
  const parents = processTable();
  const browser = [...parents.keys()].find((pid) => {
    try {
      // Chromium's child processes rewrite their command line as one string; the browser's is as launched.
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/);
      return (
        args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith("--type="))
      );
    } catch {
      return false;
    }
  });
  if (browser === undefined) throw new Error(`no Chromium process with --user-data-dir=${profile}`);
  return processTree(browser, parents);
}

/**
 * Asks every JavaScript heap of the page's renderer (the page's and its
 * workers') to collect, as a critical memory pressure signal does, and a
 * full collection of the page's; then waits, and reads the PSS.
 */
async function settledPss(page: Page, profile: string): Promise<Pss> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Memory.simulatePressureNotification", { level: "critical" });
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.detach();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  return pss(chromiumProcesses(profile));
}

const MB = 1e6;

export async function memoryFigures(
  context: BenchContext,
  siteUrl: string,
): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const image = imageBytes(context.root, "busybox");
  if (context.wants("memory.image") || context.wants("memory.extra")) {
    out.push({
      figure: "memory.image",
      subject: SUBJECT,
      unit: "MB",
      samples: [image.bytes / MB],
      note: `the busybox image's ${image.blobs} blobs in build/public/images (each layer's index and data), ${image.bytes} bytes; one sample (it does not vary)`,
    });
  }
  if (!context.wants("memory.one") && !context.wants("memory.extra")) return out;
  const containers = context.sizes.containers;
  const one: number[] = [];
  const extra: number[] = [];
  for (let run = 0; run < context.runs; run++) {
    const profile = await mkdtemp(join(tmpdir(), "overbox-bench-profile-"));
    let browser: BrowserContext | null = null;
    try {
      browser = await launchChromiumWithProfile(profile);
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.on("pageerror", (e) => context.log(`memory page: ${String(e)}`));
      await page.goto(new URL("bench/page/processes.html", siteUrl).href);
      await page.waitForFunction(() => window.processes !== undefined);
      const blank = await settledPss(page, profile);
      await page.evaluate(async () => {
        await window.processes.open("ephemeral");
        const r = await window.processes.run("true");
        if (r.exitCode !== 0) throw new Error(`sh -c true: ${r.exitCode}`);
      });
      const first = await settledPss(page, profile);
      await page.evaluate((n) => window.processes.openMore(n), containers - 1);
      const all = await settledPss(page, profile);
      one.push((counted(first) - counted(blank)) / MB);
      extra.push((counted(all) - counted(first)) / (containers - 1) / MB);
      const text = (p: Pss) =>
        `${(p.all / MB).toFixed(1)} MB (${(p.file / MB).toFixed(1)} file-backed)`;
      context.log(
        `memory run ${run + 1}: PSS ${text(blank)} blank, ${text(first)} with one container, ${text(all)} with ${containers}`,
      );
      await page.evaluate(() => window.processes.closeAll());
    } finally {
      await browser?.close();
      await rm(profile, { recursive: true, force: true });
    }
  }
  const how =
    `the sum of Pss less Pss_File in /proc/PID/smaps_rollup over the Chromium instance's processes (its browser process and every process below it), a new browser each run; ` +
    `file-backed pages (Chromium's binary and libraries, whose share moves as other Chromiums on the machine start and exit) are left out, as a container maps no file; ` +
    `each reading after a simulated critical memory-pressure signal and a full collection of the page's heap (CDP), then ${SETTLE_MS / 1000} s`;
  if (context.wants("memory.one"))
    out.push({
      figure: "memory.one",
      subject: SUBJECT,
      unit: "MB",
      samples: one,
      note: `an ephemeral container opened in a page of the bench site and \`sh -c true\` run, less that page before; ${how}`,
    });
  if (context.wants("memory.extra"))
    out.push({
      figure: "memory.extra",
      subject: SUBJECT,
      unit: "MB",
      samples: extra,
      note: `${containers - 1} more ephemeral containers of the image in the same page (served by its one worker), each running \`sh -c true\`; ${how}`,
    });
  return out;
}
