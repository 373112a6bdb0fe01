/**
 * What a container holds never becomes HTML or script in the page: file
 * and directory names, file contents and terminal output that look like
 * markup are shown as text by every part of the playground that shows them
 * (the terminal, the status line, the download and upload verbs). The
 * embed's refusal of foreign origins is e2e/embed.e2e.ts's; the
 * Content-Security-Policy of the built site, e2e/offline.e2e.ts's; that no
 * path reaches another container, browser/sandbox.test.ts's.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "../e2e/browser.ts";
import type {} from "../src/playground.ts";

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Markup that would set window.pwned if it were ever parsed as HTML. */
const markup = (n: number) => `<img src=x${n} onerror="window.pwned=${n}">`;

async function statusText(page: Page, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById("status")!.textContent ?? ""),
    pattern.source,
  );
  return (await page.textContent("#status"))!;
}

describe("markup from a container stays text in the page", () => {
  it("in names, contents and output shown by the terminal, the status line, download and upload", async () => {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${inject("baseUrl")}/?container=isolated`);
    await page.waitForFunction(() => window.overbox !== undefined);

    // A directory and a file named with markup, holding markup, listed and printed.
    const dir = `/tmp/${markup(1)}`;
    // (A name holds no "/": no closing tags.)
    const file = `${markup(2)}<svg onload="window.pwned=3">`;
    await page.keyboard.type(
      `mkdir -p '${dir}' && cd '${dir}' && echo '${markup(4)}<script>alert(5)</script>' > '${file}' && ls && cat '${file}' && echo made-$((2+3))\n`,
    );
    await page.waitForFunction(() => {
      const b = window.overbox.term.buffer.active;
      let text = "";
      for (let y = 0; y < b.length; y++) text += b.getLine(y)!.translateToString(true) + "\n";
      return /^made-5$/m.test(text) && text.includes("<script>alert(5)</script>");
    });

    // The download verb shows the shell's directory and the file's name.
    await page.getByRole("button", { name: "Download a file…" }).click();
    const dialog = page.getByRole("dialog", { name: "Download a file" });
    expect(await dialog.textContent()).toContain(dir);
    await dialog.getByRole("textbox").fill(file);
    const saving = page.waitForEvent("download", { timeout: 10_000 });
    await dialog.getByRole("button", { name: "Download" }).click();
    await saving.catch(async (e: unknown) => {
      throw new Error(
        `no download (${String(e)}); the status says: ${await page.textContent("#status")}`,
      );
    });
    expect(await statusText(page, /^downloaded /)).toContain(markup(2));

    // An uploaded file named with markup.
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Upload files…" }).click();
    await (
      await chooser
    ).setFiles([{ name: `${markup(6)}.txt`, mimeType: "text/plain", buffer: Buffer.from("x") }]);
    expect(await statusText(page, /^uploaded /)).toContain(markup(6));

    expect(await page.evaluate(() => (window as { pwned?: number }).pwned ?? null)).toBeNull();
    expect(await page.locator('img[src^="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.context().close();
  });
});
