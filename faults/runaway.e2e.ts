/**
 * Runaway programs typed into the playground's terminal: a fork bomb, a
 * memory bomb, `yes` to the screen and a busy loop. While each runs, the
 * page must keep painting (animation frames keep coming) and answer
 * clicks; Ctrl-C must bring the prompt back; the kernel's limits
 * (256 processes, 256 MiB per process) must hold.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "../e2e/browser.ts";
import { screenLines } from "../e2e/screen.ts";
import type {} from "../src/playground.ts";

let browser: Browser;
/** The page of the test under way: each has a browser context and a container of its own. */
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function openPlayground(container: string): Promise<void> {
  page = await (await browser.newContext({ viewport: { width: 1000, height: 600 } })).newPage();
  await page.goto(`${inject("baseUrl")}/?container=${container}`);
  await page.waitForFunction(() => window.overbox !== undefined);
  await shellAnswers();
}

/** The terminal's text, wrapped rows joined. */
const screen = async () => (await screenLines(page)).join("\n").trimEnd();

let marks = 0;

/**
 * Types `echo` of a new mark and waits until it is printed and a prompt
 * follows: the shell is back and answering (a count of prompts would not
 * do: a flood scrolls old ones away). Answers the status of the command
 * before ($?), which the mark carries.
 */
async function shellAnswers(timeout = 30_000): Promise<number> {
  const mark = `mark-${++marks}`;
  await page.keyboard.type(`echo ${mark}-$?`);
  await page.keyboard.press("Enter");
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await screen();
    // The mark's output (the typed line has `$?`, not digits), then a
    // prompt after it; other programs' output (a fork bomb's "can't fork")
    // may be printed in between and around.
    const found = new RegExp(`${mark}-(\\d+)`).exec(text);
    if (found && text.slice(found.index).includes("root@overbox:")) return Number(found[1]);
    if (Date.now() > deadline) {
      throw new Error(
        `the shell did not answer; the screen ends: ${JSON.stringify(text.slice(-300))}`,
      );
    }
    await page.waitForTimeout(100);
  }
}

/** Animation frames the page paints in one second, and how long a click takes to be answered. */
async function responsiveness(): Promise<{ frames: number; clickMs: number }> {
  const frames = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let n = 0;
        const start = performance.now();
        const tick = () => {
          n++;
          if (performance.now() - start < 1000) requestAnimationFrame(tick);
          else resolve(n);
        };
        requestAnimationFrame(tick);
      }),
  );
  const before = Date.now();
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const button = document.createElement("button");
        button.onclick = () => {
          button.remove();
          resolve();
        };
        document.body.append(button);
        button.click();
      }),
  );
  return { frames, clickMs: Date.now() - before };
}

/**
 * Types `command`, lets it run, checks the page stays responsive, then
 * Ctrl-C and a prompt; answers the command's status.
 */
async function runaway(command: string, runFor = 2000): Promise<number> {
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(runFor);
  const { frames, clickMs } = await responsiveness();
  // Headless Chromium paints at 60 frames a second; a page blocked for a
  // second would paint one or none.
  expect(frames, `frames painted in a second while \`${command}\` ran`).toBeGreaterThanOrEqual(10);
  expect(clickMs, "a click's answer, in ms").toBeLessThan(1000);
  await page.keyboard.press("Control+c");
  return shellAnswers();
}

/** Types `command` and waits for the shell to answer again; the screen after. */
async function typed(command: string, timeout = 60_000): Promise<string> {
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
  await shellAnswers(timeout);
  return screen();
}

describe("runaway programs in the playground", () => {
  it("yes to the screen: the page keeps painting, the flood is paced, and Ctrl-C stops it", async () => {
    await openPlayground("flood");
    expect(await runaway("yes")).toBe(130);
    // Paced to the screen: the worker is not megabytes ahead of the page.
    const heap = await page.evaluate(
      () => (performance as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    );
    expect(heap).toBeLessThan(200 * 1024 * 1024);
  });

  it("a busy loop of shell builtins: the page keeps painting, and Ctrl-C stops it", async () => {
    await openPlayground("busy");
    expect(await runaway("while :; do :; done")).toBe(130);
  });

  it("a fork bomb: forks stop at the process or memory limit, the page keeps painting, the shell still answers, and Reset ends the bomb", async () => {
    await openPlayground("bomb");
    await page.keyboard.type("bomb() { bomb | bomb & }; bomb");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(4000);
    const { frames, clickMs } = await responsiveness();
    expect(frames).toBeGreaterThanOrEqual(10);
    expect(clickMs).toBeLessThan(1000);
    // A user at the terminal is answered first (Tty.read): echo is a builtin, needing no fork.
    const asked = Date.now();
    await shellAnswers(10_000);
    expect(Date.now() - asked).toBeLessThan(10_000);
    const live = await page.evaluate(() =>
      window.overbox.box.exec("true").then(
        () => "forked",
        (e: unknown) => String(e),
      ),
    );
    // Chromium refuses new wasm memories (ENOMEM) before the 256-process limit.
    expect(live).toMatch(/EAGAIN|ENOMEM|forked/);

    // Reset stops every process of the container, the bomb's too, and logs a new shell in.
    await page.evaluate(() => window.overbox.box.reset());
    await shellAnswers();
    const ps = await page.evaluate(() => window.overbox.box.exec("ps | wc -l"));
    expect(Number(ps.stdout)).toBeLessThan(10);

    await page.context().close();
  });

  it("a memory bomb: killed at the 256 MiB limit with a message, and the shell goes on", async () => {
    await openPlayground("memory");
    const text = await typed(`awk 'BEGIN { s = "x"; while (1) s = s s }'; echo status-$?`);
    expect(text).toMatch(/out of memory: killed process \d+ \(awk\)/);
    expect(text).toMatch(/^status-137$/m);
    expect((await responsiveness()).frames).toBeGreaterThanOrEqual(10);
  });
});
