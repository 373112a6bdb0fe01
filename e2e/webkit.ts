/**
 * WebKit for the browser tests: Debian's WebKitGTK driven by
 * WebKitWebDriver (package webkit2gtk-driver) over WebDriver classic, with
 * a client of our own that gives the tests the part of Playwright's API
 * they use (pages, frames, locators by role, keyboard and mouse, events),
 * so that the same test files run in every engine. playwright-core does
 * not drive WebKitGTK (its WebKit is a build of its own), and the npm
 * WebDriver clients (webdriverio, selenium-webdriver) would bring a large
 * dependency tree for the thirty endpoints used here, and still not this
 * API.
 *
 * The browser WebKitWebDriver starts is ours, e2e/webkit-browser.py (says
 * why): a WebKitGTK window on a profile kept on disk, which also reports
 * downloads, and takes scripts to run before a page's own and an offline
 * mode. WebKitGTK needs a display: an Xvfb of ours
 * when there is none. One WebKitWebDriver serves one session: each
 * context has its own, and its own browser and profile.
 *
 * Two feature sets: WebKit's defaults (no Storage API, no origin private
 * file system), and Safari's storage features on (StorageAPI, FileSystem,
 * AccessHandle), where a worker's sync access handles are not supported by
 * WebKitGTK's storage: the stand-in for Safari.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const DRIVER = "/usr/bin/WebKitWebDriver";
const XVFB = "/usr/bin/Xvfb";
const BROWSER = fileURLToPath(new URL("./webkit-browser.py", import.meta.url));

/** Which of WebKit's features a browser has: its defaults, or Safari's storage features. */
export type WebKitFeatures = "defaults" | "safari";

/** The features Safari ships that WebKitGTK has off by default. */
const SAFARI_FEATURES = "+StorageAPI,+StorageAPIEstimate,+FileSystem,+AccessHandle";

/** WebDriver's name for an element reference in JSON. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
type ElementRef = { [ELEMENT]: string };

const DEFAULT_TIMEOUT = 30_000;

// ---------------------------------------------------------------- display

let display: Promise<string> | null = null;

/** The X display WebKitGTK draws on: $DISPLAY, or an Xvfb of ours for this process's life. */
function xDisplay(): Promise<string> {
  if (process.env.DISPLAY) return Promise.resolve(process.env.DISPLAY);
  display ??= startXvfb().then(({ name, stop }) => {
    process.on("exit", stop);
    return name;
  });
  return display;
}

/**
 * An Xvfb on a free display (the browser suite starts one for all its
 * test files, e2e/global-setup.ts); `stop` ends it.
 */
export async function startXvfb(): Promise<{ name: string; stop: () => void }> {
  for (let attempt = 0; ; attempt++) {
    const name = `:${100 + Math.floor(Math.random() * 800)}`;
    const xvfb = spawn(XVFB, [name, "-screen", "0", "1400x900x24", "-nolisten", "tcp"], {
      stdio: "ignore",
    });
    // It must not keep this process alive: a bench run that used WebKit
    // never exited, waiting for its Xvfb. It is killed at exit (xDisplay)
    // or by the browser suite's teardown.
    xvfb.unref();
    const ended = new Promise<boolean>((resolve) => xvfb.on("exit", () => resolve(false)));
    // An Xvfb still running after a moment has its display.
    if (await Promise.race([ended, sleep(500).then(() => true)])) {
      return { name, stop: () => xvfb.kill("SIGKILL") };
    }
    if (attempt > 5) throw new Error("Xvfb would not start");
  }
}

// ---------------------------------------------------------------- session

interface ConsoleMessage {
  type: string;
  text: string;
}

/**
 * One WebKitWebDriver, its browser and its session. Commands go one at a
 * time (a page's are preceded by the switch to its window and frame).
 */
class Session extends EventEmitter {
  private queue: Promise<unknown> = Promise.resolve();
  private window: string | null = null;
  private frame: string[] = [];
  private nextOrder = 0;
  private answered = new Map<number, () => void>();
  /** Reported but not yet taken: downloads. */
  readonly reported: Array<{ download?: { filename: string; path: string } }> = [];
  closed = false;

  private constructor(
    private readonly driver: ChildProcess,
    private readonly url: string,
    readonly profile: string,
    private readonly control: string,
    private readonly ownsProfile: boolean,
  ) {
    super();
  }

