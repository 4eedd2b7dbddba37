// The dashboard's projects page and workspace in a real browser against a real server holding the
// 24-run fixture project: the runs table (sort, filter, search, columns, grouping), the panel grid
// (sections, smoothing, x axis, zoom, hover) and state kept in the URL across a reload.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { api, postJson } from "./helpers.js";
import {
  allPanelsDrawn, byTestId, panelDrawn, panelSelector, num, rowCountText, rowIds, screenshot, startDashboard, type Dashboard,
} from "./fixtures/dashboard-browser.js";
import { formatNumber } from "../packages/web/src/api/values.js";
import {
  BEST_RUN, ENTITY, PROJECT, RUNS, RUN_COUNT, STEPS, STEP_MS, T0, mean, writeFixtureProject,
} from "./fixtures/dashboard-project.js";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;
const COLS = ["config.optimizer.name", "config.optimizer.lr", "config.batch_size", "summary.val/acc"].join("~");

beforeAll(async () => {
  d = await startDashboard();
  await writeFixtureProject(d.url);
  // A second project, so the projects page has something to narrow.
  await postJson(d.url, "/api/v1/projects/acme/audio/runs/a1/records", {
    records: [{ seq: 1, ts: T0, type: "run", name: "wav-1" }, { seq: 2, ts: T0, type: "finish", exitCode: 0 }],
  });
}, 120_000);
afterAll(async () => { await d?.close(); });

async function open(path: string): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(d.url + path);
  return page;
}

async function openWorkspace(query = `?cols=${COLS}`): Promise<Page> {
  const page = await open(WS + query);
  await page.locator(byTestId("run-row")).first().waitFor();
  return page;
}

const cellText = (page: Page, runId: string, col: string) =>
  page.locator(byTestId("run-row", `[data-run-id="${runId}"] [data-col="${col}"]`)).innerText();

describe("the projects page", () => {
  it("lists each project with its run count, and the search box narrows the list", async () => {
    const page = await open("/");
    const vision = page.locator(byTestId("project-row", `[data-project="${ENTITY}/${PROJECT}"]`));
    await vision.waitFor();
    expect((await vision.getByTestId("run-count").innerText()).trim()).toMatch(new RegExp(`^${RUN_COUNT}\\b`));
    await expect.poll(() => page.locator(byTestId("project-row")).count()).toBe(2);
    await page.getByTestId("project-search").fill("visi");
    await expect.poll(() => page.locator(byTestId("project-row")).evaluateAll((els) => els.map((e) => e.getAttribute("data-project"))))
      .toEqual([`${ENTITY}/${PROJECT}`]);
    await page.close();
  });
});

