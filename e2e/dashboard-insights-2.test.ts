// The workspace's parameter importance and slices panels, the worst-slice table column, and
// grouping by several keys with min/max and std bands, in a real browser against a real server
// holding the 60-run insights fixture (e2e/fixtures/insights-seed.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { byTestId, panelDrawn, rowCountText, startDashboard, SCREENSHOTS, type Dashboard } from "./fixtures/dashboard-browser.js";
import { ENTITY, INSIGHT_RUNS, PROJECT, RUN_COUNT, SLICES, expectedGroups, writeInsightsProject } from "./fixtures/insights-seed.js";
import { formatValue } from "../packages/web/src/api/values.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;

beforeAll(async () => {
  d = await startDashboard();
  await writeInsightsProject(d.url);
}, 180_000);
afterAll(async () => { await d?.close(); });

async function openWorkspace(params: Record<string, string>): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(`${d.url}${WS}?${new URLSearchParams(params).toString()}`);
  await page.locator(byTestId("row-count")).filter({ hasText: /\d/ }).waitFor();
  return page;
}

/** The charted runs: the table's first n runs, newest (highest index) first. */
const charted = (n: number) => INSIGHT_RUNS.slice().reverse().slice(0, n);

describe("the parameter importance panel", () => {
  it("ranks config.lr first for val/acc and says it used all 60 runs", async () => {
    const page = await openWorkspace({ cols: "config.lr~summary.val/acc", ins: "imp:summary.val/acc" });
    const table = page.getByTestId("importance-table");
    await table.waitFor();
    const keys = await page.locator(byTestId("importance-row")).evaluateAll((els) => els.map((e) => e.getAttribute("data-key")));
    expect(keys[0]).toBe("config.lr");
    expect(keys).toEqual(expect.arrayContaining(["config.lr", "config.optimizer", "config.seed"]));
    const lr = page.locator(byTestId("importance-row", '[data-key="config.lr"]'));
    expect(Number(await lr.getAttribute("data-importance"))).toBeGreaterThan(0.5);
    // val/acc falls as lr grows.
    expect(Number(await lr.getAttribute("data-correlation"))).toBeLessThan(0);
    const note = page.getByTestId("importance-note");
    expect(await note.innerText()).toContain(`${RUN_COUNT} runs`);
    expect(await note.getAttribute("data-runs-used")).toBe(String(RUN_COUNT));
    const panel = page.locator(byTestId("insight-panel"), { has: page.getByTestId("importance-table") });
    await panel.scrollIntoViewIfNeeded();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await panel.screenshot({ path: join(SCREENSHOTS, "importance.png") });
    await page.close();
  });

  it("is honest when the filter leaves too few runs", async () => {
    const page = await openWorkspace({ filter: "config.seed < 1005", ins: "imp:summary.val/acc" });
    const note = page.getByTestId("importance-note");
    await note.waitFor();
    await expect.poll(() => note.getAttribute("data-runs-used")).toBe("5");
    expect(await note.getAttribute("data-enough")).toBe("false");
    expect(await note.innerText()).toMatch(/not enough runs/i);
    await page.close();
  });
});

