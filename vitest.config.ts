import { defineConfig } from "vitest/config";
import { bulkheadSubset } from "./compiler/vitest-plugin.ts";

export default defineConfig({
  plugins: [bulkheadSubset()],
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: "build/test-results.json" },
  },
});
