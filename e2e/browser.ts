import { spawn } from "node:child_process";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

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