describe("the runs table", () => {
  it("shows all 24 runs of the project with config and summary columns", async () => {
    const page = await openWorkspace("");
    await expect.poll(() => rowCountText(page)).toBe(`${RUN_COUNT} runs`);
    const cols = await page.locator(byTestId("col-header")).evaluateAll((els) => els.map((e) => e.getAttribute("data-col") ?? ""));
    expect(cols).toContain("name");
    expect(cols).toContain("state");
    expect(cols.some((c) => c.startsWith("config."))).toBe(true);
    expect(cols.some((c) => c.startsWith("summary."))).toBe(true);
    await page.close();
  });

  it("sorts by a summary column when its header is clicked, and descending puts the best run first", async () => {
    const page = await openWorkspace();
    const header = page.locator(byTestId("col-header", '[data-col="summary.val/acc"]'));
    await header.click();
    if ((await header.getAttribute("data-sort")) !== "desc") await header.click();
    await expect.poll(() => header.getAttribute("data-sort")).toBe("desc");
    await expect.poll(async () => (await rowIds(page))[0]).toBe(BEST_RUN);
    const best = RUNS.find((r) => r.id === BEST_RUN)!;
    expect(await cellText(page, BEST_RUN, "summary.val/acc")).toBe(formatNumber(best.valAcc));
    expect(page.url()).toContain("sort=");
    await page.close();
  });

  it("filtering by config.optimizer.name = sgd shows exactly the sgd runs", async () => {
    const page = await openWorkspace();
    const filter = page.getByTestId("filter-input");
    await filter.fill("config.optimizer.name = sgd");
    await filter.press("Enter");
    const sgd = RUNS.filter((r) => r.optimizer === "sgd").map((r) => r.id).sort();
    await expect.poll(() => rowCountText(page)).toBe(`${sgd.length} runs`);
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(sgd);
    for (const id of sgd.slice(0, 3)) expect(await cellText(page, id, "config.optimizer.name")).toBe("sgd");
    await page.close();
  });

  it("a bad filter shows the server's message and keeps the rows it had", async () => {
    const page = await openWorkspace();
    await expect.poll(() => rowCountText(page)).toBe(`${RUN_COUNT} runs`);
    const bad = "config.optimizer.name = = sgd";
    const reply = await api<{ error: string; message: string }>(d.url, `/api/v1/projects/${ENTITY}/${PROJECT}/runs?filter=${encodeURIComponent(bad)}`);
    expect(reply.status).toBe(400);
    const filter = page.getByTestId("filter-input");
    await filter.fill(bad);
    await filter.press("Enter");
    const error = page.getByTestId("filter-error");
    await error.waitFor();
    // The message spans lines (a caret under the column); compare it with whitespace collapsed.
    const squash = (t: string) => t.replace(/\s+/g, " ").trim();
    await expect.poll(async () => squash(await error.innerText())).toContain(squash(reply.body.message));
    expect(await rowCountText(page)).toBe(`${RUN_COUNT} runs`);
    expect((await rowIds(page)).length).toBeGreaterThan(0);
    await page.close();
  });

  it("searching by name shows only the runs whose names match", async () => {
    const page = await openWorkspace();
    await page.getByTestId("search-input").fill("falcon");
    const falcons = RUNS.filter((r) => r.name.includes("falcon")).map((r) => r.id).sort();
    expect(falcons).toHaveLength(4);
    await expect.poll(() => rowCountText(page)).toBe(`${falcons.length} runs`);
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(falcons);
    await page.close();
  });

  it("the column chooser adds and removes a config column", async () => {
    const page = await openWorkspace();
    await page.getByTestId("columns-button").click();
    await page.getByTestId("columns-search").fill("encoder.layers");
    const option = page.locator(byTestId("column-option", '[data-col="config.model.encoder.layers"]'));
    const header = page.locator(byTestId("col-header", '[data-col="config.model.encoder.layers"]'));
    expect(await header.count()).toBe(0);
    await option.click();
    await header.waitFor();
    expect(await cellText(page, "r04", "config.model.encoder.layers")).toBe(String(4 + (4 % 3)));
    await option.click();
    await header.waitFor({ state: "detached" });
    await page.close();
  });

  it("grouping by config.optimizer.name shows two groups with their run counts and mean val/acc", async () => {
    const page = await openWorkspace();
    await page.getByTestId("group-by").selectOption("config.optimizer.name");
    await expect.poll(() => rowCountText(page)).toBe("2 groups");
    await expect.poll(() => page.locator(byTestId("group-row")).count()).toBe(2);
    for (const opt of ["adam", "sgd"] as const) {
      const runs = RUNS.filter((r) => r.optimizer === opt);
      const row = page.locator(byTestId("group-row", `[data-group="${opt}"]`));
      expect((await row.getByTestId("group-count").innerText()).trim()).toMatch(new RegExp(`\\b${runs.length}\\b`));
      expect(await row.innerText()).toContain(formatNumber(mean(runs.map((r) => r.valAcc))));
    }
    expect(page.url()).toContain("group=config.optimizer.name");
    await page.close();
  });
});

