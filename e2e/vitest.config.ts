import { defineConfig } from "vitest/config";

// Browser tests: Playwright drives the engine OVERBOX_BROWSER names
// (e2e/browser.ts; e2e/engines.mjs runs every engine) against pages served
// by vite (started in e2e/global-setup.ts).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts", "faults/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
