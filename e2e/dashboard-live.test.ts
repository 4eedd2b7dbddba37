// Live updates in the dashboard: a run logging from this test process every 200 ms shows up in an
// open workspace as running, its summary cell and its chart's x range grow without a reload, and
// its state turns finished when it ends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byTestId, num, panelDrawn, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import { LiveRun, T0 } from "./fixtures/dashboard-project.js";
import { postJson } from "./helpers.js";

let d: Dashboard;
let live: LiveRun | undefined;

beforeAll(async () => {
  d = await startDashboard();
  // A finished neighbour, so the live run is not the only row.
  await postJson(d.url, "/api/v1/projects/acme/live/runs/done/records", {
    records: [
      { seq: 1, ts: T0, type: "run", name: "done-run" },
      { seq: 2, ts: T0, type: "history", step: 0, values: { "train/loss": 1 } },
      { seq: 3, ts: T0 + 1000, type: "finish", exitCode: 0 },
    ],
  });
}, 60_000);
afterAll(async () => {
  await live?.stop();
  await d?.close();
});

describe("live runs", () => {
  it("a running run's row, summary cell and chart update without a reload, and it turns finished when it ends", async () => {
    live = new LiveRun(d.url, "acme", "live", "live1");
    await live.start(5);
    const page = await d.context.newPage();
    await page.goto(`${d.url}/p/acme/live?cols=summary.train/loss`);
    const row = page.locator(byTestId("run-row", '[data-run-id="live1"]'));
    await row.waitFor();
    const state = row.locator('[data-col="state"]');
    const loss = row.locator('[data-col="summary.train/loss"]');
    await expect.poll(async () => (await state.innerText()).trim()).toBe("running");
    const panel = await panelDrawn(page, "train/loss");
    const firstMaxX = await num(panel, "data-max-x");
    const firstLoss = (await loss.innerText()).trim();
    expect(firstLoss).not.toBe("");
    // A marker that a reload would wipe: the updates must arrive in this same document.
    await page.evaluate(() => { (window as unknown as { __noReload: boolean }).__noReload = true; });

    live.every(200);
    await expect.poll(() => num(panel, "data-max-x"), { timeout: 8_000, interval: 200 }).toBeGreaterThan(firstMaxX);
    await expect.poll(async () => (await loss.innerText()).trim(), { timeout: 8_000, interval: 200 }).not.toBe(firstLoss);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    await live.finish();
    await expect.poll(async () => (await state.innerText()).trim(), { timeout: 8_000, interval: 200 }).toBe("finished");
    // The table's summary ends at the last logged step's value.
    const last = 2 / (1 + live.lastStep * 0.1);
    await expect.poll(async () => Number((await loss.innerText()).trim()), { timeout: 5_000, interval: 200 }).toBeCloseTo(last, 3);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.close();
  });
});