describe("the panel grid", () => {
  it("has train and val sections whose panels draw one line per charted run", async () => {
    const page = await openWorkspace();
    for (const [prefix, keys] of [["train", ["train/loss", "train/acc"]], ["val", ["val/loss", "val/acc"]]] as const) {
      const section = page.locator(byTestId("panel-section", `[data-prefix="${prefix}"]`));
      await section.waitFor();
      for (const key of keys) await section.locator(panelSelector(key)).waitFor();
    }
    const panel = await panelDrawn(page, "train/loss");
    // The charts draw the table's first chartRuns (10 by default) of the 24 runs.
    const charted = Number(await page.getByTestId("chart-runs").inputValue());
    expect(charted).toBe(10);
    expect(await num(panel, "data-series-count")).toBe(charted);
    expect(await panel.getAttribute("data-x-axis")).toBe("_step");
    expect(await panel.getAttribute("data-smoothed")).toBe("false");
    expect(await panel.getAttribute("data-y-scale")).toBe("linear");
    expect(await num(panel, "data-max-x")).toBe(STEPS - 1);
    expect(await panel.getAttribute("data-zoom")).toBeNull();
    await allPanelsDrawn(page);
    await screenshot(page, "workspace.png");
    await page.close();
  });

  it("smoothing marks the panels smoothed and keeps the raw lines drawn", async () => {
    const page = await openWorkspace();
    const panel = await panelDrawn(page, "train/loss");
    const lines = await num(panel, "data-series-count");
    const points = await num(panel, "data-points");
    await page.getByTestId("smoothing").fill("0.9");
    await expect.poll(() => panel.getAttribute("data-smoothed")).toBe("true");
    await panelDrawn(page, "train/loss");
    // The raw lines stay, faint, under the smoothed ones: data-series-count counts run lines only,
    // data-points counts every line drawn (LineChart.tsx), so the points about double.
    expect(await num(panel, "data-series-count")).toBe(lines);
    expect(await num(panel, "data-points")).toBeGreaterThanOrEqual(Math.floor(1.9 * points));
    expect(await page.locator(panelSelector("val/acc")).getAttribute("data-smoothed")).toBe("true");
    expect(page.url()).toContain("smooth=0.9");
    await page.close();
  });

  it("changing the x axis to _runtime or _timestamp redraws the panels in those units", async () => {
    const page = await openWorkspace();
    const panel = await panelDrawn(page, "train/loss");
    await page.getByTestId("x-axis").selectOption("_runtime");
    await expect.poll(() => panel.getAttribute("data-x-axis")).toBe("_runtime");
    await panelDrawn(page, "train/loss");
    const lastRuntime = ((STEPS - 1) * STEP_MS) / 1000;
    await expect.poll(() => num(panel, "data-max-x")).toBeGreaterThan(lastRuntime - 10);
    expect(await num(panel, "data-max-x")).toBeLessThanOrEqual(lastRuntime + 1);

    await page.getByTestId("x-axis").selectOption("_timestamp");
    await expect.poll(() => panel.getAttribute("data-x-axis")).toBe("_timestamp");
    await panelDrawn(page, "train/loss");
    // Epoch seconds: the newest charted run (r23) started 23 hours after T0.
    const lastTs = (T0 + 23 * 3_600_000 + (STEPS - 1) * STEP_MS) / 1000;
    await expect.poll(() => num(panel, "data-max-x")).toBeGreaterThan(lastTs - 60);
    expect(await num(panel, "data-max-x")).toBeLessThanOrEqual(lastTs + 1);
    expect(page.url()).toContain("x=_timestamp");
    await page.close();
  });

  it("dragging across a chart zooms it to that x range and refetches the range", async () => {
    const page = await openWorkspace();
    const panel = await panelDrawn(page, "train/loss");
    const ranged: string[] = [];
    page.on("request", (req) => {
      const u = new URL(req.url());
      if (u.pathname.endsWith("/history") && u.searchParams.has("min") && u.searchParams.has("max")) ranged.push(req.url());
    });
    const box = (await panel.locator(".u-over").boundingBox())!;
    expect(box.width).toBeGreaterThan(50);
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => panel.getAttribute("data-zoom")).toMatch(/^[-+\d.e]+,[-+\d.e]+$/);
    const [lo, hi] = (await panel.getAttribute("data-zoom"))!.split(",").map(Number);
    expect(lo).toBeGreaterThan(0);
    expect(hi).toBeGreaterThan(lo);
    expect(hi).toBeLessThan(STEPS - 1);
    await expect.poll(() => ranged.length).toBeGreaterThan(0);
    await panelDrawn(page, "train/loss");
    expect(await num(panel, "data-points")).toBeGreaterThan(0);
    // Double-click resets the zoom.
    await page.mouse.dblclick(box.x + box.width / 2, y);
    await expect.poll(() => panel.getAttribute("data-zoom")).toBeNull();
    await page.close();
  });

  it("hovering a chart shows a tooltip with one row per charted run", async () => {
    const page = await openWorkspace();
    const panel = await panelDrawn(page, "train/loss");
    const box = (await panel.locator(".u-over").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.5);
    const tooltip = page.getByTestId("chart-tooltip");
    await tooltip.waitFor();
    const ids = await tooltip.getByTestId("tooltip-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
    expect(ids).toHaveLength(await num(panel, "data-series-count"));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(RUNS.map((r) => r.id)).toContain(id);
    await page.close();
  });
});

describe("workspace state in the URL", () => {
  it("keeps the filter, grouping and smoothing across a reload", async () => {
    const page = await openWorkspace();
    const filter = page.getByTestId("filter-input");
    await filter.fill("config.batch_size >= 128");
    await filter.press("Enter");
    await expect.poll(() => rowCountText(page)).toBe(`${RUNS.filter((r) => r.batchSize >= 128).length} runs`);
    await page.getByTestId("group-by").selectOption("config.optimizer.name");
    await expect.poll(() => rowCountText(page)).toBe("2 groups");
    await page.getByTestId("smoothing").fill("0.6");
    await expect.poll(() => page.url()).toContain("smooth=0.6");

    await page.reload();
    await expect.poll(() => rowCountText(page)).toBe("2 groups");
    expect(await page.getByTestId("filter-input").inputValue()).toBe("config.batch_size >= 128");
    expect(await page.getByTestId("group-by").inputValue()).toBe("config.optimizer.name");
    expect(Number(await page.getByTestId("smoothing").inputValue())).toBeCloseTo(0.6);
    for (const opt of ["adam", "sgd"]) {
      const count = RUNS.filter((r) => r.batchSize >= 128 && r.optimizer === opt).length;
      const row = page.locator(byTestId("group-row", `[data-group="${opt}"]`));
      expect((await row.getByTestId("group-count").innerText()).trim()).toMatch(new RegExp(`\\b${count}\\b`));
    }
    const panel = await panelDrawn(page, "train/loss");
    expect(await panel.getAttribute("data-smoothed")).toBe("true");
    await page.close();
  });
});