  static async start(features: WebKitFeatures, kept?: string): Promise<Session> {
    const profile = kept ?? mkdtempSync(join(tmpdir(), "overbox-webkit-"));
    mkdirSync(profile, { recursive: true });
    const control = join(profile, "control");
    rmSync(control, { force: true });
    await run("mkfifo", [control]);
    const port = await freePort();
    const env = { ...process.env, DISPLAY: await xDisplay() };
    // On a terminal of its own (script(1)), where WebKit writes the pages'
    // console messages as they come: to a pipe, they would wait in its
    // buffer until the browser ends.
    const driver = spawn("script", ["-qfc", `${DRIVER} --port=${port}`, "/dev/null"], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const session = new Session(driver, `http://127.0.0.1:${port}`, profile, control, !kept);
    session.read(driver);
    try {
      await until(
        () =>
          fetch(`${session.url}/status`).then(
            (r) => r.ok,
            () => false,
          ),
        15_000,
      );
      const args = ["--profile", profile, "--control", control];
      if (features === "safari") args.push("--features", SAFARI_FEATURES);
      const created = await session.raw<{ sessionId: string }>("POST", "/session", {
        capabilities: {
          alwaysMatch: {
            "webkitgtk:browserOptions": { binary: BROWSER, args },
            timeouts: { script: 600_000, pageLoad: 120_000, implicit: 0 },
          },
        },
      });
      session.base = `/session/${created.sessionId}`;
      session.window = await session.raw<string>("GET", `${session.base}/window`);
    } catch (e) {
      session.kill();
      throw e;
    }
    return session;
  }

  private base = "";

  /** The driver's output: the pages' console messages, and the browser's reports (OVERBOX lines). */
  private read(driver: ChildProcess): void {
    let message: ConsoleMessage | null = null;
    const flush = () => {
      if (message) this.emit("console", message);
      message = null;
    };
    createInterface({ input: driver.stdout! }).on("line", (text) => {
      const line = text.replace(/\r$/, "");
      const report = /^OVERBOX (.*)$/.exec(line);
      const console =
        /^(?:\S+:\d+:\d+: )?CONSOLE (?:(\w+) )?(LOG|WARN|ERROR|INFO|DEBUG) (.*)$/.exec(line);
      if (report) {
        flush();
        const event = JSON.parse(report[1]!) as Session["reported"][number] & { done?: number };
        if (event.done !== undefined) this.answered.get(event.done)?.();
        else {
          this.reported.push(event);
          this.emit("report");
        }
      } else if (console) {
        flush();
        const [, source, level, text] = console;
        message = {
          type: source === "JS" && level === "ERROR" ? "pageerror" : level!.toLowerCase(),
          text: text!,
        };
        // A message is whole when the next one starts, or a moment later.
        setTimeout(flush, 50);
      } else if (message) {
        message.text += `\n${line}`;
      }
    });
    driver.stderr!.on("data", () => undefined);
  }

  /** Takes the first report that `pick` accepts, waiting up to `timeout` ms for it. */
  async report<T>(pick: (r: Session["reported"][number]) => T | undefined, timeout: number) {
    const end = Date.now() + timeout;
    for (;;) {
      const at = this.reported.findIndex((r) => pick(r) !== undefined);
      if (at >= 0) return pick(this.reported.splice(at, 1)[0]!)!;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`Timeout ${timeout}ms exceeded`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.off("report", done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.on("report", done);
      });
    }
  }

  /** Sends a command to the browser (webkit-browser.py), resolving once it is done. */
  async order(command: Record<string, unknown>): Promise<void> {
    const id = this.nextOrder++;
    const done = new Promise<void>((resolve) => this.answered.set(id, resolve));
    writeFileSync(this.control, JSON.stringify({ id, ...command }) + "\n");
    await done;
    this.answered.delete(id);
  }

  private async raw<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.url + path, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as { value: T & { error?: string; message?: string } };
    if (!response.ok) {
      throw new WebDriverError(
        answer.value.error ?? "",
        `WebDriver ${method} ${path}: ${answer.value.error}: ${answer.value.message}`,
      );
    }
    return answer.value;
  }

  /** Runs `body` with the session's commands, alone. */
  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const next = this.queue.then(body, body);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A command of the session (not of a window). */
  command<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.exclusive(() => this.raw<T>(method, this.base + path, body));
  }

  /** A command in window `window`, in its frame `frame` (iframe selectors from the top). */
  in<T>(window: string, frame: string[], method: string, path: string, body?: unknown) {
    return this.exclusive(async () => {
      if (this.window !== window) {
        await this.raw("POST", `${this.base}/window`, { handle: window });
        this.window = window;
        this.frame = [];
        await this.raw("POST", `${this.base}/frame`, { id: null });
      }
      if (this.frame.join("\0") !== frame.join("\0")) {
        await this.raw("POST", `${this.base}/frame`, { id: null });
        this.frame = [];
        for (const selector of frame) {
          const element = await this.raw<ElementRef>("POST", `${this.base}/element`, {
            using: "css selector",
            value: selector,
          });
          await this.raw("POST", `${this.base}/frame`, { id: element });
          this.frame.push(selector);
        }
      }
      try {
        return await this.raw<T>(method, this.base + path, body);
      } catch (e) {
        // A navigation leaves the frame: the next command starts from the top.
        if (e instanceof WebDriverError && frame.length > 0) this.frame = ["?"];
        throw e;
      }
    });
  }

  /** After a window is closed, the next command must switch to the window it is for. */
  forgetWindow(): void {
    this.window = null;
  }

  /** Ends the session, and then every process of the browser; resolves when they are gone. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.command("DELETE", "").catch(() => undefined);
    await this.crash();
  }

  /** Every process of this browser gone at once (SIGKILL), as in a power cut. */
  async crash(): Promise<void> {
    this.kill();
  }

  /** The web content processes of this browser (WebKitWebProcess), by pid. */
  webProcesses(): number[] {
    return descendants(this.driver.pid!).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("WebKitWebProcess");
      } catch {
        return false;
      }
    });
  }

  /**
   * SIGKILL to the driver and everything it started, until none is left:
   * the processes of its terminal's session (script(1) makes one), found
   * by session, so that one the browser started a moment before (its
   * storage process, restarted after a crash) is not missed.
   */
  private kill(): void {
    if (this.closed) return;
    this.closed = true;
    const sessions = new Set([this.driver.pid!, ...descendants(this.driver.pid!)].map(sessionOf));
    sessions.delete(sessionOf(process.pid));
    sessions.delete(0);
    for (;;) {
      const members = [this.driver.pid!, ...processesOf(sessions)].filter(alive);
      if (members.length === 0) break;
      for (const pid of members) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
      execFileSync("sleep", ["0.05"]);
    }
    if (this.ownsProfile) rmSync(this.profile, { recursive: true, force: true });
    this.emit("close");
  }
}

