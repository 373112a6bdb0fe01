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
