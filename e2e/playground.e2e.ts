import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { readTar, writeTar } from "../core/image/tar.ts";
import {
  BROWSER,
  grantClipboard,
  launchBrowser,
  launchBrowserWithProfile,
  REPLICAS,
  RUN,
  screenshotPath,
} from "./browser.ts";
import { dropDatabase } from "./drop.ts";
import { screenLines } from "./screen.ts";
import type {} from "../src/playground.ts";

/**
 * The playground (index.html), driven as a person would: keys typed into
 * the terminal, the screen read from xterm.js's buffer (or the
 * accessibility tree), the toolbar's buttons and dialogs. Each test has a
 * browser context of its own (its own IndexedDB) and names its containers.
 */

const VIEWPORT = { width: 1200, height: 700 };

let browser: Browser;
const contexts: BrowserContext[] = [];
/** Errors the pages threw or left unhandled: every test ends with none. */
let pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  const errors = pageErrors;
  pageErrors = [];
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

const url = (container: string) =>
  `${inject("baseUrl")}/?container=${encodeURIComponent(container)}`;

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  contexts.push(context);
  context.on("page", (page) => page.on("pageerror", (e) => pageErrors.push(String(e))));
  return context;
}

/** A page of the playground on `container`, its shell at a prompt. */
async function openPlayground(container: string, context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await newContext())).newPage();
  await page.goto(url(container));
  await ready(page);
  return page;
}

/** Waits for the page's container to be open and its shell at a prompt. */
async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => window.overbox !== undefined);
  await waitForPrompt(page);
}

/** The cursor's row, counted from the top of the scrollback. */
function cursorRow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const buffer = window.overbox.term.buffer.active;
    return buffer.baseY + buffer.cursorY;
  });
}

/**
 * Waits for the shell's prompt ("root@overbox:~# ") with the cursor after
 * it, on a row below `after`; resolves with that row.
 */
async function waitForPrompt(page: Page, after = -1, timeout = 15_000): Promise<number> {
  const handle = await page.waitForFunction(
    (after) => {
      const buffer = window.overbox.term.buffer.active;
      const row = buffer.baseY + buffer.cursorY;
      const text = buffer.getLine(row)?.translateToString(true) ?? "";
      const prompt =
        /^root@overbox:\S*# ?$/.test(text) && buffer.cursorX === text.trimEnd().length + 1;
      // An object: row 0 alone would be falsy, and waitForFunction would go on waiting.
      return row > after && prompt ? { row } : false;
    },
    after,
    { timeout, polling: 20 },
  );
  return ((await handle.jsonValue()) as { row: number }).row;
}

/** Types `command` and Enter into the terminal; resolves with the output's lines, once a prompt is back. */
async function shell(page: Page, command: string): Promise<string> {
  const start = await cursorRow(page);
  await page.keyboard.type(command);
  await page.keyboard.press("Enter");
  await waitForPrompt(page, start);
  const lines = await screenLines(page);
  // The lines after the command's own (which may wrap), before the new prompt.
  const at = lines.findLastIndex((l) => /^root@overbox:\S*# /.test(l) && l.endsWith(command));
  return lines.slice(at + 1, -1).join("\n");
}

/** Waits until the cursor's row holds `text` (the shell echoed what was typed). */
async function onCursorLine(page: Page, text: string): Promise<void> {
  await page.waitForFunction((text) => {
    const buffer = window.overbox.term.buffer.active;
    return buffer
      .getLine(buffer.baseY + buffer.cursorY)
      ?.translateToString()
      .includes(text);
  }, text);
}

/** A file of the container, through the library, decoded as UTF-8 byte for byte. */
async function fileText(page: Page, path: string): Promise<string> {
  const bytes = await page.evaluate(
    async (path) => Array.from(await window.overbox.box.fs.readFile(path)),
    path,
  );
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Waits for a new shell on a cleared screen (after a reset or a commit):
 * a prompt, and `gone` no longer on the screen.
 */
async function waitForFreshShell(page: Page, gone: string): Promise<void> {
  await page.waitForFunction(
    (gone) => {
      const buffer = window.overbox.term.buffer.active;
      let all = "";
      for (let y = 0; y < buffer.length; y++) all += buffer.getLine(y)!.translateToString(true);
      return !all.includes(gone);
    },
    gone,
    { polling: 10 },
  );
  await waitForPrompt(page);
}

/**
 * Resets a damaged container from the toolbar, confirmed: the page reloads
 * and the container opens sound, saving again.
 */
async function resetDamaged(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Reset container" }).click();
  const reloaded = page.waitForEvent("load");
  await page
    .getByRole("dialog", { name: /^Reset the container/ })
    .getByRole("button", { name: "Reset" })
    .click();
  await reloaded;
  await ready(page);
  expect(await page.evaluate(() => window.overbox.box.info)).toMatchObject({
    readOnly: false,
    damage: [],
  });
}

/** Waits until every change is stored in IndexedDB, so that a reload finds it. */
async function stored(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => window.overbox.box.unsaved())).toBe(false);
}

/** Waits for the footer's status line to match `pattern`; resolves with its text. */
async function statusMatching(page: Page, pattern: RegExp, id = "status"): Promise<string> {
  await page.waitForFunction(
    ([id, source]) => new RegExp(source).test(document.getElementById(id)!.textContent ?? ""),
    [id, pattern.source] as const,
  );
  return (await page.textContent(`#${id}`))!;
}

