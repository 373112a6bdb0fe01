/**
 * The built site (`npm run build`, dist/) from a plain static server: it
 * boots, shows a progress bar while the image downloads on a first visit,
 * and works offline after that visit (its service worker).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {} from "../src/playground.ts";
import type {} from "../src/embed.ts";
import { CONTENT_SECURITY_POLICY } from "../vite.config.ts";
import { launchBrowser } from "./browser.ts";
import { installCgi } from "./cgi.ts";
import { serveStatic } from "./static-server.ts";

let browser: Browser;
let dist: string;
let site: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "overbox-dist-"));
  await build({
    logLevel: "warn",
    build: { outDir: dist, emptyOutDir: true },
  });
  site = await serveStatic(dist);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe("the built site", () => {
  it("boots from a plain static server and runs commands", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.overbox.box.exec("echo built; uname -s"));
    expect(r).toEqual({ exitCode: 0, stdout: "built\nLinux\n", stderr: "" });
    await page.context().close();
  });

  it("shows a progress bar while the image downloads on a first visit", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Whether the bar was ever shown with some progress: recorded as it
    // happens, since a local download is over in a moment.
    await page.addInitScript(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      document.addEventListener("DOMContentLoaded", () => {
        const box = document.getElementById("progress")!;
        const bar = document.getElementById("progress-bar") as HTMLProgressElement;
        new MutationObserver(() => {
          if (!box.hidden && bar.value > 0) w.sawProgress = true;
        }).observe(document.body, { attributes: true, subtree: true });
      });
    });
    await page.goto(site.url);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    expect(
      await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress),
    ).toBe(true);
    expect(await page.isHidden("#progress")).toBe(true);
    await context.close();
  });

  it("works offline after the first visit: files, shell and all", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}?container=offline`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    await page.evaluate(() => window.overbox.box.exec("echo kept > /root/offline.txt; sync"));
    // The service worker has cached the site once it controls the page.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 20_000,
    });
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.overbox.box.exec("cat /root/offline.txt"));
    expect(r).toEqual({ exitCode: 0, stdout: "kept\n", stderr: "" });
    await context.close();
  });

  it("opens ?image=python from a fresh profile: python's files come as it starts, with progress, the REPL computes, and the next visit, offline, runs python and finds the file it wrote", async () => {
    const context = await browser.newContext();
    // The bytes the site sent (the page's, its workers' and its service worker's fetches).
    let bytes = 0;
    context.on("requestfinished", (request) => {
      void request.sizes().then(
        (s) => (bytes += s.responseBodySize),
        () => {},
      );
    });
    const page = await context.newPage();
    // Whether the progress bar showed once the container was open (python's
    // chunks coming as it starts): recorded as it happens.
    await page.addInitScript(() => {
      const w = window as unknown as { overbox?: unknown; laterProgress: boolean };
      w.laterProgress = false;
      document.addEventListener("DOMContentLoaded", () => {
        const box = document.getElementById("progress")!;
        const bar = document.getElementById("progress-bar") as HTMLProgressElement;
        new MutationObserver(() => {
          if (w.overbox && !box.hidden && bar.value > 0) w.laterProgress = true;
        }).observe(document.body, { attributes: true, subtree: true });
      });
    });
    await page.goto(`${site.url}?image=python&container=py`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const screen = () =>
      page.evaluate(() => {
        const buffer = window.overbox.term.buffer.active;
        const lines = [];
        for (let i = 0; i < buffer.length; i++)
          lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
        return lines.join("\n").trimEnd();
      });
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(await screen())) {
        if (Date.now() > deadline)
          throw new Error(`not on the screen: ${pattern}\n${await screen()}`);
        await page.waitForTimeout(50);
      }
    };
    // (The screen's lines come trimmed: the prompts' trailing spaces are gone.)
    await until(/~#$/);
    await page.locator(".xterm").click();
    await page.keyboard.type("python3\n");
    await until(/^>>>$/m);
    const laterProgress = () =>
      page.evaluate(() => (window as unknown as { laterProgress: boolean }).laterProgress);
    expect(await laterProgress()).toBe(true);
    await page.waitForSelector("#progress", { state: "hidden" });
    await page.keyboard.type("sum(i * i for i in range(10**5))\n");
    await until(/^333328333350000$/m);
    await page.keyboard.type("open('/root/from-repl.txt', 'w').write('kept by python')\n");
    await until(/^14\n>>>$/m);
    await page.keyboard.press("Control+D");
    await until(/~#$/);
    console.log(`python, first visit: ${(bytes / 2 ** 20).toFixed(1)} MiB downloaded`);
    await page.evaluate(() => window.overbox.box.exec("sync"));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 20_000,
    });
    // Straight to an offline visit: what the first fetched before its
    // service worker took over (python's chunks) must be kept too.
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    const read = () =>
      page.evaluate(() =>
        window.overbox.box.exec(["python3", "-c", "print(open('/root/from-repl.txt').read())"]),
      );
    expect(await read()).toEqual({ exitCode: 0, stdout: "kept by python\n", stderr: "" });
    await context.close();
  }, 240_000);

  it("prepares a WASI program built elsewhere, written with the library's fs.writeFile, under the site's policy, and offline again, its Binaryen cached at that first use", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${site.url}?container=offline-wasi`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 20_000,
    });
    const wasm = await readFile(
      join(import.meta.dirname, "..", "build", "wasi-programs", "args.wasm"),
    );
    await page.evaluate(async (bytes) => {
      await window.overbox.box.fs.writeFile("/root/args.wasm", new Uint8Array(bytes));
    }, Array.from(wasm));
    const run = () =>
      page.evaluate(() =>
        window.overbox.box.exec("chmod +x /root/args.wasm; GREETING=hi /root/args.wasm"),
      );
    const expected = { exitCode: 0, stdout: "argv[0]=/root/args.wasm\nGREETING=hi\n", stderr: "" };
    expect(await run()).toEqual(expected);
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    // Prepared anew in this page (its kept copy dropped first): Binaryen comes from the cache.
    await page.evaluate(
      () => new Promise((r) => (indexedDB.deleteDatabase("overbox.prepared").onsuccess = r)),
    );
    expect(await run()).toEqual(expected);
    await context.close();
  });

  it("serves a container's server at the site's /ports/N/, and reaches the web from the built site's worker (its policy lets the gateway fetch)", async () => {
    // A server of the test for the gateway, as a CORS proxy would be.
    const server = createServer((req, res) => {
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.end(`outside: ${req.url}\n`);
    });
    await new Promise<void>((r) => server.listen(0, "localhost", r));
    const proxy = `http://localhost:${(server.address() as AddressInfo).port}/`;
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}?container=ports&proxy=${encodeURIComponent(proxy)}`);
      await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
        timeout: 20_000,
      });
      const out = await page.evaluate(() =>
        window.overbox.box.exec(
          "mkdir -p /srv && echo '<h1>from the container</h1>' > /srv/index.html && httpd -p 8080 -h /srv && wget -qO- http://files.test/x",
        ),
      );
      expect(out).toEqual({ exitCode: 0, stdout: "outside: /http://files.test/x\n", stderr: "" });
      const seen = await page.evaluate(async () => {
        const r = await fetch("ports/8080/index.html");
        const none = await fetch("ports/8099/");
        return {
          status: r.status,
          body: await r.text(),
          framing: r.headers.get("content-security-policy"),
          none: [none.status, await none.text()],
        };
      });
      expect(seen).toEqual({
        status: 200,
        body: "<h1>from the container</h1>\n",
        framing: "frame-ancestors 'self'",
        none: [502, "nothing listens on port 8099 in container ports\n"],
      });
      // Streamed: the CGI's first line arrives while it still waits for
      // /tmp/go, which the page makes only once it has read that line (a
      // gathered body would never come).
      await page.evaluate((cgi) => window.overbox.box.exec(["sh", "-c", cgi]), installCgi("/srv"));
      const streamed = await page.evaluate(async () => {
        const r = await fetch("ports/8080/cgi-bin/stream");
        const reader = r.body!.getReader();
        const decoder = new TextDecoder();
        let before = "";
        while (!before.includes("first\n")) before += decoder.decode((await reader.read()).value);
        await window.overbox.box.exec("touch /tmp/go");
        let after = "";
        for (let c = await reader.read(); !c.done; c = await reader.read())
          after += decoder.decode(c.value);
        return { before, after };
      });
      expect(streamed).toEqual({ before: "first\n", after: "second\n" });
      // A request's body goes to the container too (as a stream where the
      // engine's service worker has one).
      const posted = await page.evaluate(async () => {
        const count = await fetch("ports/8080/cgi-bin/count", {
          method: "POST",
          body: new Blob([new Uint8Array(3 << 20)]),
        });
        const upload = await fetch("ports/8080/cgi-bin/upload", {
          method: "POST",
          body: "a form\nand the rest\n",
        });
        return [(await count.text()).trim(), await upload.text()];
      });
      expect(posted).toEqual([String(3 << 20), "got: a form\nand the rest\n"]);
    } finally {
      await context.close();
      server.close();
    }
  });

  it("shows a port of the embed's container under its terminal (preview=), once a server listens there", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${site.url}embed.html?preview=8080/index.html`);
      await page.waitForFunction(() => window.overboxEmbed !== undefined, null, {
        timeout: 30_000,
      });
      const status = () =>
        page.evaluate(() => document.getElementById("preview-status")!.textContent);
      await expect
        .poll(status, { timeout: 20_000 })
        .toBe("Port 8080: waiting for a server to listen on it");
      await page.evaluate(() =>
        window.overboxEmbed!.box.exec(
          "mkdir -p /srv && echo '<h1>previewed</h1>' > /srv/index.html && httpd -p 8080 -h /srv",
        ),
      );
      await page.waitForFunction(
        () =>
          (document.getElementById("preview-frame") as HTMLIFrameElement).contentDocument?.body
            ?.textContent === "previewed\n",
        null,
        { timeout: 20_000 },
      );
      expect(await status()).toBe("Port 8080");
      expect(
        await page.evaluate(
          () => (document.getElementById("preview-open") as HTMLAnchorElement).href,
        ),
      ).toBe(`${site.url}ports/8080/index.html`);
    } finally {
      await context.close();
    }
  });

  it("says in one line that there are no offline visits where the browser runs no service worker (as a private window may), and runs", async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      delete (Navigator.prototype as { serviceWorker?: unknown }).serviceWorker;
    });
    const page = await context.newPage();
    await page.goto(`${site.url}?container=no-worker`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    await page.waitForFunction(() =>
      /no offline visits/.test(document.getElementById("status")!.textContent ?? ""),
    );
    expect(await page.textContent("#status")).toMatch(
      /^In this browser: (.+; )?no offline visits: this browser runs no service worker for this page \(a private window, or a setting\), so each visit needs the network\.$/,
    );
    const r = await page.evaluate(() => window.overbox.box.exec("echo still-runs"));
    expect(r.stdout).toBe("still-runs\n");
    await context.close();
  });

  it("runs its pages under a Content-Security-Policy without a violation, and refuses a script it did not ship", async () => {
    const context = await browser.newContext();
    // Every frame records the policy's violations from its start.
    await context.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        w.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    // The page's frame and its iframes' (found as elements: WebKit's client has no frames()).
    const frames = async (page: import("playwright-core").Page) => [
      page.mainFrame(),
      ...(await Promise.all((await page.$$("iframe")).map((f) => f.contentFrame()))),
    ];
    const violations = async (page: import("playwright-core").Page) =>
      Promise.all(
        (await frames(page)).map((f) =>
          f!.evaluate(() => (window as unknown as { violations: string[] }).violations),
        ),
      ).then((all) => all.flat());

    const page = await context.newPage();
    await page.goto(`${site.url}?container=policed`);
    await page.waitForFunction(() => window.overbox !== undefined, null, { timeout: 30_000 });
    expect(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content")).toBe(
      CONTENT_SECURITY_POLICY,
    );
    await page.keyboard.type("echo typed\n");
    expect((await page.evaluate(() => window.overbox.box.exec("ls /"))).exitCode).toBe(0);
    expect(await violations(page)).toEqual([]);

    const demo = await context.newPage();
    await demo.goto(`${site.url}docs-demo.html`);
    await demo.waitForSelector("#run-button:not([disabled])", { timeout: 30_000 });
    await demo.click("#run-button");
    await demo.waitForFunction(() =>
      /exit status 0/.test(document.getElementById("result")!.textContent ?? ""),
    );
    expect((await frames(demo)).length).toBe(4); // the page and its three embeds
    expect(await violations(demo)).toEqual([]);

    // A script the site did not ship does not run: inline, or from elsewhere.
    const ran = await page.evaluate(async () => {
      const w = window as unknown as { injected?: number };
      const inline = document.createElement("script");
      inline.textContent = "window.injected = 1";
      document.head.append(inline);
      const remote = document.createElement("script");
      remote.src = "https://example.com/x.js";
      document.head.append(remote);
      await new Promise((r) => setTimeout(r, 200));
      return w.injected ?? null;
    });
    expect(ran).toBeNull();
    expect(await violations(page)).toEqual([
      expect.stringMatching(/^script-src-elem inline$/),
      expect.stringMatching(/^script-src-elem https:\/\/example\.com\/x\.js$/),
    ]);
    await context.close();
  });
});
