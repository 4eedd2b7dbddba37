// The workspace's Insights section in a real browser against a real server holding 300 runs written
// through the ingest API: a parallel-coordinates panel (brushing an axis narrows the panel's
// selection and the runs table to exactly the runs the fixture says, flip and log toggles, clearing
// the brush) and a scatter panel (300 points, hovering a known point names its run, a click opens it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { postJson } from "./helpers.js";
import { byTestId, num, rowCountText, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import { parseBrushes } from "../packages/web/src/insights/url.js";

const ENTITY = "acme";
const PROJECT = "plots";
const N = 300;
const T0 = Date.UTC(2026, 1, 2, 8, 0, 0);
const OPTIMIZERS = ["adam", "sgd", "rmsprop"];
const BATCHES = [16, 32, 64, 128, 256];

interface PlotRun { id: string; name: string; lr: number; batch: number; optimizer: string; acc: number }

/** Run i: val/acc is a permutation of 0.5 + 0.45 k / 299 (37 and 300 are coprime), lr spread over 1e-4..1e-1. */
const RUNS: PlotRun[] = Array.from({ length: N }, (_, i) => ({
  id: `p${String(i).padStart(3, "0")}`,
  name: `trial-${i}`,
  lr: Number((10 ** (-4 + 3 * ((i * 0.6180339887) % 1))).toPrecision(6)),
  batch: BATCHES[i % BATCHES.length]!,
  optimizer: OPTIMIZERS[i % OPTIMIZERS.length]!,
  acc: Number((0.5 + (0.45 * ((i * 37) % N)) / (N - 1)).toFixed(6)),
}));

let d: Dashboard;
/** Polls with room for a busy 2-core machine (expect.poll's default is one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const WS = `/p/${ENTITY}/${PROJECT}`;

beforeAll(async () => {
  d = await startDashboard();
  for (let from = 0; from < N; from += 25) {
    await Promise.all(RUNS.slice(from, from + 25).map(async (r, k) => {
      const ts = T0 + (from + k) * 60_000;
      const res = await postJson(d.url, `/api/v1/projects/${ENTITY}/${PROJECT}/runs/${r.id}/records`, {
        records: [
          { seq: 1, ts, type: "run", name: r.name, config: { lr: r.lr, batch_size: r.batch, optimizer: r.optimizer } },
          { seq: 2, ts: ts + 1000, type: "history", step: 0, values: { "val/acc": r.acc } },
          { seq: 3, ts: ts + 2000, type: "summary", values: { "val/acc": r.acc } },
          { seq: 4, ts: ts + 3000, type: "finish", exitCode: 0 },
        ],
      });
      if (res.status !== 200) throw new Error(`ingest ${r.id}: ${res.status} ${JSON.stringify(res.body)}`);
    }));
  }
}, 120_000);
afterAll(async () => { await d?.close(); });

async function openWorkspace(query = ""): Promise<Page> {
  const page = await d.context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${d.url}${WS}${query}`);
  await page.locator(byTestId("run-row")).first().waitFor();
  await poll(() => rowCountText(page)).toBe(`${N} runs`);
  return page;
}

async function addPanel(page: Page, kind: "parcoords" | "scatter"): Promise<void> {
  await page.getByTestId("insights-add").selectOption(kind);
  await page.locator(byTestId("insight-panel", `[data-kind="${kind}"]`)).waitFor();
}

const axesOf = async (page: Page) => (await page.getByTestId("parcoords").getAttribute("data-axes")) ?? "";

/** Waits until the parallel-coordinates panel has drawn its lines. */
async function parcoordsReady(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="parcoords"]');
    return !!el && el.getAttribute("data-loading") === "false" && Number(el.getAttribute("data-runs")) > 0;
  });
}