async function downloaded(download: Download): Promise<Uint8Array> {
  return new Uint8Array(await readFile((await download.path())!));
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Opens the container picker and waits for its list. */
async function openPicker(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Containers…" }).click();
  await page.waitForSelector("#containers-dialog[open]");
}

const listedContainers = (page: Page) => page.locator("#container-list .name").allTextContents();

describe(`the playground (index.html) in ${BROWSER}`, () => {
  it("runs a command typed into the terminal and shows its output, also to screen readers", async () => {
    const page = await openPlayground("typing");
    expect(await shell(page, "echo $((6*7))")).toBe("42");
    // xterm.js's screen-reader mode: the rows are a list in the accessibility tree.
    const tree = () => page.getByRole("main", { name: "Terminal" }).ariaSnapshot();
    await expect.poll(tree).toContain('- listitem: "42"');
    expect(await tree()).toMatch(/- listitem: "?root@overbox:~# echo \$\(\(6\*7\)\)/);
  });

  it("fills the window, and the shell's terminal size follows the window's", async () => {
    const page = await openPlayground("size");
    const sizes = () =>
      page.evaluate(() => {
        const { term } = window.overbox;
        const area = document.getElementById("terminal")!.getBoundingClientRect();
        const screen = term.element!.querySelector(".xterm-screen")!.getBoundingClientRect();
        return {
          rows: term.rows,
          cols: term.cols,
          spareWidth: area.width - screen.width,
          spareHeight: area.height - screen.height,
          cell: { width: screen.width / term.cols, height: screen.height / term.rows },
          window: innerHeight,
          areaHeight: area.height,
        };
      });
    // The shell's terminal has the size the page's terminal has. The page's
    // terminal may be fitted again just after the prompt (from 40 to 38 rows
    // within 60 ms of it, in a probe): the two agree once it has settled,
    // each size asked while the command ran.
    const agree = () =>
      vi.waitFor(
        async () => {
          const { rows, cols } = await sizes();
          expect(await shell(page, "stty size")).toBe(`${rows} ${cols}`);
        },
        { timeout: 10_000, interval: 200 },
      );
    await agree();
    const big = await sizes();
    // Less than a cell of the terminal's area is left unused, besides its
    // padding (4 px a side) and, across, xterm.js's scroll bar (14 px).
    expect(big.spareWidth).toBeLessThan(big.cell.width + 8 + 14);
    expect(big.spareHeight).toBeLessThan(big.cell.height + 8);
    expect(big.areaHeight).toBeGreaterThan(big.window * 0.8);

    await page.setViewportSize({ width: 700, height: 420 });
    await page.waitForFunction((cols) => window.overbox.term.cols < cols, big.cols);
    const small = await sizes();
    expect(small.rows).toBeLessThan(big.rows);
    await agree();
  });

  it("takes non-Latin input: letters typed without a key of their own, and CJK text composed by an input method, kept byte for byte in a file", async () => {
    const page = await openPlayground("intl");
    const start = await cursorRow(page);
    // Letters off the US layout come as the browser gives them when no key
    // makes them (an on-screen keyboard, dictation): an input event alone.
    await page.keyboard.type("printf '%s|' ü é > /root/intl.txt; printf '%s' '");
    // An input method's composition, as the browser reports one: the
    // composition events around the text it puts in the terminal's textarea.
    for (const text of ["日本語", "한국어"]) {
      await page.evaluate((text) => {
        const area = document.querySelector<HTMLTextAreaElement>(".xterm-helper-textarea")!;
        area.dispatchEvent(new CompositionEvent("compositionstart", { data: "" }));
        area.value += text;
        area.dispatchEvent(new CompositionEvent("compositionupdate", { data: text }));
        area.dispatchEvent(new CompositionEvent("compositionend", { data: text }));
      }, text);
      // xterm.js sends a composition's text a moment after it ends: the shell echoes it.
      await onCursorLine(page, text);
    }
    await page.keyboard.type("' >> /root/intl.txt");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect(await fileText(page, "/root/intl.txt")).toBe("ü|é|日本語한국어");
    // And the terminal shows them back.
    expect(await shell(page, "cat /root/intl.txt; echo")).toBe("ü|é|日本語한국어");
  });

  it("takes AltGr and dead keys as browsers on Linux report them: @ and € with the AltGraph modifier, é and ü composed from a dead key, kept byte for byte in a file", async () => {
    const page = await openPlayground("keys");
    const start = await cursorRow(page);
    await page.keyboard.type("printf '%s|' ");
    // The events a browser sends for these keys of a German layout (a
    // test's keyboard is a US one): AltGr+Q and AltGr+E come as keys of
    // their own with the AltGraph modifier, neither Ctrl nor Alt; a dead
    // key (´ or ¨) starts a composition that the next key ends.
    for (const [char, code] of [
      ["@", "KeyQ"],
      ["€", "KeyE"],
    ] as const) {
      await page.evaluate(
        ([char, code]) => {
          const area = document.querySelector<HTMLTextAreaElement>(".xterm-helper-textarea")!;
          const key = (type: string, init: KeyboardEventInit & { modifierAltGraph?: boolean }) =>
            area.dispatchEvent(
              new KeyboardEvent(type, { bubbles: true, cancelable: true, ...init }),
            );
          const init = { key: char, code, modifierAltGraph: true };
          // keypress follows a keydown that was not cancelled, as a browser sends it.
          if (key("keydown", { ...init, keyCode: char.codePointAt(0)! })) {
            key("keypress", { ...init, charCode: char.codePointAt(0)! });
          }
          key("keyup", init);
        },
        [char, code] as const,
      );
      await page.keyboard.type(" ");
    }
    for (const [dead, letter, composed] of [
      ["´", "KeyE", "é"],
      ["¨", "KeyU", "ü"],
    ] as const) {
      await page.evaluate(
        ([dead, letter, composed]) => {
          const area = document.querySelector<HTMLTextAreaElement>(".xterm-helper-textarea")!;
          const key = (type: string, init: KeyboardEventInit) =>
            area.dispatchEvent(
              new KeyboardEvent(type, { bubbles: true, cancelable: true, ...init }),
            );
          key("keydown", { key: "Dead", code: "Equal", keyCode: 229 });
          area.dispatchEvent(new CompositionEvent("compositionstart", { data: "" }));
          area.dispatchEvent(new CompositionEvent("compositionupdate", { data: dead }));
          key("keyup", { key: "Dead", code: "Equal" });
          key("keydown", { key: "Process", code: letter, keyCode: 229 });
          area.value += composed;
          area.dispatchEvent(new CompositionEvent("compositionupdate", { data: composed }));
          area.dispatchEvent(new CompositionEvent("compositionend", { data: composed }));
        },
        [dead, letter, composed] as const,
      );
      await onCursorLine(page, composed);
      await page.keyboard.type(" ");
    }
    await page.keyboard.type("> /root/keys.txt");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect(await fileText(page, "/root/keys.txt")).toBe("@|€|é|ü|");
  });

  it("shows 256 colours and UTF-8 text that programs write", async () => {
    const page = await openPlayground("colours");
    expect(await shell(page, "echo $TERM")).toBe("xterm-256color");
    // Octal escapes: the page sends the bytes, not the keys, of ä € 😀.
    const out = await shell(
      page,
      "printf '\\033[38;5;202mX\\033[48;5;27mY\\033[0m \\303\\244\\342\\202\\254\\360\\237\\230\\200\\n'",
    );
    expect(out).toBe("XY ä€😀");
    const cells = await page.evaluate(() => {
      const buffer = window.overbox.term.buffer.active;
      const row = buffer.baseY + buffer.cursorY - 1;
      const line = buffer.getLine(row)!;
      const x = line.getCell(0)!;
      const y = line.getCell(1)!;
      return {
        x: { palette: x.isFgPalette(), colour: x.getFgColor() },
        y: { palette: y.isBgPalette(), colour: y.getBgColor() },
      };
    });
    expect(cells).toEqual({ x: { palette: true, colour: 202 }, y: { palette: true, colour: 27 } });
  });

  it("copies the selection with Ctrl+Shift+C and pastes with Ctrl+Shift+V, UTF-8 included", async () => {
    const context = await newContext();
    await grantClipboard(context, inject("baseUrl"));
    const page = await openPlayground("clipboard", context);
    await shell(page, "echo copy-me-$((40+2))");
    const row = (await cursorRow(page)) - 1;
    await page.evaluate((row) => window.overbox.term.select(0, row, 10), row);
    await page.keyboard.press("Control+Shift+C");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("copy-me-42");

    await page.evaluate(() =>
      navigator.clipboard.writeText("echo pasted-\u00e4\u20ac\u4e2d\u6587"),
    );
    const start = await cursorRow(page);
    await page.keyboard.press("Control+Shift+V");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    // The line editor shows the characters as typed (not "?"), wide ones
    // included, and the program prints them.
    const lines = await screenLines(page);
    expect(lines).toContain("root@overbox:~# echo pasted-ä€中文");
    expect(lines).toContain("pasted-ä€中文");
    // And ls shows such names as they are.
    // (Made through the API: typed keys past ASCII are an input method's job.)
    await shell(page, "mkdir /tmp/u");
    await page.evaluate(async () => {
      await window.overbox.box.fs.writeFile("/tmp/u/€uro", "");
      await window.overbox.box.fs.writeFile("/tmp/u/中文", "");
    });
    expect(await shell(page, "ls -1 /tmp/u")).toBe("€uro\n中文");
  });

  it("copies with Ctrl+Shift+C where the page has no Clipboard API (an older browser, or not a secure context), and pastes it with Ctrl+Shift+V", async () => {
    const context = await newContext();
    await grantClipboard(context, inject("baseUrl"));
    await context.addInitScript(() => {
      delete (Navigator.prototype as { clipboard?: unknown }).clipboard;
    });
    const page = await openPlayground("no-clipboard-api", context);
    expect(await page.evaluate(() => "clipboard" in navigator)).toBe(false);
    await shell(page, "echo copied-by-command");
    const row = (await cursorRow(page)) - 1;
    await page.evaluate((row) => window.overbox.term.select(0, row, 17), row);
    await page.keyboard.press("Control+Shift+C");
    const start = await cursorRow(page);
    await page.keyboard.type("echo ");
    await page.keyboard.press("Control+Shift+V");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).slice(-2)[0]).toBe("copied-by-command");
  });

  it("opens a link printed in the terminal when it is clicked", async () => {
    const context = await newContext();
    const page = await openPlayground("links", context);
    const link = `${inject("baseUrl")}/images/busybox.json`;
    await shell(page, `echo ${link}`);
    const box = await page.evaluate(() => {
      const { term } = window.overbox;
      const screen = term.element!.querySelector(".xterm-screen")!.getBoundingClientRect();
      const buffer = term.buffer.active;
      // The output row, seen in the viewport (the prompt's row is below it).
      const row = buffer.cursorY - 1;
      return {
        x: screen.left + (screen.width / term.cols) * 5.5,
        y: screen.top + (screen.height / term.rows) * (row + 0.5),
      };
    });
    await page.mouse.move(box.x, box.y - 3);
    await page.mouse.move(box.x, box.y);
    const opened = context.waitForEvent("page");
    await page.mouse.click(box.x, box.y);
    const tab = await opened;
    await tab.waitForURL(link);
    expect(tab.url()).toBe(link);
  });

  it("keeps files and shell history across a reload", async () => {
    const page = await openPlayground("persist");
    await shell(page, "echo kept > /root/kept.txt");
    await shell(page, "echo distinctive-$((1000+337))");
    await stored(page);
    await page.reload();
    await ready(page);
    // The shell read its history at login: the up arrow brings back the
    // command run before the reload.
    const start = await cursorRow(page);
    await page.keyboard.press("ArrowUp");
    await page.waitForFunction(() => {
      const buffer = window.overbox.term.buffer.active;
      const line = buffer.getLine(buffer.baseY + buffer.cursorY)?.translateToString(true);
      return line?.trimEnd() === "root@overbox:~# echo distinctive-$((1000+337))";
    });
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).slice(-2).map((l) => l.trimEnd())).toEqual([
      "distinctive-1337",
      "root@overbox:~#",
    ]);
    expect(await shell(page, "cat /root/kept.txt")).toBe("kept");
    expect((await shell(page, "cat ~/.ash_history")).split("\n")).toEqual(
      expect.arrayContaining(["echo kept > /root/kept.txt", "echo distinctive-$((1000+337))"]),
    );
  });

  it("keeps files and shell history across a browser restart", async () => {
    const profile = await mkdtemp(join(tmpdir(), "overbox-profile-"));
    try {
      let context = await launchBrowserWithProfile(profile, { viewport: VIEWPORT });
      let page = await context.newPage();
      await page.goto(url("restart"));
      await ready(page);
      await shell(page, "echo survived > /root/restart.txt");
      await stored(page);
      await context.close();
      context = await launchBrowserWithProfile(profile, { viewport: VIEWPORT });
      page = await context.newPage();
      await page.goto(url("restart"));
      await ready(page);
      expect(await shell(page, "cat /root/restart.txt")).toBe("survived");
      expect(await shell(page, "grep -c '^echo survived' ~/.ash_history")).toBe("1");
      await context.close();
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it("Reset container asks first, then brings back the pristine image and a prompt", async () => {
    const page = await openPlayground("reset");
    await shell(page, "echo mine > /root/made.txt; rm /etc/hostname; echo before-the-reset");
    expect(await shell(page, "ls /etc/hostname")).toContain("No such file");

    // Cancelled, nothing changes.
    await page.getByRole("button", { name: "Reset container" }).click();
    const dialog = page.getByRole("dialog", { name: /^Reset the container/ });
    expect(await dialog.textContent()).toContain("Reset the container reset?");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    // The terminal has the keyboard again once the dialog has closed.
    await page.waitForFunction(() =>
      document.activeElement?.classList.contains("xterm-helper-textarea"),
    );
    expect(await shell(page, "cat /root/made.txt")).toBe("mine");

    await page.getByRole("button", { name: "Reset container" }).click();
    await dialog.getByRole("button", { name: "Reset" }).click();
    const clicked = Date.now();
    // A new shell on a cleared screen: the old lines are gone.
    await waitForFreshShell(page, "before-the-reset");
    console.log(`reset: a prompt ${Date.now() - clicked} ms after the click`);
    await statusMatching(page, /^reset: reset is its image again$/);
    expect(await shell(page, "ls /root/made.txt")).toContain("No such file");
    expect(await shell(page, "cat /etc/hostname")).toBe("overbox");
  });

  it("edits the command line with Tab, Ctrl-A, Ctrl-E and Backspace; Ctrl-Z stops a job that fg brings back; Ctrl-D ends a shell", async () => {
    const page = await openPlayground("editing");
    await shell(page, "mkdir -p /tmp/tab/unique-name; export DEPTH=outer");
    let start = await cursorRow(page);
    // Tab completes the path.
    await page.keyboard.type("ls -d /tmp/tab/uni");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).slice(-2)[0]).toBe("/tmp/tab/unique-name/");
    // Ctrl-A to the start, Ctrl-E to the end, Backspace.
    start = await cursorRow(page);
    await page.keyboard.type("cho edited-linf");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("e");
    await page.keyboard.press("Control+E");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("e");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).slice(-2)[0]).toBe("edited-line");
    // Ctrl-Z stops the foreground job; fg resumes it, and Ctrl-C ends it.
    start = await cursorRow(page);
    await page.keyboard.type("sleep 30");
    await page.keyboard.press("Enter");
    await expect(waitForPrompt(page, start, 500)).rejects.toThrow(/Timeout/);
    await page.keyboard.press("Control+Z");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).join("\n")).toMatch(/\[1\]\+ +Stopped +sleep 30/);
    start = await cursorRow(page);
    await page.keyboard.type("fg");
    await page.keyboard.press("Enter");
    await expect(waitForPrompt(page, start, 500)).rejects.toThrow(/Timeout/);
    await page.keyboard.press("Control+C");
    await waitForPrompt(page, start);
    expect(await shell(page, "jobs; echo none-left")).toBe("none-left");
    // Ctrl-D at an empty line ends a shell started in this one. Each step
    // waits for the inner shell's prompt: typed ahead, the outer prompt
    // could not be told from the inner one.
    await shell(page, "sh");
    expect(await shell(page, "export DEPTH=inner; echo $DEPTH")).toBe("inner");
    start = await cursorRow(page);
    await page.keyboard.press("Control+D");
    await waitForPrompt(page, start);
    expect(await shell(page, "echo $DEPTH")).toBe("outer");
  });

  it("stops `yes > /dev/null` with Ctrl-C: the prompt comes back and $? is 130", async () => {
    const page = await openPlayground("interrupt");
    const start = await cursorRow(page);
    await page.keyboard.type("yes > /dev/null");
    await page.keyboard.press("Enter");
    // Still running after a while: no prompt below the command.
    await expect(waitForPrompt(page, start, 700)).rejects.toThrow(/Timeout/);
    await page.keyboard.press("Control+C");
    await waitForPrompt(page, start);
    expect(await shell(page, "echo $?")).toBe("130");
  });

  it("edits and saves a file with vi", async () => {
    const page = await openPlayground("vi");
    const start = await cursorRow(page);
    await page.keyboard.type("vi /root/v.txt");
    await page.keyboard.press("Enter");
    // vi's screen: the rows past the end of the empty file are "~".
    await page.waitForFunction(() => {
      const buffer = window.overbox.term.buffer.active;
      let tildes = 0;
      for (let y = 0; y < window.overbox.term.rows; y++) {
        if (buffer.getLine(buffer.viewportY + y)?.translateToString(true) === "~") tildes++;
      }
      return tildes > 5;
    });
    await page.keyboard.type("i");
    await page.keyboard.type("written in vi");
    await page.keyboard.press("Enter");
    await page.keyboard.type("second line");
    await page.keyboard.press("Escape");
    // Back in command mode ("-" on vi's status line, "I" in insert mode): a
    // key sent sooner would make ESC the start of an escape sequence.
    await page.waitForFunction(() => {
      const { term } = window.overbox;
      const buffer = term.buffer.active;
      const status = buffer.getLine(buffer.viewportY + term.rows - 1)?.translateToString(true);
      return status?.startsWith("- /root/v.txt [Modified]");
    });
    await page.keyboard.type(":wq");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect(await shell(page, "cat /root/v.txt")).toBe("written in vi\nsecond line");
  });

  it("uploads files from the picker and dropped on the terminal into the shell's directory", async () => {
    const page = await openPlayground("upload");
    await shell(page, "mkdir -p /tmp/in && cd /tmp/in");

    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Upload files…" }).click();
    await (
      await chooser
    ).setFiles([
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("picked ✓\n") },
      { name: "two.txt", mimeType: "text/plain", buffer: Buffer.from("2\n") },
    ]);
    expect(await statusMatching(page, /^uploaded /)).toBe(
      "uploaded 2 files (notes.txt, two.txt; 13 bytes) to /tmp/in",
    );
    expect(await shell(page, "cat /tmp/in/notes.txt /tmp/in/two.txt")).toBe("picked ✓\n2");

    // A drop on the terminal, as the browser delivers one: a DataTransfer with a file.
    await shell(page, "cd /root");
    const bytes = randomBytes(70_000);
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], "dropped.bin"));
      const target = document.querySelector("#terminal .xterm-screen")!;
      const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
      target.dispatchEvent(new DragEvent("dragenter", init));
      target.dispatchEvent(new DragEvent("dragover", init));
      target.dispatchEvent(new DragEvent("drop", init));
    }, Array.from(bytes));
    expect(await statusMatching(page, /^uploaded dropped/)).toBe(
      "uploaded dropped.bin (70 kB) to /root",
    );
    expect(await shell(page, "sha256sum /root/dropped.bin")).toBe(
      `${sha256(bytes)}  /root/dropped.bin`,
    );
  });

  it("runs WASI programs built elsewhere, uploaded: EACCES until chmod +x, then prepared at the first run; one reads a typed line, and Ctrl-C stops another's busy loop", async () => {
    const page = await openPlayground("wasi-upload");
    await shell(page, "cd /root");
    const built = join(import.meta.dirname, "..", "build", "wasi-programs");
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Upload files…" }).click();
    await (
      await chooser
    ).setFiles(
      await Promise.all(
        ["args.wasm", "ask.wasm", "spin.wasm"].map(async (name) => ({
          name,
          mimeType: "application/wasm",
          buffer: await readFile(join(built, name)),
        })),
      ),
    );
    await statusMatching(page, /^uploaded 3 files/);
    expect(await shell(page, "./args.wasm")).toBe("-sh: ./args.wasm: Permission denied");
    expect(await shell(page, "chmod +x *.wasm; GREETING=hi ./args.wasm one; echo $?")).toBe(
      "argv[0]=./args.wasm\nargv[1]=one\nGREETING=hi\n0",
    );
    // A prompt that reads a line typed at the terminal.
    let start = await cursorRow(page);
    await page.keyboard.type("./ask.wasm");
    await page.keyboard.press("Enter");
    await onCursorLine(page, "name? ");
    await page.keyboard.type("Ada");
    await page.keyboard.press("Enter");
    await waitForPrompt(page, start);
    expect((await screenLines(page)).slice(-2)[0]).toBe("hello, Ada");
    start = await cursorRow(page);
    await page.keyboard.type("./spin.wasm");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await screenLines(page)).includes("spinning")).toBe(true);
    await expect(waitForPrompt(page, start, 700)).rejects.toThrow(/Timeout/);
    await page.keyboard.press("Control+C");
    await waitForPrompt(page, start);
    expect(await shell(page, "echo $?")).toBe("130");
  });

  it("downloads a file named by a path relative to the shell's directory", async () => {
    const page = await openPlayground("download");
    await shell(page, "mkdir -p /root/out && cd /root && printf 'a\\000b\\377\\n' > out/file.bin");
    await page.getByRole("button", { name: "Download a file…" }).click();
    const dialog = page.getByRole("dialog", { name: "Download a file" });
    expect(await dialog.textContent()).toContain("relative to /root");
    await dialog.getByRole("textbox", { name: /Path/ }).fill("out/../out/file.bin");
    const saving = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Download" }).click();
    const download = await saving;
    expect(download.suggestedFilename()).toBe("file.bin");
    expect(Array.from(await downloaded(download))).toEqual([0x61, 0, 0x62, 0xff, 0x0a]);
    await statusMatching(page, /^downloaded \/root\/out\/\.\.\/out\/file\.bin \(5 bytes\)/);

    // A missing file: the worker's error, as one line.
    await page.getByRole("button", { name: "Download a file…" }).click();
    await dialog.getByRole("textbox", { name: /Path/ }).fill("/no/such/file");
    await dialog.getByRole("button", { name: "Download" }).click();
    expect(await statusMatching(page, /^ENOENT/)).toMatch(/^ENOENT: [^\n]+$/);
  });

  it("lets a second tab open the same container read-only, says so, disables the verbs that write, and writes nothing", async () => {
    const context = await newContext();
    const first = await openPlayground("shared", context);
    await shell(first, "echo first > /root/first.txt");

    const second = await context.newPage();
    await second.goto(url("shared"));
    await second.waitForSelector("#busy:not([hidden])");
    expect(await second.textContent("#busy")).toContain("open in another tab");
    await second.getByRole("button", { name: "Open it read-only" }).click();
    await ready(second);

    expect(await second.textContent("#container-name")).toContain(
      "— read-only: changes are not saved",
    );
    expect(await second.textContent("#saved")).toContain("not saved");
    for (const name of ["Reset container", "Commit…", "Import image…", "Upload files…"]) {
      await expect.poll(() => second.getByRole("button", { name }).isDisabled()).toBe(true);
    }
    for (const name of ["Containers…", "Export…", "Download a file…"]) {
      expect(await second.getByRole("button", { name }).isEnabled()).toBe(true);
    }
    // It sees the first tab's files; what it writes stays in it.
    expect(await shell(second, "cat /root/first.txt")).toBe("first");
    expect(await shell(second, "touch /root/from-tab-2 && echo done")).toBe("done");
    await second.close();
    expect(await shell(first, "ls /root/from-tab-2")).toContain("No such file");
    await stored(first);
    await first.reload();
    await ready(first);
    expect(await shell(first, "ls /root/from-tab-2")).toContain("No such file");
  });

  it("gives its container up when the page is left, back/forward cache included (WebKit's keeps the worker): another tab opens it writable, and Back opens it again", async () => {
    const context = await newContext();
    const page = await openPlayground("left", context);
    await shell(page, "echo left-behind > /root/left.txt");
    await stored(page);
    await page.goto(url("left-for"));
    await ready(page);
    const other = await openPlayground("left", context);
    expect(await other.evaluate(() => window.overbox.box.info.readOnly)).toBe(false);
    expect(await shell(other, "cat /root/left.txt")).toBe("left-behind");
    await other.close();
    await page.goBack();
    await page.waitForURL(/\?container=left$/);
    await ready(page);
    expect(await page.evaluate(() => window.overbox.box.info.readOnly)).toBe(false);
    expect(await shell(page, "cat /root/left.txt")).toBe("left-behind");
  });

  it("offers a second tab on the same container a new container of the same image instead", async () => {
    const context = await newContext();
    const first = await openPlayground("shared-new", context);
    await shell(first, "echo first > /root/first.txt");
    await first.evaluate(() => window.overbox.box.commit("shared-image"));
    await waitForFreshShell(first, "echo first");

    const second = await context.newPage();
    await second.goto(url("shared-new"));
    await second.waitForSelector("#busy:not([hidden])");
    await second.getByRole("button", { name: "Open a new container" }).click();
    await second.waitForURL(/\?container=shared-new-[a-z0-9]+&image=shared-image$/);
    await ready(second);
    const name = new URL(second.url()).searchParams.get("container")!;
    expect(await second.textContent("#container-name")).toBe(`${name} (image shared-image)`);
    // Its own container, which it writes: the image's file is there, the first tab's later ones are not.
    expect(await shell(second, "cat /root/first.txt")).toBe("first");
    await shell(first, "echo later > /root/later.txt");
    expect(await shell(second, "ls /root/later.txt")).toContain("No such file");
    await shell(second, "echo mine > /root/mine.txt");
    await stored(second);
    await second.reload();
    await ready(second);
    expect(await shell(second, "cat /root/mine.txt")).toBe("mine");
    expect(await shell(first, "ls /root/mine.txt")).toContain("No such file");
  });

  it("the container picker creates a container from an image, renames and deletes one, and refuses to delete one open in another tab", async () => {
    const context = await newContext();
    const page = await openPlayground("pick-a", context);
    await shell(page, "echo in-a > /root/a.txt");

    // Create: the page goes to the new container.
    await openPicker(page);
    const picker = page.getByRole("dialog", { name: "Containers" });
    await picker.getByRole("textbox", { name: "Name" }).fill("pick-b");
    await picker.getByRole("combobox", { name: "From image" }).selectOption("busybox");
    await picker.getByRole("button", { name: "Create and open" }).click();
    await page.waitForURL(/\?container=pick-b$/);
    await ready(page);
    expect(await page.textContent("#container-name")).toBe("pick-b (image busybox)");
    expect(await shell(page, "ls /root/a.txt")).toContain("No such file");

    await openPicker(page);
    expect(await listedContainers(page)).toEqual(["pick-a", "pick-b"]);
    expect(await picker.locator("li", { hasText: "pick-b" }).textContent()).toContain(
      "open in this tab",
    );

    // A name in use is refused, in one line.
    await picker.getByRole("button", { name: "Rename pick-a" }).click();
    const rename = page.getByRole("dialog", { name: "Rename the container pick-a" });
    await rename.getByRole("textbox", { name: "New name" }).fill("pick-b");
    await rename.getByRole("button", { name: "Rename" }).click();
    expect(await statusMatching(page, /^EEXIST/, "containers-status")).toBe(
      "EEXIST: a container pick-b exists already",
    );

    await picker.getByRole("button", { name: "Rename pick-a" }).click();
    await rename.getByRole("textbox", { name: "New name" }).fill("pick-c");
    await rename.getByRole("button", { name: "Rename" }).click();
    await statusMatching(page, /^renamed pick-a to pick-c$/, "containers-status");
    expect(await listedContainers(page)).toEqual(["pick-b", "pick-c"]);

    // Another tab holds pick-d: it cannot be deleted.
    const other = await openPlayground("pick-d", context);
    await picker.getByRole("button", { name: "Close" }).click();
    await openPicker(page);
    expect(await listedContainers(page)).toEqual(["pick-b", "pick-c", "pick-d"]);
    await picker.getByRole("button", { name: "Delete pick-d" }).click();
    await page
      .getByRole("dialog", { name: /^Delete the container pick-d/ })
      .getByRole("button", { name: "Delete" })
      .click();
    expect(await statusMatching(page, /^EBUSY/, "containers-status")).toBe(
      "EBUSY: pick-d is open in another tab: close it there first",
    );
    expect(await listedContainers(page)).toContain("pick-d");
    await other.close();

    await picker.getByRole("button", { name: "Delete pick-c" }).click();
    await page
      .getByRole("dialog", { name: /^Delete the container pick-c/ })
      .getByRole("button", { name: "Delete" })
      .click();
    await statusMatching(page, /^deleted pick-c$/, "containers-status");
    expect(await listedContainers(page)).toEqual(["pick-b", "pick-d"]);

    // Switching: a link to the other container.
    await picker.getByRole("link", { name: "Open pick-d" }).click();
    await page.waitForURL(/\?container=pick-d$/);
    await ready(page);
    expect(await page.textContent("#container-name")).toBe("pick-d (image busybox)");
  });

  it("goes on saving while the container picker lists the containers (in WebKit, a listing's worker ended mid-commit, and every later save waited for ever)", async () => {
    const page = await openPlayground("listed");
    for (let i = 0; i < 3; i++) {
      await page.evaluate((i) => window.overbox.box.exec(`echo ${i} >> /root/n`), i);
      await openPicker(page);
      await page
        .getByRole("dialog", { name: "Containers" })
        .getByRole("button", { name: "Close" })
        .click();
      await stored(page);
    }
    expect(await shell(page, "cat /root/n")).toBe("0\n1\n2");
  });

  it("renames the container open in this tab, which goes on under its new name", async () => {
    const page = await openPlayground("old-name");
    await shell(page, "echo carried > /root/carried.txt");
    await openPicker(page);
    await page.getByRole("button", { name: "Rename old-name" }).click();
    const rename = page.getByRole("dialog", { name: "Rename the container old-name" });
    await rename.getByRole("textbox", { name: "New name" }).fill("new-name");
    await rename.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(/\?container=new-name$/);
    await ready(page);
    expect(await shell(page, "cat /root/carried.txt")).toBe("carried");
    await openPicker(page);
    expect(await listedContainers(page)).toEqual(["new-name"]);
  });

  it("commits the container as an image, from which a new container starts", async () => {
    const page = await openPlayground("to-commit");
    await shell(page, "echo committed > /root/committed.txt; echo before-the-commit");
    await page.getByRole("button", { name: "Commit…" }).click();
    const dialog = page.getByRole("dialog", { name: "Commit the container as an image" });
    await dialog.getByRole("textbox", { name: "Image name" }).fill("snap1");
    await dialog.getByRole("button", { name: "Commit" }).click();
    await statusMatching(page, /^committed to-commit as the image snap1, which it now runs$/);
    expect(await page.textContent("#container-name")).toBe("to-commit (image snap1)");
    // The shell starts again on the committed image.
    await waitForFreshShell(page, "before-the-commit");
    expect(await shell(page, "cat /root/committed.txt")).toBe("committed");

    await openPicker(page);
    const picker = page.getByRole("dialog", { name: "Containers" });
    expect(await picker.locator("li", { hasText: "to-commit" }).textContent()).toContain(
      "image snap1",
    );
    await picker.getByRole("textbox", { name: "Name" }).fill("from-snap");
    await picker.getByRole("combobox", { name: "From image" }).selectOption("snap1");
    await picker.getByRole("button", { name: "Create and open" }).click();
    await page.waitForURL(/\?container=from-snap$/);
    await ready(page);
    expect(await page.textContent("#container-name")).toBe("from-snap (image snap1)");
    expect(await shell(page, "cat /root/committed.txt")).toBe("committed");
  });

  it("exports the merged tree, or only the changes, as a tar download", async () => {
    const page = await openPlayground("exporting");
    await shell(page, "echo exported > /root/exported.txt; rm /etc/hostname");
    const exportAs = async (what: RegExp) => {
      await page.getByRole("button", { name: "Export…" }).click();
      const dialog = page.getByRole("dialog", { name: "Export the container as a tar" });
      await dialog.getByRole("radio", { name: what }).check();
      const saving = page.waitForEvent("download");
      await dialog.getByRole("button", { name: "Download" }).click();
      const download = await saving;
      return { name: download.suggestedFilename(), tar: await downloaded(download) };
    };

    const tree = await exportAs(/whole tree/);
    expect(tree.name).toBe("exporting.tar");
    const entries = readTar(tree.tar);
    const paths = entries.map((e) => e.path);
    expect(paths).toContain("etc/passwd");
    expect(paths).not.toContain("etc/hostname");
    const file = entries.find((e) => e.path === "root/exported.txt");
    expect(new TextDecoder().decode(file?.data)).toBe("exported\n");
    await statusMatching(page, /^exported the whole tree of exporting as exporting\.tar/);

    const layer = await exportAs(/Only the changes/);
    expect(layer.name).toBe("exporting-layer.tar");
    const changes = readTar(layer.tar);
    expect(changes.map((e) => e.path)).toContain("root/exported.txt");
    expect(changes.map((e) => e.path)).not.toContain("etc/passwd");
    expect(changes.find((e) => e.path === "etc/hostname")?.type).toBe("whiteout");
  });

  it("opens a container with a damaged record read-only, says so, exports what can be read, and Reset starts it afresh", async () => {
    const page = await openPlayground("wreck");
    await shell(page, "echo kept > /root/kept.txt; mkdir /root/d; echo lost > /root/d/f; sync");
    // Damage the newest inode record in the container's database, as a bad disk would.
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open("overbox-wreck");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const store = db.transaction("upper", "readwrite").objectStore("upper");
      const keys = await new Promise<IDBValidKey[]>((resolve) => {
        const r = store.getAllKeys(IDBKeyRange.bound("i/", "i/\uffff"));
        r.onsuccess = () => resolve(r.result);
      });
      // The newest file born in the container (copied-up inodes are numbered from 2^32).
      const newest = keys
        .map((k) => Number(String(k).slice(2)))
        .filter((ino) => ino < 2 ** 32)
        .sort((a, b) => a - b)
        .map((ino) => `i/${ino}`)
        .at(-1)!;
      store.put(new TextEncoder().encode("{ torn"), newest);
      await new Promise((resolve) => (store.transaction.oncomplete = resolve));
      db.close();
    });
    await page.reload();
    await ready(page);
    await statusMatching(
      page,
      /^The storage of container wreck is damaged \(i\/\d+: the record i\/\d+ is damaged: not JSON.*\)\. It is open read-only: Export saves what can be read\.$/,
    );
    expect(await page.locator("#container-name").textContent()).toContain(
      "damaged, open read-only",
    );
    expect(await shell(page, "cat /root/kept.txt")).toBe("kept");
    expect(await page.getByRole("button", { name: "Commit…" }).isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Export…" }).click();
    const dialog = page.getByRole("dialog", { name: "Export the container as a tar" });
    await dialog.getByRole("radio", { name: /whole tree/ }).check();
    const saving = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Download" }).click();
    const tar = readTar(await downloaded(await saving));
    expect(tar.find((e) => e.path === "root/kept.txt")).toBeDefined();

    await resetDamaged(page);
    expect(await shell(page, "ls /root/kept.txt")).toContain("No such file");
    expect((await page.evaluate(() => window.overbox.box.fsck())).problems).toEqual([]);
  });

  it(
    REPLICAS
      ? "restores a saved container from its replica when the browser has dropped its database"
      : `says a saved container is lost when the browser has dropped its database: ${BROWSER} keeps no replica`,
    async () => {
      if (!REPLICAS) {
        const context = await newContext();
        const page = await openPlayground("unreplicated", context);
        await shell(page, "echo saved > /root/saved.txt; sync");
        await page.close();
        const other = await context.newPage();
        await dropDatabase(other, "overbox-unreplicated");
        await other.goto(url("unreplicated"));
        await ready(other);
        await statusMatching(
          other,
          /^The storage of container unreplicated is damaged \(database: the browser no longer has the database of this container, which was saved before: its files are lost\)\./,
        );
        expect(await other.evaluate(() => window.overbox.box.info)).toMatchObject({
          readOnly: true,
          restored: false,
        });
        return;
      }
      const context = await newContext();
      const page = await openPlayground("replicated", context);
      await shell(
        page,
        "mkdir -p /root/tree && echo saved > /root/tree/a.txt && " +
          "head -c 300000 /bin/busybox > /root/big && rm -r /var && " +
          "mv /root/tree /root/moved && sync",
      );
      const sums = await shell(page, "md5sum /root/big /root/moved/a.txt");
      expect(sums).toMatch(/^[0-9a-f]{32} {2}\/root\/big\n[0-9a-f]{32} {2}\/root\/moved\/a.txt$/);
      // Some of it in an image of this browser's (its replica is the images'), the rest above it.
      await page.evaluate(() => window.overbox.box.commit("replicated-image"));
      await shell(page, "echo upper > /root/upper.txt; sync");
      await page.close();
      const other = await context.newPage();
      // The whole site's IndexedDB, as Chromium drops it.
      await dropDatabase(other, "overbox-replicated");
      await dropDatabase(other, "overbox.images");
      // Listed while only its replica is left.
      await other.goto(url("replicated-neighbour"));
      await ready(other);
      await openPicker(other);
      await expect
        .poll(() => listedContainers(other))
        .toEqual(["replicated", "replicated-neighbour"]);
      await other.goto(url("replicated"));
      await ready(other);
      await statusMatching(
        other,
        /^The browser had dropped the database of container replicated: it was restored from the container's replica/,
      );
      expect(await other.evaluate(() => window.overbox.box.info)).toMatchObject({
        readOnly: false,
        damage: [],
        restored: true,
      });
      expect(await shell(other, "md5sum /root/big /root/moved/a.txt")).toBe(sums);
      expect(await shell(other, "cat /root/upper.txt")).toBe("upper");
      expect(await other.evaluate(() => window.overbox.box.info.image)).toBe("replicated-image");
      expect(await shell(other, "ls -d /var /root/tree 2>&1 | grep -c 'No such file'")).toBe("2");
      expect((await other.evaluate(() => window.overbox.box.fsck())).problems).toEqual([]);
      // It goes on saving, and its next reload is an ordinary one.
      await shell(other, "echo after > /root/after.txt; sync");
      await other.reload();
      await ready(other);
      expect(await other.evaluate(() => window.overbox.box.info.restored)).toBe(false);
      expect(await shell(other, "cat /root/after.txt /root/moved/a.txt")).toBe("after\nsaved");
    },
  );

  it("says when the browser has dropped a saved container's database and its replica is gone too, instead of showing an empty container, and Reset starts it afresh", async () => {
    const context = await newContext();
    const page = await openPlayground("dropped", context);
    await shell(page, "echo saved > /root/saved.txt; sync");
    await page.close();
    const other = await context.newPage();
    await dropDatabase(other, "overbox-dropped");
    if (REPLICAS) {
      await other.evaluate(async () => {
        const root = await navigator.storage.getDirectory();
        await (await root.getDirectoryHandle("overbox.replicas")).removeEntry("dropped");
      });
    }
    await other.goto(url("dropped"));
    await ready(other);
    await statusMatching(
      other,
      /^The storage of container dropped is damaged \(database: the browser no longer has the database of this container, which was saved before: its files are lost\)\./,
    );
    expect(await other.locator("#container-name").textContent()).toContain(
      "damaged, open read-only",
    );

    await resetDamaged(other);
    await shell(other, "echo again > /root/again.txt; sync");
    await other.reload();
    await ready(other);
    expect(await shell(other, "cat /root/again.txt")).toBe("again");
  });

  it("imports a layer tar as an image, from which a new container starts", async () => {
    const page = await openPlayground("importing");
    const now = Math.floor(Date.now() / 1000);
    const own = { uid: 0, gid: 0, mtime: now };
    const tar = writeTar([
      { path: "opt", type: "directory", mode: 0o755, ...own },
      { path: "opt/tool", type: "directory", mode: 0o755, ...own },
      {
        path: "opt/tool/hello",
        type: "file",
        mode: 0o755,
        ...own,
        data: new TextEncoder().encode("#!/bin/sh\necho hello from the imported layer\n"),
      },
    ]);
    await page.getByRole("button", { name: "Import image…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import a layer tar as an image" });
    await dialog.getByLabel("Layer tar").setInputFiles({
      name: "My Tool.tar",
      mimeType: "application/x-tar",
      buffer: Buffer.from(tar),
    });
    const tag = dialog.getByRole("textbox", { name: "Image name" });
    expect(await tag.inputValue()).toBe("my-tool");
    expect(await dialog.getByRole("combobox", { name: "On top of" }).inputValue()).toBe("busybox");
    await dialog.getByRole("button", { name: "Import" }).click();
    await statusMatching(page, /^imported My Tool\.tar as the image my-tool \(on busybox\)/);

    await openPicker(page);
    const picker = page.getByRole("dialog", { name: "Containers" });
    await picker.getByRole("textbox", { name: "Name" }).fill("tooled");
    await picker.getByRole("combobox", { name: "From image" }).selectOption("my-tool");
    await picker.getByRole("button", { name: "Create and open" }).click();
    await page.waitForURL(/\?container=tooled$/);
    await ready(page);
    expect(await shell(page, "/opt/tool/hello")).toBe("hello from the imported layer");
  });

  it("says in the status line what this browser cannot keep for the container (WebKit: no replica), and Commit leaves no half-written file", async () => {
    const page = await openPlayground("abilities");
    const info = await page.evaluate(() => window.overbox.box.info);
    const missing = REPLICAS
      ? []
      : [
          RUN === "webkit-safari"
            ? /^no replica: this browser cannot write its origin private file system from a worker \(NotSupportedError[^)]*\), so a container is kept in IndexedDB alone, and is lost if the browser drops this site's storage$/
            : /^no replica: this browser gives the page no origin private file system, so a container is kept in IndexedDB alone, and is lost if the browser drops this site's storage$/,
          /^images made here have no replica: this browser cannot replace a file of its origin private file system \(no createWritable\), so they are kept in IndexedDB alone, and are lost if the browser drops this site's storage$/,
        ];
    expect(info.unavailable ?? []).toEqual(missing.map((m) => expect.stringMatching(m)));
    if (missing.length > 0) {
      expect(await page.textContent("#status")).toBe(
        `In this browser: ${info.unavailable!.join("; ")}.`,
      );
    }
    await shell(page, "echo committed > /root/c.txt; sync");
    await page.evaluate(() => window.overbox.box.commit("abilities-image"));
    expect(await page.evaluate(() => window.overbox.box.images())).toContain("abilities-image");
    // Every file of the origin private file system, with its size: none empty.
    const files = await page.evaluate(async () => {
      const root = await navigator.storage?.getDirectory?.().catch(() => null);
      const out: Array<[string, number]> = [];
      const walk = async (dir: FileSystemDirectoryHandle, path: string) => {
        for await (const [name, handle] of (
          dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }
        ).entries()) {
          if (handle.kind === "directory")
            await walk(handle as FileSystemDirectoryHandle, `${path}${name}/`);
          else out.push([path + name, (await (handle as FileSystemFileHandle).getFile()).size]);
        }
      };
      if (root) await walk(root, "");
      return out;
    });
    expect(files.filter(([, size]) => size === 0)).toEqual([]);
  });

  it("says in one line of the status why the container could not open, or a verb failed", async () => {
    const context = await newContext();
    const bad = await context.newPage();
    await bad.goto(url("no spaces allowed"));
    expect(await statusMatching(bad, /^EINVAL/)).toBe(
      'EINVAL: invalid container name "no spaces allowed": letters, digits, "_", "." and "-", 64 at most',
    );
    expect(await bad.getByRole("button", { name: "Commit…" }).isDisabled()).toBe(true);

    // An ephemeral container (kept in memory) has nothing to commit from.
    const page = await openPlayground("ephemeral", context);
    await page.getByRole("button", { name: "Commit…" }).click();
    const dialog = page.getByRole("dialog", { name: "Commit the container as an image" });
    await dialog.getByRole("textbox", { name: "Image name" }).fill("never");
    await dialog.getByRole("button", { name: "Commit" }).click();
    expect(await statusMatching(page, /^EROFS/)).toMatch(/^EROFS: [^\n]+$/);
    // No image made: only those the site was built with.
    expect(await page.evaluate(() => window.overbox.box.images())).toEqual([
      "busybox",
      "tools",
      "python",
    ]);
  });

  it("shows the storage used and the quota, and asks the browser to keep storage; where the browser has no Storage API (WebKit's defaults), says so in the footer", async () => {
    const page = await openPlayground("storage");
    if (!(await page.evaluate(() => typeof navigator.storage?.estimate === "function"))) {
      expect(await statusMatching(page, /^storage/, "storage")).toBe(
        "storage figures unavailable (this browser gives the page no Storage API)",
      );
      expect(await page.isHidden("#persist")).toBe(true);
      return;
    }
    const text = await statusMatching(page, /^storage: /, "storage");
    expect(text).toMatch(/^storage: [\d.]+ (bytes|kB|MB|GB) used of [\d.]+ (kB|MB|GB|TB), /);
    const before = await page.evaluate(() => navigator.storage.persisted());
    expect(text).toContain(before ? "persistent" : "not persistent");
    if (before) return;

    await page.getByRole("button", { name: "Keep storage" }).click();
    const answer = await statusMatching(page, /^(storage is persistent|the browser declined)/);
    const after = await page.evaluate(() => navigator.storage.persisted());
    expect(answer.startsWith("storage is persistent")).toBe(after);
    await expect
      .poll(() => page.textContent("#storage"))
      .toContain(after ? ", persistent" : "not persistent");
  });

  it("says saving… while changes wait to be stored, then saved", async () => {
    const page = await openPlayground("saving");
    await statusMatching(page, /^saved$/, "saved");
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const saved = document.getElementById("saved")!;
      new MutationObserver(() => seen.push(saved.textContent ?? "")).observe(saved, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    // Writes every 50 ms for two seconds: changes wait most of the time.
    await shell(
      page,
      "i=0; while [ $i -lt 40 ]; do echo $i >> /root/log; usleep 50000; i=$((i+1)); done",
    );
    await statusMatching(page, /^saved$/, "saved");
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen).toContain("saving…");
    expect(seen.at(-1)).toBe("saved");
    expect(await page.evaluate(() => window.overbox.box.unsaved())).toBe(false);
  });

  it(`is shown in ${screenshotPath("playground.png")}, after a few commands`, async () => {
    const page = await openPlayground("default");
    await shell(page, "cat /etc/os-release | head -n 2");
    await shell(page, "ls --color=always /");
    await shell(page, "ls -l --color=always /bin | head -n 8");
    await shell(
      page,
      "for i in $(seq 0 255); do printf '\\e[48;5;%dm  ' $i; [ $((i % 64)) = 63 ] && printf '\\e[0m\\n'; done",
    );
    await statusMatching(page, /^saved$/, "saved");
    await statusMatching(page, /^storage/, "storage");
    const png = await page.screenshot({ path: screenshotPath("playground.png") });
    // A PNG of the window's size: its IHDR chunk's width and height.
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
  });
});
