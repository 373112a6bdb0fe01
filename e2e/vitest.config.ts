import { defineConfig } from "vitest/config";

// Browser tests against pages served by vite (started in
// e2e/global-setup.ts), in the engine OVERBOX_BROWSER names (e2e/engines.mjs
// runs every engine): Playwright drives Chromium and Firefox through every
// test of e2e/ and faults/ (e2e/browser.ts); WebKit runs its own file,
// through WebDriver (e2e/webkit.ts, e2e/webkit.e2e.ts).
const webkit = process.env.OVERBOX_BROWSER === "webkit";

export default defineConfig({
  test: {
    include: webkit ? ["e2e/webkit.e2e.ts"] : ["e2e/**/*.e2e.ts", "faults/**/*.e2e.ts"],
    exclude: webkit ? [] : ["e2e/webkit.e2e.ts", "**/node_modules/**"],
    globalSetup: ["e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
