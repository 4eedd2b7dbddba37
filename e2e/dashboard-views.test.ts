// Saved views in a real browser against a real server holding the 24-run fixture project: set a
// filter, grouping, selected runs and a hidden run, save them as a view with a markdown note, find
// it in the views list, open its link in a fresh page and get the same workspace back (with the
// note rendered and its raw HTML shown as text), update it, and delete it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { api } from "./helpers.js";
import { byTestId, rowCountText, rowIds, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import { ENTITY, PROJECT, RUNS, writeFixtureProject } from "./fixtures/dashboard-project.js";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;
const VIEWS_API = `/api/v1/projects/${ENTITY}/${PROJECT}/views`;
const FILTER = "config.optimizer.name = sgd";
const GROUP = "config.batch_size";
const SGD = RUNS.filter((r) => r.optimizer === "sgd");
// sgd runs are the odd ones; their batch sizes are BATCHES[i % 4] for i % 4 in {1, 3}: 64 and 256.
const GROUPS = [...new Set(SGD.map((r) => String(r.batchSize)))].sort();
const SELECTED = ["r01", "r03"];
const HIDDEN = "r05";
const NAME = "sgd by batch size";
const NOTE = [
  "Why **sgd** loses: see [the notes](https://example.com/notes).",
  "",
  '<script>window.__viewNoteRan = true</script>',
].join("\n");

interface ViewBody { id: string; name: string; note: string; state: string }

beforeAll(async () => {
  d = await startDashboard();
  await writeFixtureProject(d.url);
}, 120_000);
afterAll(async () => { await d?.close(); });

async function open(path: string): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(d.url + path);
  return page;
}

const stateOf = (url: string) => new URL(url).searchParams;
const list = (v: string | null) => (v ?? "").split("~").filter(Boolean).sort();

