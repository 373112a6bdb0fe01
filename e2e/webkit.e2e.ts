/**
 * The playground in WebKit (WebKitGTK through WebDriver: e2e/webkit.ts),
 * with its defaults and with Safari's storage features on. What runs here
 * is a subset of the Chromium and Firefox suite, through a client of our
 * own (README, "Browsers"): the container opens, says what this browser
 * cannot do for it, takes typed commands, keeps a file across a reload,
 * and commits an image without leaving a file half-written.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { launchWebKit, type WebKitPage, type WebKitProfile } from "./webkit.ts";

let page: WebKitPage | null = null;

afterEach(async () => {
  await page?.close();
  page = null;
});

const opened = "() => window.overbox !== undefined";
/** The playground's sandbox, in the page. */
const exec = (command: string) =>
  page!.evaluate<{ exitCode: number; stdout: string }>(
    "(c) => window.overbox.box.exec(c)",
    command,
  );

/**
 * What each profile lacks, as the page must say it. Under WebDriver,
 * WebKitGTK's session is ephemeral: even with Safari's features on, its
 * OPFS is there but answers UnknownError, so neither profile reaches the
 * sync access handles (their NotSupportedError is tested in Node,
 * browser/degrade.test.ts), and neither has createWritable.
 */
const MISSING = [
  /^no replica: this browser gives the page no origin private file system, .* lost if the browser drops this site's storage$/,
  /^images made here have no replica: this browser cannot replace a file .*\(no createWritable\)/,
];
const PROFILES: Array<{ profile: WebKitProfile; name: string }> = [
  { profile: "defaults", name: "WebKit with its defaults (no Storage API)" },
  { profile: "safari", name: "WebKit with Safari's storage features" },
];

for (const { profile, name } of PROFILES) {
  describe(`the playground in ${name}`, () => {
    it("opens a kept container, says in one line that it has no replica, runs typed commands and keeps a file across a reload", async () => {
      page = await launchWebKit(profile);
      const url = `${inject("baseUrl")}/?container=webkit-${profile}`;
      await page.goto(url);
      await page.waitFor(opened, 60_000);
      const info = await page.evaluate<{ readOnly: boolean; unavailable?: string[] }>(
        "() => window.overbox.box.info",
      );
      expect(info.readOnly).toBe(false);
      expect(info.unavailable).toEqual(MISSING.map((m) => expect.stringMatching(m)));
      const status = await page.evaluate<string>(
        "() => document.getElementById('status').textContent",
      );
      expect(status).toBe(`In this browser: ${info.unavailable!.join("; ")}.`);

      await page.evaluate("() => window.overbox.term.focus()");
      await page.waitFor(
        "() => /# $/.test(window.overbox.term.buffer.active.getLine(window.overbox.term.buffer.active.baseY + window.overbox.term.buffer.active.cursorY).translateToString(true))",
      );
      await page.type("echo typed-$((6*7)) > /root/typed.txt\n");
      await page.waitFor(
        "async () => (await window.overbox.box.exec('cat /root/typed.txt')).stdout === 'typed-42\\n'",
      );

      expect((await exec("echo kept > /root/kept.txt; sync")).exitCode).toBe(0);
      await page.goto(url);
      await page.waitFor(opened, 60_000);
      expect((await exec("cat /root/kept.txt /root/typed.txt")).stdout).toBe("kept\ntyped-42\n");
    }, 180_000);

    it("commits the container as an image, and leaves no half-written file in the origin private file system", async () => {
      page = await launchWebKit(profile);
      await page.goto(`${inject("baseUrl")}/?container=webkit-commit-${profile}`);
      await page.waitFor(opened, 60_000);
      await exec("echo committed > /root/c.txt; sync");
      await page.evaluate("() => window.overbox.box.commit('webkit-image')");
      const images = await page.evaluate<string[]>("() => window.overbox.box.images()");
      expect(images).toContain("webkit-image");
      // Every file of OPFS, with its size: none empty (Commit made one before it failed).
      const files = await page.evaluate<Array<[string, number]>>(`async () => {
        const root = await navigator.storage?.getDirectory?.().catch(() => null);
        if (!root) return [];
        const out = [];
        const walk = async (dir, path) => {
          for await (const [name, handle] of dir.entries()) {
            if (handle.kind === "directory") await walk(handle, path + name + "/");
            else out.push([path + name, (await handle.getFile()).size]);
          }
        };
        await walk(root, "");
        return out;
      }`);
      expect(files.filter(([, size]) => size === 0)).toEqual([]);
    }, 180_000);
  });
}
