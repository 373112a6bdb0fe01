import { execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, firefox, type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchWebKitWithProfile, WebKitBrowser, type WebKitContext } from "./webkit.ts";

/**
 * The browsers the suite runs in (README, "Browsers"): Chromium, Firefox,
 * WebKit with its defaults, and WebKit with Safari's storage features on
 * (e2e/webkit.ts), each run named by OVERBOX_BROWSER (e2e/engines.mjs).
 */
export type Run = "chromium" | "firefox" | "webkit" | "webkit-safari";
export const RUNS: readonly Run[] = ["chromium", "firefox", "webkit", "webkit-safari"];

/** The browser of this run of the suite: OVERBOX_BROWSER, Chromium when unset. */
export const RUN: Run = runOf(process.env.OVERBOX_BROWSER);

/** Its engine. */
export type Engine = "chromium" | "firefox" | "webkit";
export const ENGINE: Engine = RUN === "webkit-safari" ? "webkit" : RUN;

/** WebKit's features in this run. */
const WEBKIT_FEATURES = RUN === "webkit-safari" ? "safari" : "defaults";

/**
 * Whether this browser keeps a replica of a container (browser/replica.ts):
 * not WebKit, which gives the page no origin private file system with its
 * defaults, and a worker no sync access handles with Safari's features
 * (the page says so: Sandbox.info.unavailable).
 */
export const REPLICAS = ENGINE !== "webkit";

/** The browser of this run, as test names say it. */
export const BROWSER = {
  chromium: "Chromium",
  firefox: "Firefox",
  webkit: "WebKit",
  "webkit-safari": "WebKit with Safari's storage features",
}[RUN];

function runOf(name: string | undefined): Run {
  if (name === undefined || name === "") return "chromium";
  if ((RUNS as readonly string[]).includes(name)) return name as Run;
  throw new Error(`OVERBOX_BROWSER=${name}: not one of ${RUNS.join(", ")}`);
}

/**
 * Debian's Firefox ESR through playwright-core's WebDriver BiDi support,
 * by way of e2e/firefox-bidi.mjs (which says why).
 */
const FIREFOX = {
  channel: "moz-firefox",
  executablePath: fileURLToPath(new URL("./firefox-bidi.mjs", import.meta.url)),
  headless: true,
} as const;

/**
 * Firefox's preferences for the tests. Its answers to what would be a
 * prompt for a user: a page may read the clipboard (Chromium's contexts
 * are granted it: grantClipboard), and navigator.storage.persist() is
 * allowed (a headless Firefox would wait for ever on its doorhanger). And
 * no content process started ahead of need, so that a page's is the newest
 * (crashTab).
 */
const FIREFOX_PREFS = {
  "dom.ipc.processPrelaunch.enabled": false,
  "dom.events.testing.asyncClipboard": true,
  "dom.storageManager.prompt.testing": true,
  "dom.storageManager.prompt.testing.allow": true,
};

/** Lets pages of `origin` in `context` read and write the clipboard, as a user would allow. */
export async function grantClipboard(context: BrowserContext, origin: string): Promise<void> {
  // Firefox has no such permission to grant: FIREFOX_PREFS lets every page
  // read it; e2e/webkit-browser.py lets WebKit's pages.
  if (ENGINE !== "chromium") return;
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
}

/**
 * The browser of this run (ENGINE), as the project's browser tests need it.
 * `thirdPartyStorage: false`: a cross-site frame gets no storage, as
 * Chromium's contexts give it none already (Firefox partitions it unless
 * told to reject third parties).
 */
export function launchBrowser(options: { thirdPartyStorage?: false } = {}): Promise<Browser> {
  if (ENGINE === "chromium") return launchChromium();
  // WebKit's contexts are browsers of their own, which block third-party storage.
  if (ENGINE === "webkit") return Promise.resolve(asPlaywright(new WebKitBrowser(WEBKIT_FEATURES)));
  const rejectThirdParty = options.thirdPartyStorage === false;
  return firefox.launch({
    ...FIREFOX,
    firefoxUserPrefs: {
      ...FIREFOX_PREFS,
      ...(rejectThirdParty ? { "network.cookie.cookieBehavior": 1 } : {}),
    },
  });
}

