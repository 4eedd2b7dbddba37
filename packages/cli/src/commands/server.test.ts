// Where `orrery server` finds the dashboard it serves: the environment's choice first, else the
// built @orrery/web package beside the CLI.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { dashboardDir } from "./server.js";

const REPO = resolve(import.meta.dirname, "../../../..");

describe("dashboardDir", () => {
  it("is the web package's dist folder, from the sources and from the built CLI alike", async () => {
    expect(dashboardDir({})).toBe(join(REPO, "packages/web/dist"));
    const built = join(REPO, "packages/cli/dist/commands/server.js");
    if (existsSync(built)) {
      const mod = (await import(built)) as { dashboardDir: (env: NodeJS.ProcessEnv) => string };
      expect(mod.dashboardDir({})).toBe(join(REPO, "packages/web/dist"));
    }
  });

  it("follows ORRERY_DASHBOARD_DIR when it is set, resolved against the working directory", () => {
    expect(dashboardDir({ ORRERY_DASHBOARD_DIR: "/srv/orrery-web" })).toBe("/srv/orrery-web");
    expect(dashboardDir({ ORRERY_DASHBOARD_DIR: "web-build" })).toBe(resolve("web-build"));
    expect(dashboardDir({ ORRERY_DASHBOARD_DIR: " " })).toBe(join(REPO, "packages/web/dist"));
  });
});
