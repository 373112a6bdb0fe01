/**
 * WebKit for the browser tests: Debian's WebKitGTK MiniBrowser driven by
 * WebKitWebDriver (package webkit2gtk-driver) over WebDriver classic, with
 * a client of our own (a dozen endpoints over fetch: playwright-core does
 * not drive WebKitGTK, and a general WebDriver client would be a large
 * dependency for these). WebKitGTK needs a display: an Xvfb of ours when
 * there is none.
 *
 * Two profiles: WebKit's defaults (no Storage API, no origin private file
 * system), and Safari's storage features on (StorageAPI, FileSystem,
 * AccessHandle), where OPFS is there but a worker's sync access handles
 * are not: the stand-in for Safari.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DRIVER = "/usr/bin/WebKitWebDriver";
const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const XVFB = "/usr/bin/Xvfb";

export type WebKitProfile = "defaults" | "safari";

/** The features Safari ships that WebKitGTK's MiniBrowser has off by default. */
const SAFARI_FEATURES = "+StorageAPI,+StorageAPIEstimate,+FileSystem,+AccessHandle";

/** A WebKit browser session: one window, as WebDriver classic drives it. */
export interface WebKitPage {
  goto(url: string): Promise<void>;
  /** Runs `body` (a function's source, taking `args`) in the page; its value, awaited. */
  evaluate<T>(body: string, ...args: unknown[]): Promise<T>;
  /** Waits until `body` answers true (polling), or throws after `timeout` ms. */
  waitFor(body: string, timeout?: number): Promise<void>;
  /** Types `text` as key presses ("\n" is Enter). */
  type(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts WebKitWebDriver (and an Xvfb where there is no display) and opens a session. */
export async function launchWebKit(profile: WebKitProfile): Promise<WebKitPage> {
  const children: ChildProcess[] = [];
  const home = mkdtempSync(join(tmpdir(), "overbox-webkit-"));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  try {
    if (!env.DISPLAY) {
      const display = `:${90 + Math.floor(Math.random() * 400)}`;
      children.push(
        spawn(XVFB, [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
          stdio: "ignore",
        }),
      );
      env.DISPLAY = display;
    }
    const port = await freePort();
    children.push(spawn(DRIVER, [`--port=${port}`], { env, stdio: "ignore" }));
    const base = `http://127.0.0.1:${port}`;
    await until(
      async () =>
        await fetch(`${base}/status`).then(
          (r) => r.ok,
          () => false,
        ),
      15_000,
    );
    const args = [
      "--automation",
      ...(profile === "safari" ? [`--features=${SAFARI_FEATURES}`] : []),
    ];
    const created = await command<{ sessionId: string }>(base, "POST", "/session", {
      capabilities: {
        alwaysMatch: { "webkitgtk:browserOptions": { binary: MINIBROWSER, args } },
      },
    });
    const session = `${base}/session/${created.sessionId}`;
    const run = <T>(method: string, path: string, body?: unknown) =>
      command<T>(session, method, path, body);
    const page: WebKitPage = {
      async goto(url) {
        await run("POST", "/url", { url });
      },
      evaluate<T>(body: string, ...args: unknown[]) {
        return run<T>("POST", "/execute/async", {
          script: `const done = arguments[arguments.length - 1];
            Promise.resolve((${body})(...Array.from(arguments).slice(0, -1)))
              .then((v) => done({ ok: v }), (e) => done({ error: String(e && e.stack || e) }));`,
          args,
        }).then((r) => {
          const answer = r as { ok?: T; error?: string };
          if (answer.error !== undefined) throw new Error(`in WebKit: ${answer.error}`);
          return answer.ok as T;
        });
      },
      async waitFor(body, timeout = 30_000) {
        await until(() => page.evaluate<boolean>(body).catch(() => false), timeout);
      },
      async type(text) {
        const actions = [...text].flatMap((c) => {
          const value = c === "\n" ? "\uE007" : c;
          return [
            { type: "keyDown", value },
            { type: "keyUp", value },
          ];
        });
        await run("POST", "/actions", { actions: [{ type: "key", id: "keys", actions }] });
      },
      async close() {
        await run("DELETE", "").catch(() => undefined);
        end();
      },
    };
    return page;
  } catch (e) {
    end();
    throw e;
  }

  function end(): void {
    for (const child of children.reverse()) child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}

/** One WebDriver command: its `value`, or an Error with WebDriver's error and message. */
async function command<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as { value: T & { error?: string; message?: string } };
  if (!response.ok) {
    throw new Error(`WebDriver ${method} ${path}: ${answer.value.error}: ${answer.value.message}`);
  }
  return answer.value;
}

async function until(check: () => Promise<boolean>, timeout: number): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not so after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