/** Firefox ESR with a profile kept in `userDataDir`, whatever engine this run is (the benchmarks'). */
export function launchFirefoxWithProfile(
  userDataDir: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return firefox.launchPersistentContext(userDataDir, {
    ...FIREFOX,
    firefoxUserPrefs: FIREFOX_PREFS,
    ...options,
  });
}

/**
 * The browser of this run with a profile kept in `userDataDir`: closing the
 * context ends the browser, and launching again on the same directory is a
 * browser restart.
 */
export function launchBrowserWithProfile(
  userDataDir: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  if (ENGINE === "webkit") {
    return launchWebKitWithProfile(WEBKIT_FEATURES, userDataDir, options).then(asPlaywright);
  }
  return ENGINE === "firefox"
    ? launchFirefoxWithProfile(userDataDir, options)
    : launchChromiumWithProfile(userDataDir, options);
}

/**
 * `engine` with a profile kept in `userDataDir`, whatever engine this run
 * is (the benchmarks'): WebKit with Safari's storage features, the
 * stand-in for Safari.
 */
export function launchEngineWithProfile(
  engine: Engine,
  userDataDir: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  if (engine === "webkit") {
    return launchWebKitWithProfile("safari", userDataDir, options).then(asPlaywright);
  }
  return engine === "firefox"
    ? launchFirefoxWithProfile(userDataDir, options)
    : launchChromiumWithProfile(userDataDir, options);
}

/**
 * WebKit's objects (e2e/webkit.ts) as the Playwright types the tests are
 * written against: they have the part of the API the tests use, and a
 * method they lack fails its test loudly.
 */
function asPlaywright(o: WebKitBrowser): Browser;
function asPlaywright(o: WebKitContext): BrowserContext;
function asPlaywright(o: WebKitBrowser | WebKitContext): Browser | BrowserContext {
  return o as unknown as Browser | BrowserContext;
}

const EXECUTABLE = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium (apt package chromium), launched as the project's browser tests need it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: EXECUTABLE, headless: true, args: ARGS });
}

/**
 * Debian's Chromium with a profile kept in `userDataDir`: closing the
 * context ends the browser, and launching again on the same directory is a
 * browser restart.
 */
export function launchChromiumWithProfile(
  userDataDir: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ARGS,
    ...options,
  });
}

/**
 * Debian's Chromium on profile `userDataDir`, started as a process group of
 * its own and driven over the DevTools protocol, so that a test can crash
 * it: `crash` sends SIGKILL to every one of its processes at once, as a
 * power cut or the OOM killer would, and resolves when the browser is gone.
 */
