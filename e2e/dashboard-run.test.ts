// The dashboard's run page and compare view in a real browser against the 24-run fixture project:
// overview (state, git, notes), config tree search, console, diff, system metrics, and comparing
// runs picked in the workspace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { api } from "./helpers.js";
import {
  allPanelsDrawn, byTestId, num, panelDrawn, rowIds, screenshot, startDashboard, type Dashboard,
} from "./fixtures/dashboard-browser.js";
import { formatNumber } from "../packages/web/src/api/values.js";
import {
  COMMIT, CONSOLE_LINES, ENTITY, PROJECT, RICH_RUN, RUNS, writeFixtureProject,
} from "./fixtures/dashboard-project.js";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;

beforeAll(async () => {
  d = await startDashboard();
  await writeFixtureProject(d.url);
}, 120_000);
afterAll(async () => { await d?.close(); });

/** The state badge inside the overview (the page header shows one too). */
const overviewState = async (page: Page) => (await page.getByTestId("run-overview").getByTestId("run-state").innerText()).trim();

async function openRun(runId: string): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(`${d.url}${WS}/runs/${runId}`);
  await page.getByTestId("run-overview").waitFor();
  return page;
}

describe("the run page", () => {
  it("shows the run's state, its git commit with the dirty marker, and its summary", async () => {
    const page = await openRun(RICH_RUN);
    await expect.poll(() => overviewState(page)).toBe("finished");
    expect(await page.getByTestId("git-commit").innerText()).toContain(COMMIT.slice(0, 7));
    await page.getByTestId("git-dirty").waitFor();
    const summary = page.getByTestId("summary-table");
    await summary.waitFor();
    const rich = RUNS.find((r) => r.id === RICH_RUN)!;
    await expect.poll(() => summary.innerText()).toContain("val/acc");
    expect(await summary.innerText()).toContain(formatNumber(rich.valAcc));
    await page.getByTestId("system-panels").waitFor();
    await panelDrawn(page, "system.cpu.percent", 15_000, byTestId("system-panels"));
    await allPanelsDrawn(page);
    await screenshot(page, "run-page.png");
    await page.close();

    const failed = await openRun(RUNS[RUNS.length - 1].id);
    await expect.poll(() => overviewState(failed)).toBe("failed");
    expect(await failed.getByTestId("git-dirty").count()).toBe(0);
    await failed.close();
  });

  it("saves edited notes, and a reload shows them", async () => {
    const page = await openRun("r03");
    const notes = "lr too high; rerun with warmup";
    await page.getByTestId("notes-input").fill(notes);
    await page.getByTestId("notes-save").click();
    await expect.poll(async () => (await api<{ notes: string }>(d.url, `/api/v1/projects/${ENTITY}/${PROJECT}/runs/r03`)).body.notes).toBe(notes);
    await page.reload();
    await expect.poll(() => page.getByTestId("notes-input").inputValue()).toBe(notes);
    await page.close();
  });

  it("the config tree search finds a nested key", async () => {
    const page = await openRun(RICH_RUN);
    await page.getByTestId("config-tree").waitFor();
    await page.getByTestId("config-search").fill("activation");
    const entry = page.locator(byTestId("config-entry", '[data-path="model.encoder.activation"]'));
    await entry.waitFor();
    expect(await entry.innerText()).toContain("gelu");
    await expect.poll(() => page.locator(byTestId("config-entry", '[data-path="batch_size"]')).count()).toBe(0);
    await page.close();
  });

  it("shows the run's console lines, and the console search marks the matching line and can narrow to it", async () => {
    const page = await openRun(RICH_RUN);
    const lines = page.getByTestId("console-line");
    await expect.poll(() => lines.count()).toBe(CONSOLE_LINES.length);
    expect(await lines.first().innerText()).toContain(CONSOLE_LINES[0]);
    await page.getByTestId("console-search").fill("epoch 7:");
    const marked = page.locator(`${byTestId("console-line")}:has(mark)`);
    await expect.poll(() => marked.count()).toBe(1);
    expect(await marked.innerText()).toContain(CONSOLE_LINES[7]);
    expect(await marked.locator("mark").innerText()).toBe("epoch 7:");
    // "only matching lines" (console-filter) hides the rest.
    await page.getByTestId("console-filter").check();
    await expect.poll(() => lines.count()).toBe(1);
    expect(await lines.first().innerText()).toContain(CONSOLE_LINES[7]);
    await page.close();
  });

  it("shows the uncommitted diff captured at start", async () => {
    const page = await openRun(RICH_RUN);
    await page.getByTestId("show-diff").click();
    const diff = page.getByTestId("git-diff");
    await diff.waitFor();
    await expect.poll(() => diff.innerText()).toContain("+LR = 0.01  # orrery-dirty-marker");
    expect(await diff.innerText()).toContain("diff --git a/train.py b/train.py");
    await page.close();
  });
});

describe("comparing runs", () => {
  it("the workspace's compare button opens the runs picked in the table", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}`);
    await page.locator(byTestId("run-row")).first().waitFor();
    const ids = (await rowIds(page)).slice(0, 2);
    for (const id of ids) await page.locator(byTestId("run-row", `[data-run-id="${id}"]`)).getByTestId("select-run").check();
    await page.getByTestId("compare-button").click();
    await page.waitForURL(/\/compare\?/);
    const picked = new URL(page.url()).searchParams.get("runs")!.split(",");
    expect(picked.sort()).toEqual([...ids].sort());
    await page.getByTestId("compare-table").waitFor();
    await page.close();
  });

  it("shows only differing config rows by default, all rows with show-all, and overlays both runs in the charts", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}/compare?runs=r01,r02`);
    await page.getByTestId("compare-table").waitFor();
    const rows = page.getByTestId("compare-row");
    const keyed = () => rows.evaluateAll((els) => els.map((e) => [e.getAttribute("data-key"), e.getAttribute("data-differs")]));
    await expect.poll(async () => (await keyed()).map(([k]) => k)).toContain("config.optimizer.name");
    const differing = await keyed();
    // r01 is sgd/0.01/64, r02 adam/0.001/128: those differ; momentum and the encoder's activation do not.
    for (const k of ["config.optimizer.name", "config.optimizer.lr", "config.batch_size", "config.seed"]) {
      expect(differing.map(([key]) => key)).toContain(k);
    }
    expect(differing.every(([, diff]) => diff === "true")).toBe(true);
    expect(differing.map(([k]) => k)).not.toContain("config.model.encoder.activation");
    expect(await page.locator(byTestId("compare-row", '[data-key="config.optimizer.name"]')).innerText()).toMatch(/sgd[\s\S]*adam/);

    const panel = await panelDrawn(page, "train/loss");
    expect(await num(panel, "data-series-count")).toBe(2);
    await allPanelsDrawn(page);
    await screenshot(page, "compare.png");

    await page.getByTestId("show-all").check();
    await expect.poll(async () => (await keyed()).length).toBeGreaterThan(differing.length);
    const all = await keyed();
    expect(all).toContainEqual(["config.model.encoder.activation", "false"]);
    expect(all).toContainEqual(["config.optimizer.momentum", "false"]);
    await page.close();
  });
});
