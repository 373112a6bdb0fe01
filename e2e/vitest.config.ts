import { defineConfig } from "vitest/config";

// Browser tests against pages served by vite (started in
// e2e/global-setup.ts), in the browser OVERBOX_BROWSER names (e2e/engines.mjs
// runs each in turn): Playwright drives Chromium and Firefox, our WebDriver
// client WebKit (e2e/browser.ts, e2e/webkit.ts), through every test of e2e/
// and faults/.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts", "faults/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
