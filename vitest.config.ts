import { defineConfig } from "vitest/config";

// One suite for the whole repository. Tests that start servers and child processes use real
// ports and files, so they get generous timeouts; the machine has 2 cores, hence 2 workers.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