describe("the slices panel", () => {
  it("draws one bar per slice for each charted run and marks each run's worst slice", async () => {
    const n = 20;
    const page = await openWorkspace({ runs: String(n), ins: "sl:val/acc" });
    const panel = page.locator(byTestId("slice-panel", '[data-prefix="val/acc"]'));
    await panel.waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="slice-panel"]');
      return el && !el.hasAttribute("data-loading") && document.querySelectorAll('[data-testid="slice-bar"]').length > 0;
    });
    expect(await panel.getAttribute("data-end")).toBe("low");
    const runs = charted(n);
    await expect.poll(() => page.locator(byTestId("slice-bar")).count()).toBe(runs.length * SLICES.length);
    for (const r of runs) {
      expect(await page.locator(byTestId("slice-bar", `[data-run-id="${r.id}"]`)).count()).toBe(SLICES.length);
      const worst = page.locator(byTestId("slice-worst", `[data-run-id="${r.id}"]`));
      expect(await worst.getAttribute("data-slice")).toBe(r.worst);
    }
    const snow = page.locator(byTestId("slice-bar", `[data-run-id="${runs[0]!.id}"][data-slice="snow"]`));
    expect(Number(await snow.getAttribute("data-value"))).toBeCloseTo(runs[0]!.slices.snow, 12);
    expect(await page.getByTestId("slice-summary").innerText()).toContain(`snow is the worst slice for ${runs.filter((r) => r.worst === "snow").length} of ${n} runs`);
    await panel.scrollIntoViewIfNeeded();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator(byTestId("insight-panel"), { has: panel }).screenshot({ path: join(SCREENSHOTS, "slices.png") });

    // Flipping the direction makes the highest slice the worst: pedestrian for every run.
    await page.getByTestId("slice-direction").selectOption("high");
    await expect.poll(() => panel.getAttribute("data-end")).toBe("high");
    const flipped = await page.locator(byTestId("slice-worst")).evaluateAll((els) => els.map((e) => e.getAttribute("data-slice")));
    expect(new Set(flipped)).toEqual(new Set(["pedestrian"]));
    expect(new URL(page.url()).searchParams.get("ins")).toContain("high");
    await page.close();
  });

  it("offers a worst-slice column in the runs table that names each run's worst slice", async () => {
    const page = await openWorkspace({ cols: "config.lr" });
    await page.getByTestId("columns-button").click();
    const option = page.locator(byTestId("column-option", '[data-col="slice.worst:val/acc"]'));
    await option.check();
    await page.keyboard.press("Escape");
    const header = page.locator(byTestId("col-header", '[data-col="slice.worst:val/acc"]'));
    await header.waitFor();
    expect(await header.getAttribute("title")).toMatch(/sorting by it is not available/);
    for (const id of ["i59", "i57"]) {
      const r = INSIGHT_RUNS.find((x) => x.id === id)!;
      const cell = page.locator(byTestId("run-row", `[data-run-id="${id}"] [data-col="slice.worst:val/acc"]`));
      await expect.poll(() => cell.innerText()).toBe(`${r.worst} ${formatValue(r.slices[r.worst])}`);
    }
    // Clicking the header does not sort (the server cannot).
    await header.click();
    expect(new URL(page.url()).searchParams.get("sort")).toBeNull();
    await page.close();
  });
});

describe("grouping by several keys", () => {
  it("groups by optimizer then lr, with each group's count and mean, and keeps both keys in the URL", async () => {
    const page = await openWorkspace({ cols: "summary.val/acc~config.lr" });
    await page.getByTestId("group-by").selectOption("config.optimizer");
    await page.getByTestId("group-by-add").selectOption("config.lr");
    const groups = expectedGroups();
    await expect.poll(() => rowCountText(page)).toBe(`${groups.length} groups`);
    expect(new URL(page.url()).searchParams.get("group")).toBe("config.optimizer~config.lr");
    for (const g of groups) {
      const row = page.locator(byTestId("group-row", `[data-group="${g.optimizer} · ${formatValue(g.lr)}"]`));
      expect((await row.getByTestId("group-count").innerText()).trim()).toBe(String(g.count));
      // The group's mean of val/acc (shown rounded; the server sums in its own order).
      expect(Number((await row.locator('[data-col="summary.val/acc"]').innerText()).trim())).toBeCloseTo(g.meanAcc, 4);
    }
    // Expanding a group lists exactly its runs.
    const first = groups[0]!;
    await page.locator(byTestId("group-row", `[data-group="${first.optimizer} · ${formatValue(first.lr)}"]`)).click();
    const want = INSIGHT_RUNS.filter((r) => r.optimizer === first.optimizer && r.lr === first.lr).map((r) => r.id).sort();
    await expect.poll(async () => (await page.locator(byTestId("run-row")).evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")))).sort())
      .toEqual(want);
    await page.close();
  });

  it("draws a mean ± one standard deviation band when std is chosen, narrower than min/max", async () => {
    const page = await openWorkspace({ group: "config.optimizer~config.lr", runs: String(RUN_COUNT) });
    await panelDrawn(page, "train/loss");
    const cell = page.locator(".panel-cell", { has: page.locator(byTestId("panel", '[data-key="train/loss"]')) });
    expect(await cell.getAttribute("data-band")).toBe("minmax");
    // One line per group.
    expect(await page.locator(byTestId("panel", '[data-key="train/loss"]')).getAttribute("data-series-count")).toBe(String(expectedGroups().length));
    const minmax = Number(await cell.getAttribute("data-band-span"));
    expect(minmax).toBeGreaterThan(0);
    await page.getByTestId("band-select").selectOption("std");
    await expect.poll(() => cell.getAttribute("data-band")).toBe("std");
    const std = Number(await cell.getAttribute("data-band-span"));
    expect(std).toBeGreaterThan(0);
    expect(std).toBeLessThan(minmax);
    expect(new URL(page.url()).searchParams.get("band")).toBe("std");
    await page.close();
  });
});