class WebDriverError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- browser and context

export interface WebKitLaunch {
  features: WebKitFeatures;
}

/** What the tests call a browser: here, a maker of contexts, each a WebKit of its own. */
export class WebKitBrowser {
  private readonly contexts = new Set<WebKitContext>();
  constructor(private readonly features: WebKitFeatures) {}

  async newContext(options: { viewport?: Viewport } = {}): Promise<WebKitContext> {
    const context = new WebKitContext(await Session.start(this.features), options.viewport);
    this.contexts.add(context);
    context.once("close", () => this.contexts.delete(context));
    return context;
  }

  async close(): Promise<void> {
    await Promise.all([...this.contexts].map((c) => c.close()));
  }
}

/** A browser on a profile kept in `dir`: closing the context ends it, and launching again is a restart. */
export async function launchWebKitWithProfile(
  features: WebKitFeatures,
  dir: string,
  options: { viewport?: Viewport } = {},
): Promise<WebKitContext> {
  return new WebKitContext(await Session.start(features, dir), options.viewport);
}

interface Viewport {
  width: number;
  height: number;
}

export class WebKitContext extends EventEmitter {
  private readonly open: WebKitPage[] = [];
  /** A window of the session not given to a page: its first, or one kept open for the session's sake. */
  spare: string | null = null;

  constructor(
    readonly session: Session,
    private readonly viewport: Viewport | undefined,
  ) {
    super();
    session.on("close", () => this.emit("close"));
    session.on("console", (m: ConsoleMessage) => {
      for (const page of this.open) page.emit(m.type === "pageerror" ? "pageerror" : "console", m);
    });
  }

  pages(): WebKitPage[] {
    return [...this.open];
  }

  async newPage(): Promise<WebKitPage> {
    let handle: string;
    if (this.open.length === 0 && this.spare === null) {
      handle = await this.session.command<string>("GET", "/window");
    } else if (this.spare !== null) {
      handle = this.spare;
      this.spare = null;
    } else {
      handle = (await this.session.command<{ handle: string }>("POST", "/window/new", {})).handle;
    }
    const page = this.adopt(handle);
    if (this.viewport) await page.setViewportSize(this.viewport);
    return page;
  }

  private adopt(handle: string): WebKitPage {
    const page = new WebKitPage(this, handle);
    this.open.push(page);
    this.emit("page", page);
    return page;
  }

  forget(page: WebKitPage): void {
    this.open.splice(this.open.indexOf(page), 1);
  }

  /** Waits for `event`: "page", a window the pages opened (window.open, a link to a new tab). */
  async waitForEvent(event: string, options: { timeout?: number } = {}): Promise<WebKitPage> {
    if (event !== "page") throw new Error(`WebKit contexts have no event ${event} here`);
    const known = new Set(
      [...this.open.map((p) => p.handle), this.spare].filter((h) => h !== null),
    );
    const end = Date.now() + (options.timeout ?? DEFAULT_TIMEOUT);
    for (;;) {
      const handles = await this.session.command<string[]>("GET", "/window/handles");
      const fresh = handles.find((h) => !known.has(h));
      if (fresh) return this.adopt(fresh);
      if (Date.now() > end) throw new Error(`Timeout waiting for event "page"`);
      await sleep(100);
    }
  }

  /** Runs `script` in every frame of every page loaded from now on, before its own scripts. */
  async addInitScript(script: ((arg?: unknown) => unknown) | string, arg?: unknown) {
    const source =
      typeof script === "string" ? script : `(${String(script)})(${JSON.stringify(arg)});`;
    await this.session.order({ initScript: source });
  }

  /** Offline: every request goes to a proxy that is not there (the service worker still answers). */
  async setOffline(offline: boolean): Promise<void> {
    await this.session.order({ offline });
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /** The browser's processes killed at once (for faults/crash.e2e.ts). */
  crash(): Promise<void> {
    return this.session.crash();
  }
}

// ---------------------------------------------------------------- pages and frames

/**
 * esbuild's helper that keeps functions' names (tsx turns it on), which
 * functions sent to the page may call.
 */
const NAMES = "var __name = (f) => f;\n";

/**
 * Uint8Arrays through JSON, both ways, as Playwright passes them: a
 * function (in the page too) that replaces in a value what `is` picks by
 * what `as` makes of it.
 */
function bytes(value: unknown, is: (v: unknown) => boolean, as: (v: never) => unknown): unknown {
  if (is(value)) return as(value as never);
  if (Array.isArray(value)) return value.map((v) => bytes(v, is, as));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytes(v, is, as)]));
  }
  return value;
}
const BYTES = String(bytes);
const bytesOut = (value: unknown) =>
  bytes(
    value,
    (v) => v instanceof Uint8Array,
    (b: Uint8Array) => ({ overboxBytes: Array.from(b) }),
  );
