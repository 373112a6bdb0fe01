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
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
