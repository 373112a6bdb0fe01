import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { EmbeddedSandbox } from "../src/embed-client.ts";
import type { FromEmbed } from "../src/embed-protocol.ts";
import { BROWSER, ENGINE, launchBrowser, REPLICAS, screenshotPath } from "./browser.ts";
import { dropDatabase } from "./drop.ts";
import { hostPage } from "./host-page.ts";
import type {} from "../src/embed.ts";

/**
 * The embed (embed.html) from host pages: the docs demo (docs-demo.html),
 * and test pages (e2e/host-page.ts) on the embed's own origin (the test
 * server's /__host.html) or on another one, http://127.0.0.1:PORT (a
 * server of the test's own).
 */

const baseUrl = inject("baseUrl");
const origin = new URL(baseUrl).origin;
const allowed = `origins=${encodeURIComponent(origin)}`;

let browser: Browser;
let foreignServer: Server;
/** Another origin than the embed's (and another site: its frames get no storage, see below). */
let foreign: string;

beforeAll(async () => {
  browser = await launchBrowser();
  foreignServer = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(hostPage(new URL(req.url ?? "/", "http://x"), baseUrl));
  });
  await new Promise<void>((resolve) => foreignServer.listen(0, "127.0.0.1", resolve));
  foreign = `http://127.0.0.1:${(foreignServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => foreignServer?.close(resolve));
});

/** A page in a browser context of its own (its own IndexedDB). */
async function newPage(viewport = { width: 1200, height: 700 }, of = browser): Promise<Page> {
  const context = await of.newContext({ viewport });
  return context.newPage();
}

declare global {
  interface Window {
    /** The client, loaded into the docs demo page by a test. */
    EmbeddedSandbox?: typeof EmbeddedSandbox;
    /** Messages of ours the host page got: from which origin and iframe (its id). */
    received: Array<{ origin: string; frame: string | null; data: FromEmbed }>;
  }
}

/** Opens a host page at `at` (an origin) embedding one frame per parameter string. */
async function host(page: Page, at: string, ...embeds: string[]): Promise<void> {
  const q = new URLSearchParams(embeds.map((e) => ["embed", e]));
  await page.goto(`${at}/__host.html?${q}`);
}

/** The frame of the iframe `selector`, once its page is the embed. */
async function frameOf(page: Page, selector: string): Promise<Frame> {
  const frame = await (await page.waitForSelector(selector)).contentFrame();
  if (!frame) throw new Error(`${selector} has no frame`);
  await frame.waitForFunction(() => document.readyState === "complete");
  return frame;
}

/** Waits for the `ready` event of the iframe `id` of a host page, and returns it. */
async function ready(page: Page, id: string): Promise<FromEmbed> {
  const handle = await page.waitForFunction(
    (frame) => window.received.find((m) => m.data.type === "ready" && m.frame === frame)?.data,
    id,
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as FromEmbed;
}

/**
 * Posts a request (`overbox: 1` added) from the page to the iframe
 * `selector`, as a host page would, and resolves with the embed's reply to
 * it, or null if none came within `timeoutMs`.
 */
async function request(
  page: Page,
  selector: string,
  message: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<FromEmbed | null> {
  return page.evaluate(
    ([sel, m, ms]) =>
      new Promise<FromEmbed | null>((resolve) => {
        const frame = document.querySelector<HTMLIFrameElement>(sel)!;
        const done = (reply: FromEmbed | null) => {
          removeEventListener("message", listen);
          clearTimeout(timer);
          resolve(reply);
        };
        const listen = (e: MessageEvent) => {
          const d = e.data as FromEmbed;
          if (e.source !== frame.contentWindow || d?.overbox !== 1) return;
          if ((d.type === "result" || d.type === "error") && d.id === m.id) done(d);
        };
        addEventListener("message", listen);
        const timer = setTimeout(() => done(null), ms);
        frame.contentWindow!.postMessage({ overbox: 1, ...m }, new URL(frame.src).origin);
      }),
    [selector, message, timeoutMs] as const,
  );
}

/** The terminal's screen in an embed frame, one line per row, trailing spaces cut. */
async function screen(frame: Frame): Promise<string> {
  return frame.evaluate(() =>
    Array.from(document.querySelector(".xterm-rows")!.children)
      .map((row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trimEnd())
      .join("\n")
      .trimEnd(),
  );
}

/** Waits until the embed's screen matches `pattern` (multi-line, rows as `screen` gives them). */
async function waitForScreen(frame: Frame, pattern: RegExp, timeout = 30_000): Promise<string> {
  await frame.waitForFunction(
    (source) => {
      const rows = document.querySelector(".xterm-rows"); // Not there before the terminal opens.
      const text = Array.from(rows?.children ?? [])
        .map((row) => (row.textContent ?? "").replace(/\u00a0/g, " ").trimEnd())
        .join("\n");
      return new RegExp(source, "m").test(text);
    },
    pattern.source,
    { timeout },
  );
  return screen(frame);
}

describe("the embed (embed.html): a container's terminal for iframes", () => {
  it("starts (a ready event), types its command into the shell, and honours theme and fontSize", async () => {
    const page = await newPage();
    await host(
      page,
      origin,
      `theme=light&fontSize=20&command=${encodeURIComponent("echo started-$((6*7))")}&${allowed}`,
      `theme=dark&${allowed}`,
    );
    expect(await ready(page, "e0")).toEqual({
      overbox: 1,
      type: "ready",
      container: "ephemeral",
      image: "busybox",
      readOnly: false,
      damage: [],
      restored: false,
    });
    const light = await frameOf(page, "#e0");
    // The shell ran it: the arithmetic is the shell's, so its result is not in the command line.
    const text = await waitForScreen(light, /^started-42$/m);
    expect(text).toMatch(/^root@overbox:~# echo started-\$\(\(6\*7\)\)$/m);
    expect(text.split("\n")).toContain("started-42");
    // The terminal's bytes reached the host as output events, before and after ready.
    const output = await page.evaluate(() =>
      window.received.map((m) => (m.data.type === "output" ? m.data.data : "")).join(""),
    );
    expect(output).toContain("started-42");

    const dark = await frameOf(page, "#e1");
    await waitForScreen(dark, /^root@overbox:~#$/m);
    const style = (f: Frame) =>
      f.evaluate(() => ({
        fontSize: getComputedStyle(document.querySelector(".xterm-rows")!).fontSize,
        background: getComputedStyle(document.querySelector(".xterm-scrollable-element")!)
          .backgroundColor,
        page: getComputedStyle(document.body).backgroundColor,
      }));
    expect(await style(light)).toEqual({
      fontSize: "20px",
      background: "rgb(253, 253, 253)",
      page: "rgb(253, 253, 253)",
    });
    expect(await style(dark)).toEqual({
      fontSize: "14px",
      background: "rgb(16, 18, 22)",
      page: "rgb(16, 18, 22)",
    });
  });

  it(`the docs demo shows its embeds running their commands, SQLite in one and Python in another (screenshot ${screenshotPath("embed-demo.png")})`, async () => {
    const page = await newPage({ width: 1200, height: 700 });
    await page.goto(`${baseUrl}/docs-demo.html`);
    const dark = await frameOf(page, "#dark");
    const python = await frameOf(page, "#python");
    const light = await frameOf(page, "#light");
    // Three images' first download, and CPython's first compile: WebKit
    // took 20 s for the three on a quiet machine, and more than 30 s once
    // in CI.
    await waitForScreen(dark, /^│ 3\.40\.1 +│ 42 +│$/, 120_000);
    await waitForScreen(python, /^3\.11\.2 3\.40\.1 499999500000$/, 120_000);
    await waitForScreen(light, /^-rw-r--r-- .* os-release$/);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll(".state")).every((s) =>
        s.textContent?.startsWith("ready"),
      ),
    );
    expect(await page.locator(".state").allTextContents()).toEqual([
      "ready: ephemeral, image tools",
      "ready: ephemeral, image python",
      "ready: docs-demo, image busybox",
    ]);
    // The download's progress is gone once the container is open, late reports and all.
    for (const f of [dark, python, light]) expect(await f.isHidden("#progress")).toBe(true);
    await page.click("#run-button");
    await page.waitForFunction(() =>
      document.getElementById("result")!.textContent!.includes("[exit"),
    );
    expect(await page.textContent("#result")).toContain('PRETTY_NAME="overbox');
    await page.screenshot({ path: screenshotPath("embed-demo.png"), fullPage: true });
  }, 300_000);

  it("the docs demo's button runs a command in an embed through the API and shows its result", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/docs-demo.html`);
    await page.waitForSelector("#run-button:not([disabled])", { timeout: 30_000 });
    await page.fill("#command", "echo $((6*7)) from the api; echo to stderr >&2; exit 3");
    await page.click("#run-button");
    await page.waitForFunction(() =>
      document.getElementById("result")!.textContent!.includes("[exit"),
    );
    expect(await page.textContent("#result")).toBe(
      "$ echo $((6*7)) from the api; echo to stderr >&2; exit 3\n" +
        "42 from the api\nto stderr\n[exit status 3]",
    );
    // Run beside the terminal's shell, not in it: the reader's screen is as it was.
    expect(await screen(await frameOf(page, "#light"))).not.toContain("from the api");
  });

  it("answers exec, writeFile, readFile and reset posted by the docs demo page, one reply per id", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/docs-demo.html`);
    await page.waitForSelector("#run-button:not([disabled])", { timeout: 30_000 });
    const ask = (m: Record<string, unknown>) => request(page, "#light", m);

    expect(
      await ask({ id: "w", type: "writeFile", path: "/root/api.txt", data: "from the host\n" }),
    ).toEqual({ overbox: 1, id: "w", type: "result" });
    expect(
      await ask({
        id: 1,
        type: "exec",
        command: "cat /root/api.txt; cat; echo err >&2; exit 5",
        stdin: "and stdin\n",
      }),
    ).toEqual({
      overbox: 1,
      id: 1,
      type: "result",
      exitCode: 5,
      stdout: "from the host\nand stdin\n",
      stderr: "err\n",
    });
    expect(await ask({ id: 2, type: "exec", command: ["pwd"], cwd: "/etc" })).toMatchObject({
      exitCode: 0,
      stdout: "/etc\n",
    });
    expect(await ask({ id: 3, type: "readFile", path: "/root/api.txt" })).toEqual({
      overbox: 1,
      id: 3,
      type: "result",
      data: "from the host\n",
    });
    const bytes = new Uint8Array([0, 255, 1, 128, 10]);
    expect(await ask({ id: 4, type: "writeFile", path: "/root/b.bin", data: bytes })).toMatchObject(
      { type: "result" },
    );
    expect(await ask({ id: 5, type: "readFile", path: "/root/b.bin", as: "bytes" })).toEqual({
      overbox: 1,
      id: 5,
      type: "result",
      data: bytes,
    });
    expect(await ask({ id: 6, type: "readFile", path: "/no/such" })).toEqual({
      overbox: 1,
      id: 6,
      type: "error",
      message: expect.stringMatching(/^ENOENT/),
    });
    expect(await ask({ id: 7, type: "exec" })).toEqual({
      overbox: 1,
      id: 7,
      type: "error",
      message: "EINVAL: exec: command is a string or an array of strings",
    });
    expect(await ask({ id: 8, type: "format" })).toMatchObject({
      type: "error",
      message: 'EINVAL: unknown request type "format"',
    });

    expect(await ask({ id: 9, type: "reset" })).toEqual({ overbox: 1, id: 9, type: "result" });
    expect(await ask({ id: 10, type: "readFile", path: "/root/api.txt" })).toMatchObject({
      type: "error",
      message: expect.stringMatching(/^ENOENT/),
    });
  });

  it("EmbeddedSandbox (src/embed-client.ts) drives an embed: exec, stream, files, reset, output", async () => {
    const page = await newPage();
    await page.goto(`${baseUrl}/docs-demo.html`);
    // The client as vite serves it (a function's import() here would be vitest's).
    await page.addScriptTag({
      type: "module",
      content: `import { EmbeddedSandbox } from "/src/embed-client.ts";
        window.EmbeddedSandbox = EmbeddedSandbox;`,
    });
    await page.waitForFunction(() => window.EmbeddedSandbox !== undefined);
    const outcome = await page.evaluate(async (allowedOrigins) => {
      const EmbeddedSandbox = window.EmbeddedSandbox!;
      const iframe = document.createElement("iframe");
      iframe.src = `embed.html?${allowedOrigins}`;
      document.body.append(iframe);
      const box = new EmbeddedSandbox(iframe);
      let screen = "";
      box.on("output", (text) => (screen += text));
      const ready = await box.ready;
      await box.writeFile("/root/in.txt", "b\na\n");
      const exec = await box.exec(["sort", "/root/in.txt"]);
      const chunks: string[] = [];
      const streamed = await box.stream("echo out; echo err >&2; exit 4", {
        onStdout: (t) => chunks.push(`stdout:${t}`),
        onStderr: (t) => chunks.push(`stderr:${t}`),
      });
      const text = await box.readTextFile("/root/in.txt");
      await box.writeFile("/root/b.bin", new Uint8Array([0, 200, 10]));
      const bytes = Array.from(await box.readFile("/root/b.bin"));
      await box.input("echo typed-$((2+3))\r");
      while (!screen.includes("typed-5\r\n")) await new Promise((r) => setTimeout(r, 50));
      await box.reset();
      const missing = await box.readTextFile("/root/in.txt").catch((e: Error) => e.message);
      box.close();
      return { ready, exec, chunks, streamed, text, bytes, missing };
    }, allowed);
    expect(outcome).toEqual({
      ready: {
        overbox: 1,
        type: "ready",
        container: "ephemeral",
        image: "busybox",
        readOnly: false,
        damage: [],
        restored: false,
      },
      exec: { exitCode: 0, stdout: "a\nb\n", stderr: "" },
      chunks: expect.arrayContaining(["stdout:out\n", "stderr:err\n"]),
      streamed: 4,
      text: "b\na\n",
      bytes: [0, 200, 10],
      missing: expect.stringMatching(/^ENOENT/),
    });
    expect(outcome.chunks).toHaveLength(2);
  });

  it("streams an exec's output as stdout and stderr events, and its end as an exit event", async () => {
    const page = await newPage();
    await host(page, origin, allowed);
    await ready(page, "e0");
    const reply = await request(page, "#e0", {
      id: "s",
      type: "exec",
      command: "echo one; sleep 1; echo two >&2; sleep 1; echo three; exit 2",
      stream: true,
    });
    expect(reply).toEqual({ overbox: 1, id: "s", type: "result", pid: expect.any(Number) });
    const handle = await page.waitForFunction(
      () => {
        const ours = window.received.map((m) => m.data).filter((d) => "id" in d && d.id === "s");
        return ours.some((d) => d.type === "exit") && ours;
      },
      undefined,
      { timeout: 30_000 },
    );
    // In the order they came: the reply first, while the command ran; its exit last.
    expect(await handle.jsonValue()).toEqual([
      reply,
      { overbox: 1, type: "stdout", id: "s", data: "one\n" },
      { overbox: 1, type: "stderr", id: "s", data: "two\n" },
      { overbox: 1, type: "stdout", id: "s", data: "three\n" },
      { overbox: 1, type: "exit", id: "s", exitCode: 2 },
    ]);
  });

  it("ignores a message from an origin not in origins: no reply, no event, nothing done", async () => {
    const page = await newPage();
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.text().startsWith("overbox embed:")) warnings.push(m.text());
    });
    const look = ["ls", "/root/pwned", "/root/pwned-too"];
    const attack = [
      { id: 1, type: "exec", command: "touch /root/pwned" },
      { id: 2, type: "writeFile", path: "/root/pwned-too", data: "x" },
    ];
    // A page on another origin embeds a container that allows only the test's origin.
    await host(page, foreign, allowed);
    const frame = await frameOf(page, "#e0");
    await waitForScreen(frame, /^root@overbox:~#$/m);
    for (const m of attack) expect(await request(page, "#e0", m, 1500)).toBeNull();
    // The embed got both, and said why it did nothing.
    const ignored = `overbox embed: a message from ${foreign} was ignored: not an allowed origin`;
    expect(warnings).toEqual([ignored, ignored]);
    // Nothing reached the page, not even ready or the terminal's output.
    expect(await page.evaluate(() => window.received)).toEqual([]);
    expect(await frame.evaluate((a) => window.overboxEmbed!.box.exec(a), look)).toMatchObject({
      exitCode: 1,
      stdout: "",
    });

    // The same embed and messages from the allowed origin: answered and done.
    await host(page, origin, allowed);
    await ready(page, "e0");
    for (const m of attack) expect(await request(page, "#e0", m)).toMatchObject({ type: "result" });
    expect(await request(page, "#e0", { id: 3, type: "exec", command: look })).toMatchObject({
      exitCode: 0,
      stdout: "/root/pwned\n/root/pwned-too\n",
    });
  });

  // WebKit gives every cross-site frame storage of its own, partitioned by
  // the top site, whatever its settings: there is no storageless frame to
  // make. Its nearest equivalent is what such a frame does get.
  const partitioned = ENGINE === "webkit";
  it(
    partitioned
      ? "runs a named container as ephemeral, and says so, in a frame the browser gives no storage (WebKit gives a cross-site frame storage of its own: the container is kept there, apart from the site's own)"
      : "runs a named container as ephemeral, and says so, in a frame the browser gives no storage",
    async () => {
      if (partitioned) {
        const page = await newPage();
        const command = `container=docs&${allowed}&command=${encodeURIComponent("echo up")}`;
        await host(page, foreign, command);
        let frame = await frameOf(page, "#e0");
        await waitForScreen(frame, /^up$/m);
        expect(await frame.evaluate(() => window.overboxEmbed!.box.info.container)).toBe(
          "embed.docs",
        );
        await frame.evaluate(() => window.overboxEmbed!.box.exec("echo framed > /root/f; sync"));
        await host(page, foreign, command);
        frame = await frameOf(page, "#e0");
        await waitForScreen(frame, /^up$/m);
        const cat = ["cat", "/root/f"];
        const read = () => frame.evaluate((c) => window.overboxEmbed!.box.exec(c), cat);
        expect(await read()).toMatchObject({ exitCode: 0, stdout: "framed\n" });
        // The same container on the site itself is another one.
        await host(page, origin, command);
        frame = await frameOf(page, "#e0");
        await waitForScreen(frame, /^up$/m);
        expect(await read()).toMatchObject({ exitCode: 1 });
        return;
      }
      // A cross-site frame in a Playwright context (off the record): Chromium
      // blocks its third-party storage, IndexedDB and Web Locks alike;
      // Firefox partitions it, unless it rejects third parties, as here.
      const storageless =
        ENGINE === "chromium" ? browser : await launchBrowser({ thirdPartyStorage: false });
      const page = await newPage(undefined, storageless);
      await host(page, foreign, `container=docs&command=${encodeURIComponent("echo up")}`);
      const frame = await frameOf(page, "#e0");
      await waitForScreen(frame, /^up$/m);
      const denied = await frame.evaluate(() =>
        indexedDB.databases().then(
          () => false,
          () => true,
        ),
      );
      expect(denied).toBe(true);
      expect(await frame.textContent("#notice")).toBe(
        "This browser gives the embed no storage here: the container docs is not kept, " +
          "and its changes are thrown away.",
      );
      expect(await frame.evaluate(() => window.overboxEmbed!.box.info)).toEqual({
        container: "ephemeral",
        image: "busybox",
        readOnly: false,
        damage: [],
        restored: false,
      });
      if (storageless !== browser) await storageless.close();
    },
  );

  it("with no origins parameter the API is off: same-origin messages are ignored and nothing is posted", async () => {
    const page = await newPage();
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.text().startsWith("overbox embed:")) warnings.push(m.text());
    });
    await host(page, origin, `command=${encodeURIComponent("echo up")}`);
    const frame = await frameOf(page, "#e0");
    await waitForScreen(frame, /^up$/m);
    const m = { id: 1, type: "writeFile", path: "/root/api-off", data: "x" };
    expect(await request(page, "#e0", m, 1500)).toBeNull();
    expect(warnings).toEqual([
      `overbox embed: a message from ${origin} was ignored: the API is off`,
    ]);
    expect(await page.evaluate(() => window.received)).toEqual([]);
    const ls = await frame.evaluate(() => window.overboxEmbed!.box.exec(["ls", "/root/api-off"]));
    expect(ls.exitCode).toBe(1);
  });

  it("keeps its network off unless network=1 comes from a page its origins parameter names", async () => {
    // A server of the test, reached as a CORS proxy would be.
    const web = createServer((req, res) => {
      res.writeHead(200, { "Access-Control-Allow-Origin": "*" });
      res.end(`outside: ${req.url}\n`);
    });
    await new Promise<void>((r) => web.listen(0, "localhost", r));
    const proxy = `proxy=${encodeURIComponent(`http://localhost:${(web.address() as AddressInfo).port}/`)}`;
    const wget = ["wget", "-qO-", "http://files.test/x"];
    const fetchFrom = async (at: string, params: string) => {
      const page = await newPage();
      await host(page, at, params);
      const frame = await frameOf(page, "#e0");
      await frame.waitForFunction(() => window.overboxEmbed !== undefined);
      const r = await frame.evaluate((a) => window.overboxEmbed!.box.exec(a), wget);
      await page.context().close();
      return r;
    };
    try {
      const offline = { exitCode: 1, stdout: "", stderr: "wget: bad address 'files.test'\n" };
      // By default: no network, even from a page origins names.
      expect(await fetchFrom(origin, `${allowed}&${proxy}`)).toEqual(offline);
      // Turned on by a page origins names.
      expect(await fetchFrom(origin, `${allowed}&network=1&${proxy}`)).toEqual({
        exitCode: 0,
        stdout: "outside: /http://files.test/x\n",
        stderr: "",
      });
      // Asked for by a page origins does not name: still off.
      expect(await fetchFrom(foreign, `${allowed}&network=1&${proxy}`)).toEqual(offline);
    } finally {
      web.close();
    }
  });

  it("an ephemeral container leaves nothing in IndexedDB and starts afresh on reload", async () => {
    const page = await newPage();
    await host(page, origin, allowed);
    await ready(page, "e0");
    const write = { id: 1, type: "exec", command: "echo gone > /root/note; sync" };
    expect(await request(page, "#e0", write)).toMatchObject({ exitCode: 0 });
    expect(
      await request(page, "#e0", { id: 2, type: "readFile", path: "/root/note" }),
    ).toMatchObject({ data: "gone\n" });
    const databases = () =>
      page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(await databases()).toEqual([]);
    await page.reload();
    await ready(page, "e0");
    expect(
      await request(page, "#e0", { id: 3, type: "readFile", path: "/root/note" }),
    ).toMatchObject({ type: "error", message: expect.stringMatching(/^ENOENT/) });
    expect(await databases()).toEqual([]);
  });

  it("a named container keeps its files across reloads; opened readonly, it saves nothing", async () => {
    const page = await newPage();
    const note = (id: number) => ({ id, type: "readFile", path: "/root/note" });
    await host(page, origin, `container=kept&${allowed}`);
    expect(await ready(page, "e0")).toMatchObject({ container: "kept", readOnly: false });
    const write = { id: 1, type: "exec", command: "echo kept > /root/note; sync" };
    expect(await request(page, "#e0", write)).toMatchObject({ exitCode: 0 });
    expect(
      await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)),
    ).toEqual(["overbox-embed.kept"]);

    await page.reload();
    await ready(page, "e0");
    expect(await request(page, "#e0", note(2))).toMatchObject({ data: "kept\n" });

    await host(page, origin, `container=kept&readonly=1&${allowed}`);
    expect(await ready(page, "e0")).toMatchObject({ container: "kept", readOnly: true });
    const frame = await frameOf(page, "#e0");
    expect(await frame.textContent("#notice")).toBe(
      "The container kept is open read-only: changes are not saved.",
    );
    expect(await request(page, "#e0", note(3))).toMatchObject({ data: "kept\n" });
    const change = {
      id: 4,
      type: "exec",
      command: "echo changed > /root/note; touch /root/new; sync",
    };
    expect(await request(page, "#e0", change)).toMatchObject({ exitCode: 0 });
    expect(await request(page, "#e0", note(5))).toMatchObject({ data: "changed\n" });

    await host(page, origin, `container=kept&${allowed}`);
    await ready(page, "e0");
    expect(await request(page, "#e0", note(6))).toMatchObject({ data: "kept\n" });
    expect(
      await request(page, "#e0", { id: 7, type: "exec", command: "ls -A /root" }),
    ).toMatchObject({ stdout: "note\n" });
  });

  it(
    REPLICAS
      ? "says in its ready event that a named container was restored from its replica after the browser dropped its database"
      : `says in its ready event that a named container is lost after the browser dropped its database: ${BROWSER} keeps no replica`,
    async () => {
      const page = await newPage();
      await host(page, origin, `container=restored&${allowed}`);
      expect(await ready(page, "e0")).toMatchObject({ container: "restored", restored: false });
      const write = { id: 1, type: "exec", command: "echo kept > /root/note; sync" };
      expect(await request(page, "#e0", write)).toMatchObject({ exitCode: 0 });
      await dropDatabase(page, "overbox-embed.restored"); // As Chromium drops it; leaves the page.
      await host(page, origin, `container=restored&${allowed}`);
      if (!REPLICAS) {
        expect(await ready(page, "e0")).toMatchObject({
          container: "restored",
          readOnly: true,
          damage: [expect.stringMatching(/the browser no longer has the database/)],
          restored: false,
        });
        return;
      }
      expect(await ready(page, "e0")).toMatchObject({
        container: "restored",
        readOnly: false,
        damage: [],
        restored: true,
      });
      const note = { id: 2, type: "readFile", path: "/root/note" };
      expect(await request(page, "#e0", note)).toMatchObject({ data: "kept\n" });
    },
  );
});