describe("parallel coordinates in the workspace", () => {
  it("brushing val/acc narrows the plot's selection and the runs table to the same runs, and clearing restores them", async () => {
    const page = await openWorkspace();
    await addPanel(page, "parcoords");
    // A new panel starts on the config keys and the metric; keep lr, batch_size and val/acc, in that order.
    await poll(() => axesOf(page)).toContain("summary.val/acc");
    for (const key of (await axesOf(page)).split(",")) {
      if (!["config.lr", "config.batch_size", "summary.val/acc"].includes(key)) await page.locator(byTestId("parcoords-remove-axis", `[data-key="${key}"]`)).click();
    }
    for (let i = 0; i < 3 && !(await axesOf(page)).startsWith("config.lr,"); i++) {
      await page.locator(byTestId("parcoords-move-left", '[data-key="config.lr"]')).click();
    }
    await poll(() => axesOf(page)).toBe("config.lr,config.batch_size,summary.val/acc");
    await parcoordsReady(page);
    const plot = page.getByTestId("parcoords");
    expect(await num(plot, "data-runs")).toBe(N);
    expect(await num(plot, "data-selected")).toBe(N);
    expect(new URL(page.url()).searchParams.get("ins")).toMatch(/^pc:/);

    // Drag along the val/acc axis from its top down to 40% of its height: val/acc above about 0.77.
    const axis = page.locator(byTestId("parcoords-axis", '[data-key="summary.val/acc"]'));
    const box = (await axis.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.4, { steps: 4 });
    await page.mouse.up();
    await poll(() => new URL(page.url()).searchParams.get("brush")).toBeTruthy();
    const [brush] = parseBrushes(new URL(page.url()).searchParams.get("brush"));
    expect(brush?.key).toBe("summary.val/acc");
    if (brush?.kind !== "range") throw new Error("expected a range brush");
    const expected = RUNS.filter((r) => r.acc >= brush.lo && r.acc <= brush.hi).length;
    expect(expected).toBeGreaterThan(80);
    expect(expected).toBeLessThan(160);
    expect(brush.hi).toBeGreaterThanOrEqual(Math.max(...RUNS.map((r) => r.acc)));
    await poll(() => num(plot, "data-selected")).toBe(expected);
    await poll(() => rowCountText(page)).toBe(`${expected} runs`);
    await poll(() => page.locator(byTestId("brush-chip", '[data-key="summary.val/acc"]')).count()).toBe(1);
    expect(await num(plot, "data-runs")).toBe(N);

    // Flip and log change the axes' state (and keep the brush, which lives in data space).
    await page.locator(byTestId("parcoords-flip", '[data-key="summary.val/acc"]')).click();
    await poll(() => axesOf(page)).toBe("config.lr,config.batch_size,summary.val/acc:flip");
    await page.locator(byTestId("parcoords-log", '[data-key="config.lr"]')).click();
    await poll(() => axesOf(page)).toBe("config.lr:log,config.batch_size,summary.val/acc:flip");
    expect(await axis.getAttribute("data-flip")).toBe("true");
    expect(await page.locator(byTestId("parcoords-axis", '[data-key="config.lr"]')).getAttribute("data-log")).toBe("true");
    await poll(() => num(plot, "data-selected")).toBe(expected);
    await page.getByTestId("insights-section").evaluate((el) => el.scrollIntoView({ block: "start" }));
    await screenshot(page, "parallel-coordinates.png");

    // A reload keeps panels, axes and the brush (all in the URL).
    await page.reload();
    await parcoordsReady(page);
    await poll(() => axesOf(page)).toBe("config.lr:log,config.batch_size,summary.val/acc:flip");
    await poll(() => num(page.getByTestId("parcoords"), "data-selected")).toBe(expected);
    await poll(() => rowCountText(page)).toBe(`${expected} runs`);

    // Clearing the brush brings every run back.
    await page.locator(byTestId("brush-clear", '[data-key="summary.val/acc"]')).click();
    await poll(() => num(page.getByTestId("parcoords"), "data-selected")).toBe(N);
    await poll(() => rowCountText(page)).toBe(`${N} runs`);
    expect(await page.locator(byTestId("brush-chip")).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("brush")).toBeNull();

    // Removing the panel empties the section and the URL.
    await page.getByTestId("insight-remove").click();
    await poll(() => page.locator(byTestId("insight-panel")).count()).toBe(0);
    expect(new URL(page.url()).searchParams.get("ins")).toBeNull();
    await page.close();
  });

  it("a brush from a link narrows the runs table before any panel is open", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}?brush=${encodeURIComponent("config.optimizer=\"adam\"~config.batch_size:16:32")}`);
    const expected = RUNS.filter((r) => r.optimizer === "adam" && r.batch >= 16 && r.batch <= 32).length;
    await poll(() => rowCountText(page)).toBe(`${expected} runs`);
    expect(await page.locator(byTestId("brush-chip")).count()).toBe(2);
    await page.close();
  });
});

describe("scatter in the workspace", () => {
  it("draws every run, names the run under the pointer, and opens it on click", async () => {
    const page = await openWorkspace();
    await addPanel(page, "scatter");
    await page.getByTestId("scatter-x").selectOption("config.lr");
    await page.getByTestId("scatter-y").selectOption("summary.val/acc");
    await page.getByTestId("scatter-color").selectOption("config.batch_size");
    const sc = page.getByTestId("scatter");
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="scatter"]');
      return !!el && el.getAttribute("data-loading") === "false" && Number(el.getAttribute("data-points")) > 0;
    });
    await poll(() => num(sc, "data-points")).toBe(N);
    expect(new URL(page.url()).searchParams.get("ins")).toBe("sc:config.lr,summary.val/acc,config.batch_size");

    // Where each run's point is, from the plot box and the axes' domains the panel reports.
    const [left, top, w, h] = ((await sc.getAttribute("data-plot")) ?? "").split(",").map(Number) as [number, number, number, number];
    const [x0, x1] = ((await sc.getAttribute("data-x-domain")) ?? "").split(",").map(Number) as [number, number];
    const [y0, y1] = ((await sc.getAttribute("data-y-domain")) ?? "").split(",").map(Number) as [number, number];
    const at = (r: PlotRun) => ({ x: left + ((r.lr - x0) / (x1 - x0)) * w, y: top + (1 - (r.acc - y0) / (y1 - y0)) * h });
    // A run whose point has no neighbour within 12 px, so the hover cannot pick another.
    const lonely = RUNS.find((r) => {
      const p = at(r);
      return RUNS.every((o) => o === r || Math.hypot(at(o).x - p.x, at(o).y - p.y) > 12);
    })!;
    expect(lonely).toBeDefined();
    await page.getByTestId("insights-section").evaluate((el) => el.scrollIntoView({ block: "start" }));
    const canvas = (await sc.locator("canvas").boundingBox())!;
    const p = at(lonely);
    await page.mouse.move(canvas.x + p.x + 1, canvas.y + p.y - 1);
    const tip = page.getByTestId("scatter-tooltip");
    await poll(() => tip.getAttribute("data-run-id")).toBe(lonely.id);
    expect(await tip.innerText()).toContain(lonely.name);
    await screenshot(page, "scatter.png");

    await page.mouse.click(canvas.x + p.x + 1, canvas.y + p.y - 1);
    await poll(() => new URL(page.url()).pathname).toBe(`${WS}/runs/${lonely.id}`);
    await page.getByTestId("run-overview").waitFor();
    await page.close();
  });

  it("a log x axis and a run field (createdAt) both draw every run", async () => {
    const page = await openWorkspace(`?ins=${encodeURIComponent("sc:config.lr:log,createdAt,summary.val/acc")}`);
    const sc = page.getByTestId("scatter");
    await poll(() => num(sc, "data-points")).toBe(N);
    expect(await sc.getAttribute("data-x-scale")).toBe("log");
    expect(await page.getByTestId("scatter-log-x").isChecked()).toBe(true);
    await page.close();
  });
});