const bytesIn = (value: unknown) =>
  bytes(
    value,
    (v) => Array.isArray((v as { overboxBytes?: unknown } | null)?.overboxBytes),
    (v: { overboxBytes: number[] }) => new Uint8Array(v.overboxBytes),
  );

/** In-page helpers the locators use, given as the first argument of their scripts. */
const FIND = String(function find(steps: Step[], visibleOnly: boolean): Element[] {
  const visible = (e: Element) => {
    if (e.closest("[aria-hidden=true]")) return false;
    if ((e as HTMLElement).hidden) return false;
    const style = getComputedStyle(e);
    return e.getClientRects().length > 0 && style.visibility !== "hidden";
  };
  const norm = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();
  const roleOf = (e: Element): string => {
    const explicit = e.getAttribute("role");
    if (explicit) return explicit.split(" ")[0]!;
    const tag = e.tagName.toLowerCase();
    const type = (e.getAttribute("type") ?? "text").toLowerCase();
    if (tag === "button") return "button";
    if (tag === "a" && e.hasAttribute("href")) return "link";
    if (tag === "dialog") return "dialog";
    if (tag === "main") return "main";
    if (tag === "li") return "listitem";
    if (tag === "ul" || tag === "ol") return "list";
    if (tag === "textarea") return "textbox";
    if (tag === "select") return "combobox";
    if (tag === "input") {
      if (["button", "submit", "reset", "image"].includes(type)) return "button";
      if (type === "radio") return "radio";
      if (type === "checkbox") return "checkbox";
      if (["text", "search", "email", "url", "tel"].includes(type))
        return e.hasAttribute("list") ? "combobox" : "textbox";
    }
    return "";
  };
  const nameOf = (e: Element): string => {
    const by = e.getAttribute("aria-labelledby");
    if (by)
      return norm(
        by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" "),
      );
    const label = e.getAttribute("aria-label");
    if (label) return norm(label);
    const labels = (e as HTMLInputElement).labels;
    if (labels && labels.length > 0)
      return norm(Array.from(labels, (l) => l.textContent).join(" "));
    const tag = e.tagName.toLowerCase();
    if (tag === "input" && ["button", "submit", "reset"].includes((e as HTMLInputElement).type))
      return norm((e as HTMLInputElement).value);
    if (["button", "a", "li", "option"].includes(tag) || e.getAttribute("role"))
      return norm(e.textContent) || norm(e.getAttribute("title"));
    return norm(e.getAttribute("title") ?? e.getAttribute("placeholder"));
  };
  const matches = (text: string, want: Step["name"]) => {
    if (!want) return true;
    if ("source" in want) return new RegExp(want.source, want.flags).test(text);
    return want.exact
      ? text === norm(want.text)
      : text.toLowerCase().includes(norm(want.text).toLowerCase());
  };
  let scope: Array<Element | Document> = [document];
  for (const step of steps) {
    const found: Element[] = [];
    for (const root of scope) {
      const all = Array.from(root.querySelectorAll(step.css ?? "*"));
      for (const e of all) {
        if (step.role !== undefined && roleOf(e) !== step.role) continue;
        if (step.role !== undefined && !matches(nameOf(e), step.name)) continue;
        if (step.label !== undefined) {
          const labels = (e as HTMLInputElement).labels;
          const text = norm(
            e.getAttribute("aria-label") ??
              Array.from(labels ?? [], (l) => l.textContent).join(" "),
          );
          if (!matches(text, step.label)) continue;
        }
        if (step.hasText !== undefined && !matches(norm(e.textContent), step.hasText)) continue;
        if ((step.role !== undefined || visibleOnly) && !visible(e)) continue;
        if (!found.includes(e)) found.push(e);
      }
    }
    scope = found;
  }
  return scope as Element[];
});

type TextMatch = { text: string; exact?: boolean } | { source: string; flags: string };
interface Step {
  css?: string;
  role?: string;
  name?: TextMatch;
  label?: TextMatch;
  hasText?: TextMatch;
}

const textMatch = (t: string | RegExp, exact?: boolean): TextMatch =>
  typeof t === "string" ? { text: t, exact } : { source: t.source, flags: t.flags };

/** Keys by Playwright's names, as WebDriver's code points. */
const KEYS: Record<string, string> = {
  Enter: "\uE007",
  Escape: "\uE00C",
  Tab: "\uE004",
  Backspace: "\uE003",
  Delete: "\uE017",
  ArrowUp: "\uE013",
  ArrowDown: "\uE015",
  ArrowLeft: "\uE012",
  ArrowRight: "\uE014",
  Home: "\uE011",
  End: "\uE010",
  PageUp: "\uE00E",
  PageDown: "\uE00F",
  Insert: "\uE016",
  Control: "\uE009",
  Shift: "\uE008",
  Alt: "\uE00A",
  Meta: "\uE03D",
  AltGraph: "\uE052",
  F1: "\uE031",
};
const key = (name: string) => KEYS[name] ?? (name.length === 1 ? name : unknownKey(name));
function unknownKey(name: string): never {
  throw new Error(`no WebDriver key for ${name}`);
}