export async function spawnChromium(
  userDataDir: string,
): Promise<{ browser: Browser; crash: () => Promise<void> }> {
  const child = spawn(
    EXECUTABLE,
    [...ARGS, `--user-data-dir=${userDataDir}`, "--remote-debugging-port=0", "about:blank"],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    const listen = (d: Buffer) => {
      text += d.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (!found) return;
      // Still read what it writes, or it would block on a full pipe.
      child.stderr.off("data", listen).on("data", () => undefined);
      resolve(found[1]!);
    };
    child.stderr.on("data", listen);
    void exited.then(() => reject(new Error(`chromium ended before it listened: ${text}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  const crash = async () => {
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  };
  return { browser, crash };
}

/**
 * The browser of this run on profile `userDataDir`, which a test can crash:
 * `crash` sends SIGKILL to every one of its processes at once, as a power
 * cut or the OOM killer would, and resolves when they are gone.
 */
export async function spawnBrowser(
  userDataDir: string,
): Promise<{ context: BrowserContext; crash: () => Promise<void> }> {
  if (ENGINE === "chromium") {
    const { browser, crash } = await spawnChromium(userDataDir);
    return { context: browser.contexts()[0]!, crash };
  }
  if (ENGINE === "webkit") {
    const context = await launchWebKitWithProfile(WEBKIT_FEATURES, userDataDir);
    return { context: asPlaywright(context), crash: () => context.crash() };
  }
  const context = await launchBrowserWithProfile(userDataDir);
  // playwright-core starts the browser (our relay, e2e/firefox-bidi.mjs, and
  // Firefox under it) as a process group of its own: the group of the
  // Firefox that runs this profile is the whole browser.
  const group = processGroupOf(`--profile ${userDataDir}`);
  if (group === processGroupOf(`${process.pid}`, "pid")) {
    throw new Error("the browser runs in the test's own process group: it cannot be killed alone");
  }
  const crash = async () => {
    const closed = new Promise<void>((resolve) => context.once("close", () => resolve()));
    process.kill(-group, "SIGKILL");
    await closed;
    while (processGroupAlive(group)) await new Promise((r) => setTimeout(r, 50));
  };
  return { context, crash };
}

/**
 * The process group of the processes whose command line holds `text` (or,
 * with `field` "pid", of process `text`): one, or an error.
 */
function processGroupOf(text: string, field: "args" | "pid" = "args"): number {
  const rows = execFileSync("ps", ["-eo", `pgid=,${field}=`], { encoding: "utf8" })
    .split("\n")
    .filter((row) =>
      field === "pid"
        ? row.trim().split(/\s+/)[1] === text
        : row.includes(text) && !row.includes("ps -eo"),
    );
  const groups = new Set(rows.map((row) => Number(row.trim().split(/\s+/, 1)[0])));
  if (groups.size !== 1) throw new Error(`no one browser runs with ${text}: ${rows.join("; ")}`);
  return [...groups][0]!;
}

function processGroupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Crashes the renderer of `page` (its worker goes with it), leaving the
 * browser up. Chromium: DevTools' Page.crash. Firefox and WebKit have no
 * such command: the nearest equivalent is SIGKILL of the content process
 * that runs the page, the newest one since `before` (contentProcesses(),
 * taken before the page loaded; Firefox's prelaunched processes are off,
 * so a new site gets a new process).
 */
export async function crashTab(page: Page, before: number[]): Promise<void> {
  if (ENGINE === "webkit") {
    // WebKit loads the page in the process its window started with: the
    // one process of its browser, which has this one page.
    const processes = (page.context() as unknown as WebKitContext).session.webProcesses();
    if (processes.length !== 1) throw new Error(`no one web process for the page: ${processes}`);
    process.kill(processes[0]!, "SIGKILL");
    while (contentProcesses().includes(processes[0]!)) await new Promise((r) => setTimeout(r, 50));
    return;
  }
  if (ENGINE === "chromium") {
    const crashed = new Promise<void>((resolve) => page.on("crash", () => resolve()));
    const cdp = await page.context().newCDPSession(page);
    void cdp.send("Page.crash").catch(() => undefined);
    await crashed;
    return;
  }
  const fresh = contentProcesses().filter((pid) => !before.includes(pid));
  if (fresh.length !== 1) throw new Error(`no one content process for the page: ${fresh}`);
  process.kill(fresh[0]!, "SIGKILL");
  // Neither tells the test of the crash: the process going is the sign.
  while (contentProcesses().includes(fresh[0]!)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * The web content processes, by pid: Firefox's (`-contentproc ... tab`),
 * WebKit's (WebKitWebProcess); none in Chromium.
 */
export function contentProcesses(): number[] {
  if (ENGINE === "chromium") return [];
  const content =
    ENGINE === "firefox"
      ? (row: string) => row.includes("-contentproc") && /\stab$/.test(row.trim())
      : (row: string) => row.includes("WebKitWebProcess");
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter(content)
    .map((row) => Number(row.trim().split(/\s+/, 1)[0]));
}

/**
 * Where a test writes screenshot `name`: docs/screenshots/ in Chromium
 * (the README shows those, and they are committed), build/screenshots/
 * RUN/ in another browser (to look at, not committed). The folder is made.
 */
export function screenshotPath(name: string): string {
  const dir = RUN === "chromium" ? "docs/screenshots" : `build/screenshots/${RUN}`;
  mkdirSync(dir, { recursive: true });
  return `${dir}/${name}`;
}