describe("saved views", () => {
  let viewId = "";
  let viewLink = "";

  it("the workspace's filter, grouping, selection and hidden run are saved as a view with a note", async () => {
    const page = await open(WS);
    await page.locator(byTestId("run-row")).first().waitFor();
    const filter = page.getByTestId("filter-input");
    await filter.fill(FILTER);
    await filter.press("Enter");
    await expect.poll(() => rowCountText(page)).toBe(`${SGD.length} runs`);
    for (const id of SELECTED) await page.locator(byTestId("run-row", `[data-run-id="${id}"]`)).getByTestId("select-run").check();
    await page.locator(byTestId("run-row", `[data-run-id="${HIDDEN}"]`)).getByTestId("hide-run").click();
    await expect.poll(() => list(stateOf(page.url()).get("sel"))).toEqual(SELECTED);
    expect(list(stateOf(page.url()).get("hide"))).toEqual([HIDDEN]);
    await page.getByTestId("group-by").selectOption(GROUP);
    await expect.poll(() => rowCountText(page)).toBe(`${GROUPS.length} groups`);

    await page.getByTestId("view-save").click();
    await page.getByTestId("view-name").fill(NAME);
    await page.getByTestId("view-note").fill(NOTE);
    await page.getByTestId("view-save-confirm").click();
    await expect.poll(() => stateOf(page.url()).get("view")).toMatch(/^[a-z0-9]{8}$/);
    viewId = stateOf(page.url()).get("view")!;
    const banner = page.getByTestId("view-banner");
    await expect.poll(() => banner.getByTestId("view-banner-name").innerText()).toBe(NAME);
    expect(await banner.getAttribute("data-modified")).toBe("false");

    const saved = (await api<ViewBody>(d.url, `${VIEWS_API}/${viewId}`)).body;
    expect(saved).toMatchObject({ id: viewId, name: NAME, note: NOTE });
    const state = new URLSearchParams(saved.state);
    expect(state.get("filter")).toBe(FILTER);
    expect(state.get("group")).toBe(GROUP);
    expect(list(state.get("sel"))).toEqual(SELECTED);
    expect(list(state.get("hide"))).toEqual([HIDDEN]);
    expect(state.has("view")).toBe(false);
    await page.close();
  });

  it("the views list shows the view with a link that opens it", async () => {
    const page = await open(WS);
    await page.getByTestId("nav-views").click();
    const row = page.locator(byTestId("view-row", `[data-id="${viewId}"]`));
    await row.waitFor();
    expect(await row.innerText()).toContain(NAME);
    expect(await row.innerText()).toContain(`filter ${FILTER}`);
    viewLink = (await row.getByTestId("view-link").getAttribute("href"))!;
    expect(viewLink).toBe(`${WS}?view=${viewId}`);
    // The note is rendered here too, its <script> as text.
    expect(await row.locator(".view-note-html strong").innerText()).toBe("sgd");
    expect(await row.locator("script").count()).toBe(0);
    await page.close();
  });

  it("opening the link in a fresh page restores the filter, grouping, selection and rows, with the note rendered safely", async () => {
    const context = await d.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(d.url + viewLink);
    await expect.poll(() => stateOf(page.url()).get("filter")).toBe(FILTER);
    const url = stateOf(page.url());
    expect(url.get("view")).toBe(viewId);
    expect(url.get("group")).toBe(GROUP);
    expect(list(url.get("sel"))).toEqual(SELECTED);
    await expect.poll(() => page.getByTestId("filter-input").inputValue()).toBe(FILTER);
    expect(await page.getByTestId("group-by").inputValue()).toBe(GROUP);
    await expect.poll(() => rowCountText(page)).toBe(`${GROUPS.length} groups`);
    expect(await page.locator(byTestId("group-row")).evaluateAll((els) => els.map((e) => e.getAttribute("data-group")).sort())).toEqual(GROUPS);
    expect((await page.getByTestId("compare-button").innerText()).trim()).toBe(`Compare (${SELECTED.length})`);

    // Expanding the 64 group shows its runs, the saved selection ticked and the hidden run marked.
    await page.locator(byTestId("group-row", '[data-group="64"]')).click();
    const in64 = SGD.filter((r) => r.batchSize === 64).map((r) => r.id);
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(in64.sort());
    for (const id of in64) {
      const row = page.locator(byTestId("run-row", `[data-run-id="${id}"]`));
      expect(await row.getByTestId("select-run").isChecked()).toBe(SELECTED.includes(id));
      expect(await row.getAttribute("data-hidden")).toBe(id === HIDDEN ? "true" : null);
    }

    const banner = page.getByTestId("view-banner");
    await expect.poll(() => banner.getByTestId("view-banner-name").innerText()).toBe(NAME);
    const note = banner.getByTestId("view-banner-note");
    expect(await note.locator("strong").innerText()).toBe("sgd");
    const link = note.locator("a");
    expect(await link.innerText()).toBe("the notes");
    expect(await link.getAttribute("href")).toBe("https://example.com/notes");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await note.locator("script").count()).toBe(0);
    expect(await note.innerText()).toContain("<script>window.__viewNoteRan = true</script>");
    expect(await page.evaluate(() => (window as unknown as { __viewNoteRan?: boolean }).__viewNoteRan)).toBeUndefined();
    expect(await banner.getAttribute("data-modified")).toBe("false");
    await screenshot(page, "views.png");
    await context.close();
  });

  it("updating the view overwrites its state with the workspace as it is now", async () => {
    const page = await open(viewLink);
    await expect.poll(() => stateOf(page.url()).get("group")).toBe(GROUP);
    await page.getByTestId("group-by").selectOption("");
    await expect.poll(() => rowCountText(page)).toBe(`${SGD.length} runs`);
    const banner = page.getByTestId("view-banner");
    await expect.poll(() => banner.getAttribute("data-modified")).toBe("true");
    await page.getByTestId("view-modified").waitFor();
    await page.getByTestId("view-update").click();
    await expect.poll(() => banner.getAttribute("data-modified")).toBe("false");
    const saved = new URLSearchParams((await api<ViewBody>(d.url, `${VIEWS_API}/${viewId}`)).body.state);
    expect(saved.has("group")).toBe(false);
    expect(saved.get("filter")).toBe(FILTER);
    expect(list(saved.get("sel"))).toEqual(SELECTED);
    await page.close();

    // The link now opens the ungrouped table.
    const again = await open(viewLink);
    await expect.poll(() => stateOf(again.url()).get("filter")).toBe(FILTER);
    await expect.poll(() => rowCountText(again)).toBe(`${SGD.length} runs`);
    expect(stateOf(again.url()).has("group")).toBe(false);
    await again.close();
  });

  it("a view saved with an empty state opens the plain workspace under its banner", async () => {
    const created = await api<ViewBody>(d.url, VIEWS_API, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "everything", state: "" }),
    });
    expect(created.status).toBe(201);
    const page = await open(`${WS}?view=${created.body.id}`);
    await expect.poll(() => page.getByTestId("view-banner-name").innerText()).toBe("everything");
    await expect.poll(() => rowCountText(page)).toBe(`${RUNS.length} runs`);
    await api(d.url, `${VIEWS_API}/${created.body.id}`, { method: "DELETE" });
    await page.close();
  });

  it("deleting the view removes it from the list, and its link then says it is gone", async () => {
    const page = await open(`${WS}/views`);
    const row = page.locator(byTestId("view-row", `[data-id="${viewId}"]`));
    await row.waitFor();
    await row.getByTestId("view-delete").click();
    await expect.poll(() => row.count()).toBe(0);
    await page.getByTestId("views-empty").waitFor();
    expect((await api<{ views: ViewBody[] }>(d.url, VIEWS_API)).body.views).toEqual([]);
    await page.goto(d.url + viewLink);
    const banner = page.getByTestId("view-banner");
    await expect.poll(() => banner.getAttribute("data-missing")).toBe("true");
    // The workspace still works: all runs, no saved state applied.
    await expect.poll(() => rowCountText(page)).toBe(`${RUNS.length} runs`);
    await page.close();
  });
});