/** A frame of a page: the page itself (no selectors) or an iframe's document. */
export class WebKitFrame {
  constructor(
    readonly page: WebKitPage,
    readonly path: string[],
  ) {}

  send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.page.context().session.in<T>(this.page.handle, this.path, method, path, body);
  }

  /**
   * Runs `fn` in the frame with `arg`: a function, or the source of an
   * expression (called with `arg` if it is a function); its value, awaited.
   */
  async evaluate<T>(fn: ((arg: never) => T | Promise<T>) | string, arg?: unknown): Promise<T> {
    const answer = await this.send<{ ok?: T; undefined?: boolean; error?: string }>(
      "POST",
      "/execute/async",
      {
        script: `${NAMES}const done = arguments[arguments.length - 1];
          const bytes = ${BYTES};
          Promise.resolve().then(() => {
            const f = (${String(fn)});
            const arg = bytes(arguments[0], (v) => v && v.overboxBytes, (v) => new Uint8Array(v.overboxBytes));
            return typeof f === "function" ? f(arg) : f;
          }).then((v) => done({ ok: v === undefined ? null : bytes(v, (b) => b instanceof Uint8Array, (b) => ({ overboxBytes: Array.from(b) })), undefined: v === undefined }),
                  (e) => done({ error: String(e) + (e && e.stack ? "\\n" + e.stack : "") }));`,
        args: [bytesOut(arg ?? null)],
      },
    );
    if (answer.error !== undefined) throw new Error(`in WebKit: ${answer.error}`);
    return (answer.undefined ? undefined : bytesIn(answer.ok)) as T;
  }

  /**
   * Waits until `fn(arg)` is truthy, polling in the page; resolves with a
   * handle on that value. A navigation in between is waited out.
   */
  async waitForFunction<T>(
    fn: ((arg: never) => T | Promise<T>) | string,
    arg?: unknown,
    options: { timeout?: number; polling?: number } = {},
  ): Promise<{ jsonValue(): Promise<T> }> {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    const end = Date.now() + timeout;
    const source = String(fn);
    const every = options.polling ?? 20;
    for (;;) {
      const slice = Math.max(0, Math.min(2_000, end - Date.now()));
      const value = await this.evaluate<{ value: T } | null>(
        `async ([arg, slice, every]) => {
          const f = (${source});
          const fn = typeof f === "function" ? f : () => f;
          const end = Date.now() + slice;
          for (;;) {
            const value = await fn(arg);
            if (value) return { value };
            if (Date.now() >= end) return null;
            await new Promise((r) => setTimeout(r, every));
          }
        }`,
        [arg ?? null, slice, every],
      ).catch((e: unknown) => {
        // The page went away under the script (a reload): try again in the next one.
        if (e instanceof WebDriverError) return null;
        throw e;
      });
      if (value) return { jsonValue: () => Promise.resolve(value.value) };
      if (Date.now() >= end) throw new Error(`Timeout ${timeout}ms exceeded waiting for function`);
      await sleep(every);
    }
  }

  locator(css: string, options: { hasText?: string | RegExp } = {}): WebKitLocator {
    return new WebKitLocator(this, [
      { css, ...(options.hasText ? { hasText: textMatch(options.hasText) } : {}) },
    ]);
  }

  getByRole(role: string, options: { name?: string | RegExp; exact?: boolean } = {}) {
    return new WebKitLocator(this, [
      { role, ...(options.name ? { name: textMatch(options.name, options.exact) } : {}) },
    ]);
  }

  getByLabel(text: string | RegExp): WebKitLocator {
    return new WebKitLocator(this, [{ label: textMatch(text) }]);
  }

  async waitForSelector(
    selector: string,
    options: { timeout?: number; state?: "visible" | "attached" } = {},
  ): Promise<WebKitElement> {
    const locator = this.locator(selector);
    await locator.waitFor({ ...options, state: options.state ?? "visible" });
    return new WebKitElement(this, selector);
  }

  /** The iframes of this frame, as elements. */
  async $$(selector: string): Promise<WebKitElement[]> {
    const n = await this.locator(selector).count();
    return Array.from({ length: n }, (_, i) => new WebKitElement(this, selector, i));
  }

  textContent(selector: string): Promise<string | null> {
    return this.locator(selector).textContent();
  }

  click(selector: string): Promise<void> {
    return this.locator(selector).click();
  }

  fill(selector: string, value: string): Promise<void> {
    return this.locator(selector).fill(value);
  }

  isHidden(selector: string): Promise<boolean> {
    return this.locator(selector).isHidden();
  }

  getAttribute(selector: string, name: string): Promise<string | null> {
    return this.locator(selector).getAttribute(name);
  }

  /** For the locators: runs `body(elements, arg)` on what `steps` find, in the frame. */
  async onElements<T>(steps: Step[], visibleOnly: boolean, body: string, arg?: unknown) {
    return this.evaluate<T>(
      `([steps, visibleOnly, arg]) => (${body})((${FIND})(steps, visibleOnly), arg)`,
      [steps, visibleOnly, arg ?? null],
    );
  }

  /** A WebDriver reference to the one element `steps` find. */
  async reference(steps: Step[]): Promise<ElementRef> {
    return this.send<ElementRef>("POST", "/execute/sync", {
      script: `${NAMES}const found = (${FIND})(arguments[0], true);
        if (found.length !== 1) throw new Error("found " + found.length);
        return found[0];`,
      args: [steps],
    });
  }

  elementCommand<T>(element: ElementRef, method: string, path: string, body?: unknown) {
    return this.send<T>(method, `/element/${element[ELEMENT]}${path}`, body);
  }
}

