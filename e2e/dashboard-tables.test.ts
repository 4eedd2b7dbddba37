// Logged tables in a real browser, against two runs that each logged a 100,000-row predictions table
// through the HTTP ingest API (e2e/fixtures/tables-seed.ts): the run page's server-paged view (total,
// sort, filter and a refused filter, paging to the end, the step select), the confusion matrix and
// its cell click, and the compare page's side-by-side predictions with "disagreements only".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { byTestId, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import { formatNumber } from "../packages/web/src/api/values.js";
import {
  CLASSES, EARLY_ROWS, EARLY_STEP, ENTITY, KEY, PROJECT, ROWS, RUN_A, RUN_B, SAMPLES_KEY, SAMPLE_SIZE, expectations, row,
  writeTablesProject,
} from "./fixtures/tables-seed.js";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;
const expected = expectations(RUN_A);
const fmt = (n: number) => n.toLocaleString("en");
/** Ids where run A's and run B's predictions differ, ascending. */
const DISAGREEMENTS = Array.from({ length: ROWS }, (_, i) => i).filter((i) => row(RUN_A, i).pred !== row(RUN_B, i).pred);

beforeAll(async () => {
  d = await startDashboard();
  await writeTablesProject(d.url);
}, 180_000);
afterAll(async () => { await d?.close(); });

async function openRunTable(runId = RUN_A.id): Promise<{ page: Page; view: Locator }> {
  const page = await d.context.newPage();
  await page.goto(`${d.url}${WS}/runs/${runId}`);
  const view = page.getByTestId("tables-section").locator(byTestId("table-view", `[data-key="${KEY}"]`));
  await view.waitFor();
  await expect.poll(() => view.getAttribute("data-total")).toBe(String(ROWS));
  return { page, view };
}

const total = (view: Locator) => view.getAttribute("data-total").then(Number);
const info = (view: Locator) => view.getByTestId("table-page-info").innerText();
const column = (view: Locator, col: string) =>
  view.locator(byTestId("table-cell", `[data-col="${col}"]`)).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.trim()));

