// The plain page at `/` in a real browser: it lists the projects and runs the API holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { postJson, tempDir, testServer } from "./helpers.js";
import { launchBrowser } from "./browser.js";
import type { RunningServer } from "@orrery/server";

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let browser: Browser;

beforeAll(async () => {
  data = tempDir();
  server = await testServer(data.path);
  browser = await launchBrowser();
  const ts = Date.now();
  for (const [id, acc] of [["r1", 0.81], ["r2", 0.93]] as const) {
    await postJson(server.url, `/api/v1/projects/demo/page/runs/${id}/records`, {
      records: [
        { seq: 1, type: "run", ts, name: `run-${id}`, tags: ["t"] },
        { seq: 2, type: "history", ts, step: 0, values: { "val/acc": acc } },
        { seq: 3, type: "finish", ts, exitCode: 0 },
      ],
    });
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  data?.cleanup();
});

describe("the plain page", () => {
  it("lists every project with its runs, states and summary metrics", async () => {
    const page = await browser.newPage();
    await page.goto(server.url + "/");
    await page.waitForSelector("section.project tr.run");
    expect(await page.locator("section.project h2").first().innerText()).toContain("demo/page");
    const rows = await page.locator("tr.run").allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows.join("\n")).toMatch(/run-r1.*finished.*0\.8100/);
    expect(rows.join("\n")).toMatch(/run-r2.*finished.*0\.9300/);
    await page.close();
  });
});