/** An element found by a selector (the `index`th match), as waitForSelector gives it. */
export class WebKitElement {
  constructor(
    private readonly frame: WebKitFrame,
    private readonly selector: string,
    private readonly index = 0,
  ) {}

  /** The document of this iframe. */
  async contentFrame(): Promise<WebKitFrame> {
    const nth = await this.frame.evaluate<string>(
      ([selector, index]: [string, number]) => {
        const e = document.querySelectorAll(selector)[index]!;
        // A selector that names this iframe alone.
        if (!e.id) e.id = `overbox-frame-${Math.random().toString(36).slice(2)}`;
        return `#${CSS.escape(e.id)}`;
      },
      [this.selector, this.index],
    );
    return new WebKitFrame(this.frame.page, [...this.frame.path, nth]);
  }
}

/** Playwright's locators, as far as the tests use them: found afresh for each action. */
export class WebKitLocator {
  constructor(
    private readonly frame: WebKitFrame,
    private readonly steps: Step[],
  ) {}

  locator(css: string, options: { hasText?: string | RegExp } = {}): WebKitLocator {
    return new WebKitLocator(this.frame, [
      ...this.steps,
      { css, ...(options.hasText ? { hasText: textMatch(options.hasText) } : {}) },
    ]);
  }

  getByRole(role: string, options: { name?: string | RegExp; exact?: boolean } = {}) {
    return new WebKitLocator(this.frame, [
      ...this.steps,
      { role, ...(options.name ? { name: textMatch(options.name, options.exact) } : {}) },
    ]);
  }

  getByLabel(text: string | RegExp): WebKitLocator {
    return new WebKitLocator(this.frame, [...this.steps, { label: textMatch(text) }]);
  }

  private run<T>(body: string, arg?: unknown, visibleOnly = false): Promise<T> {
    return this.frame.onElements<T>(this.steps, visibleOnly, body, arg);
  }

  /** Waits until exactly one element matches (visible, and enabled if `enabled`), as Playwright's actions do. */
  private async one(enabled = false, timeout = DEFAULT_TIMEOUT): Promise<void> {
    const end = Date.now() + timeout;
    let last = 0;
    for (;;) {
      last = await this.run<number>(
        `(found, enabled) => found.filter((e) => !enabled || !e.disabled).length === 1 && found.length === 1 ? 1 : found.length`,
        enabled,
        true,
      );
      if (last === 1) return;
      if (last > 1)
        throw new Error(`strict mode violation: ${JSON.stringify(this.steps)} found ${last}`);
      if (Date.now() > end) {
        throw new Error(`Timeout ${timeout}ms exceeded waiting for ${JSON.stringify(this.steps)}`);
      }
      await sleep(50);
    }
  }

  async waitFor(options: { timeout?: number; state?: "visible" | "attached" | "hidden" } = {}) {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    const state = options.state ?? "visible";
    const end = Date.now() + timeout;
    for (;;) {
      const n = await this.run<number>("(found) => found.length", undefined, state !== "attached");
      if (state === "hidden" ? n === 0 : n > 0) return;
      if (Date.now() > end) {
        throw new Error(`Timeout ${timeout}ms exceeded waiting for ${JSON.stringify(this.steps)}`);
      }
      await sleep(50);
    }
  }

  /** A click as a user makes it (WebDriver's element click: pointer events at its centre). */
  async click(): Promise<void> {
    await this.one(true);
    const element = await this.frame.reference(this.steps);
    await this.frame.elementCommand(element, "POST", "/click", {});
  }

  async fill(value: string): Promise<void> {
    await this.one(true);
    await this.run(
      `([e], value) => {
        e.focus();
        e.value = value;
        e.dispatchEvent(new Event("input", { bubbles: true }));
        e.dispatchEvent(new Event("change", { bubbles: true }));
      }`,
      value,
      true,
    );
  }

  async check(): Promise<void> {
    await this.one(true);
    if (!(await this.run<boolean>("([e]) => e.checked", undefined, true))) await this.click();
  }

  async selectOption(value: string): Promise<void> {
    await this.one(true);
    await this.run(
      `([e], value) => {
        e.value = value;
        if (e.value !== value) throw new Error("no option " + value);
        e.dispatchEvent(new Event("input", { bubbles: true }));
        e.dispatchEvent(new Event("change", { bubbles: true }));
      }`,
      value,
      true,
    );
  }

  /** Files chosen in a file input: written to disk, and given to it as WebDriver gives paths. */
  async setInputFiles(files: FilePayload | FilePayload[]): Promise<void> {
    await this.waitFor({ state: "attached" });
    const paths = onDisk(Array.isArray(files) ? files : [files]);
    const element = await this.frame.send<ElementRef>("POST", "/execute/sync", {
      script: `${NAMES}return (${FIND})(arguments[0], false)[0];`,
      args: [this.steps],
    });
    await this.frame.elementCommand(element, "POST", "/value", { text: paths.join("\n") });
  }