describe("a run's table", () => {
  it("lists 100,000 rows a page at a time, with class ids shown as their labels", async () => {
    const { page, view } = await openRunTable();
    expect(await info(view)).toBe("1–100 of 100,000");
    expect(await view.getByTestId("table-row").count()).toBe(100);
    // The table was logged at two steps; the last is shown, and the step select offers both.
    expect(await view.getByTestId("table-step").inputValue()).toBe("5");
    const labels = await column(view, "label");
    expect(labels.length).toBe(100);
    expect(labels.every((l) => (CLASSES as readonly string[]).includes(l))).toBe(true);
    // Rows come in logged order: row 0's label and score.
    const first = row(RUN_A, 0);
    expect(labels[0]).toBe(CLASSES[first.label]);
    expect((await column(view, "id"))[0]).toBe("0");
    await page.close();
  });

  it("lists every table key of the run, and draws image cells as thumbnails", async () => {
    const { page } = await openRunTable();
    const keys = await page.getByTestId("table-view").evaluateAll((els) => els.map((e) => e.getAttribute("data-key")));
    expect(keys.sort()).toEqual([KEY, SAMPLES_KEY].sort());
    const samples = page.locator(byTestId("table-view", `[data-key="${SAMPLES_KEY}"]`));
    await expect.poll(() => samples.getAttribute("data-total")).toBe("3");
    const imgs = samples.locator(`${byTestId("table-cell", '[data-col="image"]')} img`);
    expect(await imgs.count()).toBe(2);
    await expect.poll(() => imgs.first().evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(SAMPLE_SIZE.width);
    expect(await column(samples, "ok")).toEqual(["true", "false", "true"]);
    expect(await column(samples, "label")).toEqual(["car", "pedestrian", "cyclist"]);
    // One label column only: no confusion matrix for this table.
    expect(await samples.getByTestId("confusion-matrix").count()).toBe(0);
    await page.close();
  });

  it("sorts by score, biggest first, on the server", async () => {
    const { page, view } = await openRunTable();
    const sortScore = view.locator(byTestId("table-sort", '[data-col="score"]'));
    await sortScore.click();
    await expect.poll(() => sortScore.getAttribute("data-sort")).toBe("desc");
    await expect.poll(async () => (await column(view, "id"))[0]).toBe(String(expected.top.id));
    expect((await column(view, "score"))[0]).toBe(formatNumber(expected.top.score));
    const scores = (await column(view, "score")).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await view.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await screenshot(page, "tables.png");
    await sortScore.click();
    await expect.poll(() => sortScore.getAttribute("data-sort")).toBe("asc");
    await expect.poll(async () => (await column(view, "score"))[0]).toBe("0");
    await page.close();
  });

  it("filters on the server, and a refused filter shows the server's message and keeps the rows", async () => {
    const { page, view } = await openRunTable();
    const filter = view.getByTestId("table-filter");
    await filter.fill("label = pedestrian and score > 0.9");
    await filter.press("Enter");
    await expect.poll(() => total(view)).toBe(expected.pedestriansAbove09);
    expect(await info(view)).toBe(`1–100 of ${fmt(expected.pedestriansAbove09)}`);
    expect(new Set(await column(view, "label"))).toEqual(new Set(["pedestrian"]));
    expect((await column(view, "score")).every((s) => Number(s) > 0.9)).toBe(true);

    await filter.fill("score >> 1");
    await filter.press("Enter");
    await view.getByTestId("table-filter-error").waitFor();
    expect((await view.getByTestId("table-filter-error").innerText()).length).toBeGreaterThan(0);
    expect(await total(view)).toBe(expected.pedestriansAbove09);
    expect(await view.getByTestId("table-row").count()).toBe(100);
    // Paging still works with the rows of the last good filter.
    await view.getByTestId("table-page-next").click();
    await expect.poll(() => info(view)).toBe(`101–200 of ${fmt(expected.pedestriansAbove09)}`);
    await page.close();
  });

  it("pages to the last rows and back", async () => {
    const { page, view } = await openRunTable();
    await view.getByTestId("table-page-next").click();
    await expect.poll(() => info(view)).toBe("101–200 of 100,000");
    await view.getByTestId("table-page-last").click();
    await expect.poll(() => info(view)).toBe("99,901–100,000 of 100,000");
    expect(await view.getByTestId("table-page-next").isDisabled()).toBe(true);
    expect((await column(view, "id")).at(-1)).toBe(String(ROWS - 1));
    await view.getByTestId("table-page-prev").click();
    await expect.poll(() => info(view)).toBe("99,801–99,900 of 100,000");
    await page.close();
  });

  it("shows an earlier step's table when picked", async () => {
    const { page, view } = await openRunTable();
    await view.getByTestId("table-step").selectOption(String(EARLY_STEP));
    await expect.poll(() => total(view)).toBe(EARLY_ROWS);
    expect(await info(view)).toBe("1–100 of 1,000");
    await page.close();
  });
});

describe("the confusion matrix", () => {
  it("counts every (label, prediction) pair, and a cell click filters the table to it", async () => {
    const { page, view } = await openRunTable();
    const matrix = view.getByTestId("confusion-matrix");
    await matrix.waitFor();
    expect(await matrix.getAttribute("data-actual")).toBe("label");
    expect(await matrix.getAttribute("data-predicted")).toBe("pred");
    const cells = await matrix.getByTestId("confusion-cell").evaluateAll((els) =>
      els.map((e) => [`${e.getAttribute("data-actual")}|${e.getAttribute("data-predicted")}`, Number((e as HTMLElement).innerText)] as const));
    expect(cells.length).toBe(9);
    for (const [k, n] of cells) expect([k, n]).toEqual([k, expected.confusion[k] ?? 0]);
    await matrix.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await screenshot(page, "confusion-matrix.png");

    await matrix.locator(byTestId("confusion-cell", '[data-actual="pedestrian"][data-predicted="car"]')).click();
    await expect.poll(() => total(view)).toBe(expected.confusion["pedestrian|car"]);
    expect(await view.getByTestId("table-filter").inputValue()).toBe('label = "pedestrian" and pred = "car"');
    expect(new Set(await column(view, "label"))).toEqual(new Set(["pedestrian"]));
    expect(new Set(await column(view, "pred"))).toEqual(new Set(["car"]));
    await page.close();
  });
});

describe("comparing the table across runs", () => {
  it("shows run A's and run B's predictions side by side per id, and only the disagreements when asked", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}${WS}/compare?runs=${RUN_A.id},${RUN_B.id}`);
    const section = page.getByTestId("table-compare");
    await section.waitFor();
    expect(await section.getByTestId("table-compare-key").inputValue()).toBe(KEY);
    expect(await section.getByTestId("table-compare-join").inputValue()).toBe("id");
    await expect.poll(() => section.getByTestId("table-compare-row").count()).toBe(100);
    expect(await section.getByTestId("table-page-info").innerText()).toBe("1–100 of 100,000");

    const shown = await section.getByTestId("table-compare-row").evaluateAll((els) => els.map((tr) => ({
      id: Number(tr.getAttribute("data-join")),
      differs: tr.getAttribute("data-differs") === "true",
      a: (tr.querySelector('[data-col="pred"][data-run="tabA"]') as HTMLElement | null)?.innerText.trim(),
      b: (tr.querySelector('[data-col="pred"][data-run="tabB"]') as HTMLElement | null)?.innerText.trim(),
    })));
    for (const s of shown) {
      const a = CLASSES[row(RUN_A, s.id).pred], b = CLASSES[row(RUN_B, s.id).pred];
      expect(s).toEqual({ id: s.id, differs: a !== b, a, b });
    }
    const differing = shown.filter((s) => s.differs).length;
    expect(differing).toBeGreaterThan(0);
    await section.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await screenshot(page, "tables-compare.png");

    // pred is a class column, so the server selects the disagreements over the whole table.
    await section.getByTestId("table-compare-disagree").check();
    await expect.poll(() => section.getByTestId("table-page-info").innerText()).toBe(`1–100 of ${fmt(DISAGREEMENTS.length)}`);
    const ids = await section.getByTestId("table-compare-row").evaluateAll((els) =>
      els.map((e) => [Number(e.getAttribute("data-join")), e.getAttribute("data-differs")] as const));
    expect(ids.map(([id]) => id)).toEqual(DISAGREEMENTS.slice(0, 100));
    expect(new Set(ids.map(([, f]) => f))).toEqual(new Set(["true"]));
    await page.close();
  });
});
