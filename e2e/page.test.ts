// The dashboard at `/` in a real browser, served by the server from the built web app: it lists
// the projects the API holds with their run counts, and a deep link loads the app too (SPA fallback).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson } from "./helpers.js";
import { byTestId, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";

let d: Dashboard;

beforeAll(async () => {
  d = await startDashboard();
  const ts = Date.now();
  for (const [project, ids] of [["page", ["r1", "r2"]], ["other", ["r3"]]] as const) {
    for (const id of ids) {
      await postJson(d.url, `/api/v1/projects/demo/${project}/runs/${id}/records`, {
        records: [
          { seq: 1, ts, type: "run", name: `run-${id}`, tags: ["t"] },
          { seq: 2, ts, type: "history", step: 0, values: { "val/acc": 0.9 } },
          { seq: 3, ts, type: "finish", exitCode: 0 },
        ],
      });
    }
  }
});
afterAll(async () => { await d?.close(); });

describe("the dashboard's front page", () => {
  it("lists every project with its run count", async () => {
    const page = await d.context.newPage();
    await page.goto(d.url + "/");
    await page.locator(byTestId("project-row")).first().waitFor();
    const rows = await page.locator(byTestId("project-row")).evaluateAll((els) =>
      els.map((e) => [e.getAttribute("data-project"), e.querySelector('[data-testid="run-count"]')?.textContent?.trim()]));
    expect(rows.map(([p]) => p).sort()).toEqual(["demo/other", "demo/page"]);
    expect(rows.find(([p]) => p === "demo/page")?.[1]).toMatch(/^2\b/);
    expect(rows.find(([p]) => p === "demo/other")?.[1]).toMatch(/^1\b/);
    await page.close();
  });

  it("serves the app for a deep link to a workspace, and keeps unknown API paths as JSON 404s", async () => {
    const html = await api<string>(d.url, "/p/demo/page?filter=state%20%3D%20finished");
    expect(html.status).toBe(200);
    expect(html.body).toMatch(/<div id="root">/);
    const missing = await api<{ error: string }>(d.url, "/api/v1/nope");
    expect(missing.status).toBe(404);
    expect(typeof missing.body).toBe("object");
  });
});