  async textContent(): Promise<string | null> {
    await this.waitFor({ state: "attached" });
    return this.run<string | null>("([e]) => e.textContent");
  }

  allTextContents(): Promise<string[]> {
    return this.run<string[]>("(found) => found.map((e) => e.textContent ?? '')");
  }

  async inputValue(): Promise<string> {
    await this.waitFor({ state: "attached" });
    return this.run<string>("([e]) => e.value");
  }

  async getAttribute(name: string): Promise<string | null> {
    await this.waitFor({ state: "attached" });
    return this.run<string | null>("([e], name) => e.getAttribute(name)", name);
  }

  async isDisabled(): Promise<boolean> {
    await this.waitFor({ state: "attached" });
    return this.run<boolean>(
      "([e]) => e.disabled === true || e.getAttribute('aria-disabled') === 'true'",
    );
  }

  async isEnabled(): Promise<boolean> {
    return !(await this.isDisabled());
  }

  async isHidden(): Promise<boolean> {
    return (await this.run<number>("(found) => found.length", undefined, true)) === 0;
  }

  count(): Promise<number> {
    return this.run<number>("(found) => found.length");
  }

  /**
   * The accessibility tree under the element, as lines "- role: \"name\""
   * for the elements that have a role (Playwright's ariaSnapshot, in
   * short: flat, names quoted).
   */
  async ariaSnapshot(): Promise<string> {
    await this.waitFor();
    return this.run<string>(`([root]) => {
      const lines = [];
      const walk = (e, depth) => {
        const role = e.getAttribute("role") ?? { LI: "listitem", UL: "list", OL: "list" }[e.tagName];
        if (role) lines.push("  ".repeat(depth) + "- " + role + ": " + JSON.stringify((e.textContent ?? "").replace(/\\s+/g, " ").trim()));
        for (const child of e.children) walk(child, role ? depth + 1 : depth);
      };
      walk(root, 0);
      return lines.join("\\n");
    }`);
  }
}

interface FilePayload {
  name: string;
  mimeType?: string;
  buffer: Buffer;
}

/** Each file written under its own name in a directory of its own; their paths. */
function onDisk(files: FilePayload[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "overbox-webkit-files-"));
  return files.map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.buffer);
    return path;
  });
}

export class WebKitPage extends WebKitFrame {
  private readonly emitter = new EventEmitter();
  private closed = false;

  constructor(
    private readonly owner: WebKitContext,
    readonly handle: string,
  ) {
    super(undefined as unknown as WebKitPage, []);
    (this as { page: WebKitPage }).page = this;
  }

  context(): WebKitContext {
    return this.owner;
  }

  on(event: string, listener: (...args: never[]) => void): this {
    this.emitter.on(event, (m: ConsoleMessage) =>
      (listener as (arg: unknown) => void)(
        event === "pageerror" ? new Error(m.text) : { text: () => m.text, type: () => m.type },
      ),
    );
    return this;
  }

  emit(event: string, message: ConsoleMessage): void {
    this.emitter.emit(event, message);
    // A modal dialog is seen by the commands it blocks (dialogAppeared).
  }

  mainFrame(): WebKitFrame {
    return this;
  }

  async goto(url: string): Promise<void> {
    await this.send("POST", "/url", { url });
    this.currentUrl = url;
  }

  async reload(): Promise<void> {
    await this.send("POST", "/refresh", {});
  }

  async goBack(): Promise<void> {
    await this.send("POST", "/back", {});
  }

  private currentUrl = "";

  /** The page's address as last seen (waitForURL and goto keep it current). */
  url(): string {
    return this.currentUrl;
  }

  async waitForURL(want: string | RegExp, options: { timeout?: number } = {}): Promise<void> {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    const end = Date.now() + timeout;
    for (;;) {
      this.currentUrl = await this.send<string>("GET", "/url");
      if (typeof want === "string" ? this.currentUrl === want : want.test(this.currentUrl)) {
        // And loaded, as Playwright's waitForURL waits for the load event.
        await this.waitForFunction(() => document.readyState === "complete");
        return;
      }
      if (Date.now() > end) throw new Error(`Timeout ${timeout}ms exceeded waiting for ${want}`);
      await sleep(50);
    }
  }

  async waitForTimeout(ms: number): Promise<void> {
    await sleep(ms);
  }

  /**
   * Waits for "download", "filechooser" (as e2e/webkit-browser.py reports
   * them) or "load" (a new document in the page, from the time of the
   * call).
   */
  async waitForEvent(event: string, options: { timeout?: number } = {}): Promise<unknown> {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    const session = this.owner.session;
    if (event === "download") {
      const d = await session.report((r) => r.download, timeout);
      return { suggestedFilename: () => d.filename, path: () => Promise.resolve(d.path) };
    }
    if (event === "filechooser") {
      // WebKit's automation answers a file chooser itself (with no files):
      // the file input the page clicks is marked, and given the files as
      // WebDriver gives them, to an input element.
      await this.evaluate(() =>
        document.addEventListener(
          "click",
          function mark(e) {
            const input = e.target as HTMLInputElement;
            if (input.type !== "file") return;
            input.setAttribute("data-overbox-chooser", "");
            document.removeEventListener("click", mark, { capture: true });
          },
          { capture: true },
        ),
      );
      const chosen = this.locator("input[data-overbox-chooser]");
      await chosen.waitFor({ state: "attached", timeout });
      return {
        setFiles: async (files: FilePayload | FilePayload[]) => {
          await chosen.setInputFiles(files);
          await this.evaluate(() =>
            document
              .querySelector("[data-overbox-chooser]")!
              .removeAttribute("data-overbox-chooser"),
          );
        },
      };
    }
    if (event === "load") {
      // This document is marked; a loaded document without the mark is the next one.
      await this.evaluate(() => ((window as unknown as { overboxOld: boolean }).overboxOld = true));
      await this.waitForFunction(
        () =>
          !(window as unknown as { overboxOld?: boolean }).overboxOld &&
          document.readyState === "complete",
        undefined,
        { timeout },
      );
      return undefined;
    }
    throw new Error(`WebKit pages have no event ${event} here`);
  }

