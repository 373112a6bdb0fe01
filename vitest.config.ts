import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "core/**/*.test.ts",
      "browser/**/*.test.ts",
      "node/**/*.test.ts",
      "rootfs/**/*.test.ts",
      "src/**/*.test.ts",
      "scripts/**/*.test.ts",
      "cli/**/*.test.ts",
      "bench/**/*.test.ts",
      "faults/**/*.test.ts",
    ],
    // A bigger stack for the engine than its default 984 KiB (below the
    // main thread's 8 MiB): Python's recursion through C takes tens of KiB
    // of it a level (rootfs/python/README.md).
    execArgv: ["--stack-size=7000"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
