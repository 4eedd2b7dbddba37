// Histograms and table values in a real browser against a real server: histogram records ingested
// over HTTP are drawn as heatmaps (one column per step) on the run page and in the workspace's
// histograms section, hover names the cell, and a table value in the summary is an HTML table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { postJson } from "./helpers.js";
import { byTestId, panelDrawn, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";

const ENTITY = "ada";
const PROJECT = "watch";
const WS = `/p/${ENTITY}/${PROJECT}`;
const T0 = Date.UTC(2026, 0, 1);
const STEPS = 60;
const KEYS = ["gradients/conv1.weight", "gradients/fc.weight", "parameters/fc.weight"];
const CONFUSION = { _type: "table", columns: ["actual", "pred 0", "pred 1"], data: [["0", 48, 2], ["1", 3, 47]] };

let d: Dashboard;

/** A bell-shaped histogram whose spread shrinks as training goes on, as gradients do. */
function bell(step: number, scale: number) {
  const sd = scale / (1 + step / 10);
  const bins = Array.from({ length: 65 }, (_, i) => -4 * sd + (8 * sd * i) / 64);
  const counts = Array.from({ length: 64 }, (_, i) => {
    const z = (bins[i]! + bins[i + 1]!) / 2 / sd;
    return Math.round(1000 * Math.exp(-z * z / 2));
  });
  return { bins, counts };
}

async function ingest(runId: string, name: string, histograms: boolean, finish: boolean): Promise<void> {
  const records: Record<string, unknown>[] = [{ type: "run", name }];
  for (let step = 0; step < STEPS; step++) {
    records.push({ type: "history", step, values: { "train/loss": 2 / (1 + step) } });
    if (histograms) {
      records.push({ type: "histogram", step, values: Object.fromEntries(KEYS.map((k, i) => [k, bell(step, 1 + i)])) });
    }
  }
  if (histograms) records.push({ type: "summary", values: { confusion_matrix: CONFUSION, accuracy: 0.95 } });
  if (finish) records.push({ type: "finish", exitCode: 0 });
  const res = await postJson(d.url, `/api/v1/projects/${ENTITY}/${PROJECT}/runs/${runId}/records`, {
    records: records.map((r, i) => ({ seq: i + 1, ts: T0 + i * 100, ...r })),
  });
  expect(res.status).toBe(200);
  expect((res.body as { rejected: unknown[] }).rejected).toEqual([]);
}

beforeAll(async () => {
  d = await startDashboard();
  // The run without histograms is the newer one, so it is first in the workspace.
  await ingest("watched", "cnn-watched", true, true);
  await ingest("plain", "mlp-plain", false, true);
}, 120_000);
afterAll(async () => { await d?.close(); });

const histogramPanel = (key: string) => byTestId("histogram-panel", `[data-key="${key}"]`);

/** Waits until the histogram panel for `key` (inside `scope`) has drawn, and returns its column count. */
async function drawnSteps(page: Page, key: string, scope: string): Promise<number> {
  const sel = `${scope} ${histogramPanel(key)}`;
  await page.waitForFunction((s) => {
    const el = document.querySelector(s);
    return el !== null && el.getAttribute("data-steps") !== null && el.getAttribute("data-loading") === null;
  }, sel);
  return Number(await page.locator(sel).getAttribute("data-steps"));
}

describe("histograms in the dashboard", () => {
  it("the run page draws one heatmap per histogram key, one column per logged step, and hover names the cell", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}/runs/watched`);
    const section = page.getByTestId("histogram-section");
    await section.waitFor();
    await expect.poll(() => section.getByTestId("histogram-panel").evaluateAll((els) => els.map((e) => e.getAttribute("data-key"))))
      .toEqual(KEYS);
    for (const key of KEYS) expect(await drawnSteps(page, key, byTestId("histogram-section"))).toBe(STEPS);

    const canvas = page.locator(`${histogramPanel(KEYS[0]!)} canvas`);
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    // The middle of the plot: the peak of a bell at a middle step.
    await page.mouse.move(box.x + 56 + (box.width - 62) / 2, box.y + 8 + (box.height - 28) / 2);
    const tip = page.getByTestId("histogram-tooltip");
    await tip.waitFor();
    expect(await tip.innerText()).toMatch(/step \d+[\s\S]*to[\s\S]*count \d/);

    // The confusion matrix in the summary is a table.
    const table = page.locator(`${byTestId("summary-table")} ${byTestId("table-value")}`);
    await table.waitFor();
    expect(await table.getAttribute("data-rows")).toBe("2");
    expect(await table.locator("th").allInnerTexts()).toEqual(["actual", "pred 0", "pred 1"]);
    expect(await table.locator("tbody tr").first().locator("td").allInnerTexts()).toEqual(["0", "48", "2"]);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, "run-histograms.png");
    await page.close();
  });

  it("a run without histograms has no histogram section on its run page", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}/runs/plain`);
    await panelDrawn(page, "train/loss");
    expect(await page.getByTestId("histogram-section").count()).toBe(0);
    await page.close();
  });

  it("the workspace shows a histograms section for a charted run that logged some, and collapses it", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}`);
    await page.locator(byTestId("run-row")).first().waitFor();
    const section = page.getByTestId("histograms-section");
    await section.waitFor();
    // Only the run with histograms is offered, although the other run is charted first.
    expect(await section.getByTestId("histogram-run").locator("option").allInnerTexts()).toEqual(["cnn-watched"]);
    expect(await section.getAttribute("data-run-id")).toBe("watched");
    expect(await drawnSteps(page, KEYS[1]!, byTestId("histograms-section"))).toBe(STEPS);
    expect(await section.getByTestId("histogram-panel").count()).toBe(KEYS.length);

    await section.getByTestId("histograms-toggle").click();
    await expect.poll(() => section.getByTestId("histogram-panel").count()).toBe(0);
    await expect.poll(() => new URL(page.url()).searchParams.get("collapsed")).toBe(":histograms");
    await page.close();
  });
});