  async addInitScript(script: ((arg?: unknown) => unknown) | string, arg?: unknown) {
    await this.owner.addInitScript(script, arg);
  }

  /** Adds a script element, by URL or inline, and waits for it to load. */
  async addScriptTag(options: { url?: string; content?: string; type?: string }): Promise<void> {
    await this.evaluate(
      (o: { url?: string; content?: string; type?: string }) =>
        new Promise<void>((resolve, reject) => {
          const s = document.createElement("script");
          if (o.type) s.type = o.type;
          if (o.url) {
            s.src = o.url;
            s.onload = () => resolve();
            s.onerror = () => reject(new Error(`could not load ${o.url}`));
          } else {
            s.textContent = o.content ?? "";
          }
          document.head.append(s);
          if (!o.url) resolve();
        }),
      options,
    );
  }

  /** The window's inner size set (WebDriver sets the outer: adjusted by the difference). */
  async setViewportSize(size: Viewport): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const inner = await this.evaluate(() => ({ width: innerWidth, height: innerHeight }));
      if (inner.width === size.width && inner.height === size.height) return;
      const outer = await this.send<{ width: number; height: number }>("GET", "/window/rect");
      await this.send("POST", "/window/rect", {
        width: outer.width + size.width - inner.width,
        height: outer.height + size.height - inner.height,
      });
    }
  }

  async screenshot(options: { path?: string } = {}): Promise<Buffer> {
    const png = Buffer.from(await this.send<string>("GET", "/screenshot"), "base64");
    if (options.path) writeFileSync(options.path, png);
    return png;
  }

  readonly keyboard = {
    type: async (text: string) => {
      const actions = [...text].flatMap((c) => {
        const value = c === "\n" ? KEYS.Enter! : c;
        return [
          { type: "keyDown", value },
          { type: "keyUp", value },
        ];
      });
      await this.actions({ type: "key", id: "keyboard", actions });
    },
    /** A key or chord ("Control+Shift+C"): each down in turn, then up in reverse. */
    press: async (chord: string) => {
      const keys = chord.split(/\+(?!$)/).map(key);
      await this.actions({
        type: "key",
        id: "keyboard",
        actions: [
          ...keys.map((value) => ({ type: "keyDown", value })),
          ...keys.reverse().map((value) => ({ type: "keyUp", value })),
        ],
      });
    },
  };

  readonly mouse = {
    move: async (x: number, y: number) => {
      await this.actions(pointer([{ type: "pointerMove", x: Math.round(x), y: Math.round(y) }]));
    },
    click: async (x: number, y: number) => {
      await this.actions(
        pointer([
          { type: "pointerMove", x: Math.round(x), y: Math.round(y) },
          { type: "pointerDown", button: 0 },
          { type: "pointerUp", button: 0 },
        ]),
      );
    },
  };

  private async actions(source: Record<string, unknown>): Promise<void> {
    await this.send("POST", "/actions", { actions: [source] });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The last window closed would end the session: another is opened first, kept spare.
    if (this.owner.pages().length === 1 && this.owner.spare === null) {
      this.owner.spare = (
        await this.owner.session.command<{ handle: string }>("POST", "/window/new", {})
      ).handle;
    }
    await this.send("DELETE", "/window").catch(() => undefined);
    this.owner.session.forgetWindow();
    this.owner.forget(this);
  }
}

function pointer(actions: Array<Record<string, unknown>>) {
  return { type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions };
}

// ---------------------------------------------------------------- processes

/** The session of process `pid` (0 when it is gone). */
function sessionOf(pid: number): number {
  try {
    // /proc/PID/stat: pid (comm) state ppid pgrp session ...
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /, "")
      .split(" ");
    return Number(fields[3]);
  } catch {
    return 0;
  }
}

/** Every process of the sessions `sessions`. */
function processesOf(sessions: Set<number>): number[] {
  return execFileSync("ps", ["-eo", "pid=,sid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number])
    .filter(([, sid]) => sessions.has(sid))
    .map(([pid]) => pid);
}

/** The processes under `pid`, children first. */
function descendants(pid: number): number[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((row) => row.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [child, of] of rows) {
      if (of === parent) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** Whether process `pid` runs (a zombie, which nothing may reap here, does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ended with ${code}`)),
    );
  });
}

async function until(check: () => Promise<boolean>, timeout: number): Promise<void> {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not so after ${timeout} ms`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
