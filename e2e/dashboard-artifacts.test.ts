// The dashboard's artifact pages in a real browser, against a project seeded through the HTTP API
// (e2e/fixtures/artifacts-seed.ts): the artifact list and versions, the version page's file
// browser and previews (text, image, table), editable aliases, the runs around a version, the
// lineage graph and its depth, the run page's artifacts, and the model registry with its history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { api } from "./helpers.js";
import { byTestId, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import {
  ENTITY, EVAL_RUN, P, PNG_SIZE, PROJECT, SHAPES, TRAIN_NAME, TRAIN_RUN, writeArtifactProject, type Version,
} from "./fixtures/artifacts-seed.js";

let d: Dashboard;
const WS = `/p/${ENTITY}/${PROJECT}`;

beforeAll(async () => {
  d = await startDashboard();
  await writeArtifactProject(d.url);
}, 120_000);
afterAll(async () => { await d?.close(); });

async function open(path: string, ready: string): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(`${d.url}${WS}${path}`);
  await page.getByTestId(ready).first().waitFor();
  return page;
}

const attrs = (page: Page, selector: string, name: string) =>
  page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ""), name);

describe("the artifact list and versions", () => {
  it("is reached from the project header and lists each artifact under its type", async () => {
    const page = await open("", "nav-artifacts");
    await page.getByTestId("nav-artifacts").click();
    await page.locator(byTestId("artifact-row", '[data-name="mlp"]')).waitFor();
    expect(await attrs(page, byTestId("artifact-row"), "data-name")).toEqual(["mlp", "shapes"]);
    expect(await page.locator(byTestId("artifact-row", '[data-name="mlp"]')).getAttribute("data-type")).toBe("model");
    expect(await page.locator(byTestId("artifact-row", '[data-name="shapes"]')).getAttribute("data-type")).toBe("dataset");
    // Models come first, each group under its own heading.
    expect(await attrs(page, byTestId("artifact-group"), "data-type")).toEqual(["model", "dataset"]);
    expect((await page.locator(byTestId("artifact-row", '[data-name="shapes"]')).locator('[data-col="versions"]').innerText()).trim()).toBe("2");
    await page.close();
  });

  it("an artifact's page lists its versions newest first, and each opens its version page", async () => {
    const page = await open("/artifacts", "artifact-row");
    await page.locator(byTestId("artifact-row", '[data-name="shapes"]')).getByRole("link", { name: "shapes" }).click();
    await page.getByTestId("version-row").first().waitFor();
    expect(await attrs(page, byTestId("version-row"), "data-version")).toEqual(["v1", "v0"]);
    await page.locator(byTestId("version-row", '[data-version="v0"]')).getByRole("link", { name: "v0" }).click();
    await page.waitForURL(new RegExp(`${WS}/artifacts/shapes/v0$`));
    await page.getByTestId("artifact-files").waitFor();
    await page.close();
  });
});

describe("a version's page", () => {
  it("browses folders and previews text, images and tables", async () => {
    const page = await open("/artifacts/shapes/v1", "artifact-files");
    const files = page.getByTestId("artifact-files");
    await files.locator(byTestId("file-row", '[data-path="README.md"]')).waitFor();
    expect(await attrs(page, byTestId("folder-row"), "data-path")).toEqual(["images", "meta"]);

    // Text: the README's content.
    await files.locator(byTestId("file-row", '[data-path="README.md"]')).click();
    const preview = page.getByTestId("file-preview");
    await page.locator(byTestId("file-preview", '[data-kind="text"]')).waitFor();
    expect(await preview.innerText()).toContain("A tiny dataset of shapes");

    // A folder opens; its nested folder is listed; the PNG draws.
    await files.locator(byTestId("folder-row", '[data-path="images"]')).click();
    await files.locator(byTestId("file-row", '[data-path="images/disc.png"]')).waitFor();
    expect(await attrs(page, byTestId("folder-row"), "data-path")).toEqual(["images/vector"]);
    await files.locator(byTestId("file-row", '[data-path="images/disc.png"]')).click();
    const img = page.locator(`${byTestId("file-preview", '[data-kind="image"]')} img`);
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(PNG_SIZE.width);
    await files.locator(byTestId("folder-row", '[data-path="images/vector"]')).click();
    await files.locator(byTestId("file-row", '[data-path="images/vector/triangle.svg"]')).click();
    const svg = page.locator(`${byTestId("file-preview", '[data-kind="image"]')} img`);
    await expect.poll(() => svg.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);

    // Back to the root by the breadcrumb; the CSV is a table with its rows.
    await files.locator(byTestId("folder-crumb", '[data-path=""]')).click();
    await files.locator(byTestId("file-row", '[data-path="shapes.csv"]')).click();
    const table = page.locator(`${byTestId("file-preview", '[data-kind="table"]')} ${byTestId("preview-table")}`);
    await table.waitFor();
    expect(Number(await table.getAttribute("data-rows"))).toBe(SHAPES.length);
    expect(Number(await table.getAttribute("data-columns"))).toBe(3);
    expect(await table.locator("tbody tr").nth(1).innerText()).toContain("square");
    expect(await table.locator("thead").innerText()).toContain("sides");

    // The description and metadata are shown.
    expect(await page.getByTestId("artifact-description").innerText()).toContain("Polygons with their number of sides");
    expect(await page.getByTestId("artifact-metadata").innerText()).toContain("generated");
    await screenshot(page, "artifact-version.png");

    // A JSON array of objects is a table too, and the open file survives a reload (it is in the URL).
    await files.locator(byTestId("folder-row", '[data-path="meta"]')).click();
    await files.locator(byTestId("file-row", '[data-path="meta/splits.json"]')).click();
    await page.locator(byTestId("file-preview", '[data-kind="table"]')).waitFor();
    await page.reload();
    const again = page.locator(`${byTestId("file-preview", '[data-kind="table"]')} ${byTestId("preview-table")}`);
    await again.waitFor();
    expect(Number(await again.getAttribute("data-rows"))).toBe(2);
    await page.close();
  });

  it("adds an alias as a chip, which the registry history shows, and removes it", async () => {
    const page = await open("/artifacts/mlp/v0", "alias-editor");
    const chips = () => attrs(page, byTestId("alias-chip"), "data-alias");
    expect((await chips()).sort()).toEqual(["staging"]);
    await page.getByTestId("alias-input").fill("candidate");
    await page.getByTestId("alias-add").click();
    await page.locator(byTestId("alias-chip", '[data-alias="candidate"]')).waitFor();
    const v0 = await api<Version>(d.url, `${P}/artifacts/mlp/versions/v0`);
    expect(v0.body.aliases).toContain("candidate");

    const registry = await d.context.newPage();
    await registry.goto(`${d.url}${WS}/registry`);
    const model = registry.locator(byTestId("registry-model", '[data-name="mlp"]'));
    await model.locator(byTestId("alias-event", '[data-alias="candidate"]')).waitFor();
    expect(await model.locator(byTestId("alias-event", '[data-alias="candidate"]')).first().getAttribute("data-to")).toBe("v0");
    await registry.close();

    await page.locator(byTestId("alias-chip", '[data-alias="candidate"]')).getByTestId("alias-remove").click();
    await expect.poll(() => page.locator(byTestId("alias-chip", '[data-alias="candidate"]')).count()).toBe(0);
    expect((await api<Version>(d.url, `${P}/artifacts/mlp/versions/v0`)).body.aliases).not.toContain("candidate");
    // latest cannot be removed, and an alias the server would refuse is not sent.
    await page.getByTestId("alias-input").fill("v7");
    expect(await page.getByTestId("alias-add").isDisabled()).toBe(true);
    await page.close();
  });

  it("lists the runs around a version: the run that logged it and the run that used it", async () => {
    const page = await open("/artifacts/mlp/v1", "version-runs");
    const runs = page.getByTestId("version-runs");
    expect(await attrs(page, byTestId("producer-run"), "data-run-id")).toEqual([TRAIN_RUN]);
    expect(await attrs(page, byTestId("consumer-run"), "data-run-id")).toEqual([EVAL_RUN]);
    await runs.locator(byTestId("producer-run")).getByRole("link", { name: TRAIN_NAME }).click();
    await page.waitForURL(new RegExp(`/runs/${TRAIN_RUN}$`));
    await page.getByTestId("run-overview").waitFor();
    await page.close();
  });
});

interface Box { x: number; y: number; width: number; height: number }

describe("the lineage graph", () => {
  it("draws dataset -> training run -> model -> evaluation run from the model version, deeper with more hops", async () => {
    const page = await open("/artifacts/mlp/v1", "lineage-graph");
    const graph = page.getByTestId("lineage-graph");
    expect(await graph.getAttribute("data-root")).toBe("artifact:mlp:v1");
    const nodes = () => attrs(page, byTestId("lineage-node"), "data-id");
    await expect.poll(async () => (await nodes()).sort()).toEqual(
      ["artifact:mlp:v0", "artifact:mlp:v1", "artifact:shapes:v1", `run:${EVAL_RUN}`, `run:${TRAIN_RUN}`].sort(),
    );
    expect(await page.locator(byTestId("lineage-node", `[data-id="run:${TRAIN_RUN}"]`)).getAttribute("data-kind")).toBe("run");
    expect(await page.locator(byTestId("lineage-node", '[data-id="artifact:shapes:v1"]')).getAttribute("data-kind")).toBe("artifact");
    const edges = await page.locator(byTestId("lineage-edge")).evaluateAll((els) => els.map((e) => `${e.getAttribute("data-from")} -> ${e.getAttribute("data-to")}`));
    expect(edges).toEqual(expect.arrayContaining([
      `artifact:shapes:v1 -> run:${TRAIN_RUN}`, `run:${TRAIN_RUN} -> artifact:mlp:v1`, `artifact:mlp:v1 -> run:${EVAL_RUN}`, `run:${TRAIN_RUN} -> artifact:mlp:v0`,
    ]));
    // Drawn left to right in that order.
    const box = async (id: string) => (await page.locator(byTestId("lineage-node", `[data-id="${id}"]`)).boundingBox()) as Box;
    const xs = await Promise.all(["artifact:shapes:v1", `run:${TRAIN_RUN}`, "artifact:mlp:v1", `run:${EVAL_RUN}`].map(async (id) => (await box(id)).x));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(xs).size).toBe(4);

    // The screenshot shows the version's runs and its lineage.
    await page.locator("#runs").evaluate((el) => el.scrollIntoView({ block: "start" }));
    await screenshot(page, "lineage.png");

    await page.getByTestId("lineage-depth").selectOption("1");
    await expect.poll(async () => (await nodes()).sort()).toEqual(["artifact:mlp:v1", `run:${EVAL_RUN}`, `run:${TRAIN_RUN}`].sort());
    await page.getByTestId("lineage-depth").selectOption("3");
    await expect.poll(async () => (await nodes()).length).toBe(5);

    // A click on a node opens its page.
    await page.locator(byTestId("lineage-node", '[data-id="artifact:shapes:v1"]')).click();
    await page.waitForURL(new RegExp(`${WS}/artifacts/shapes/v1$`));
    await page.getByTestId("artifact-files").waitFor();
    await page.close();
  });
});

describe("the run page", () => {
  it("lists the versions a run used and produced, and draws the run's lineage", async () => {
    const page = await open(`/runs/${TRAIN_RUN}`, "run-artifacts");
    expect(await attrs(page, byTestId("run-artifact-used"), "data-ref")).toEqual(["shapes:v1"]);
    expect((await attrs(page, byTestId("run-artifact-produced"), "data-ref")).sort()).toEqual(["mlp:v0", "mlp:v1"]);
    const graph = page.locator(`${byTestId("run-artifacts")} ${byTestId("lineage-graph")}`);
    await graph.waitFor();
    expect(await graph.getAttribute("data-root")).toBe(`run:${TRAIN_RUN}`);
    await page.locator(byTestId("run-artifact-produced", '[data-ref="mlp:v1"]')).getByRole("link").click();
    await page.waitForURL(new RegExp(`${WS}/artifacts/mlp/v1$`));
    await page.close();
  });
});

describe("the model registry", () => {
  it("shows each model's production and staging versions and the history of alias moves", async () => {
    const page = await open("/artifacts", "nav-registry");
    await page.getByTestId("nav-registry").click();
    const model = page.locator(byTestId("registry-model", '[data-name="mlp"]'));
    await model.waitFor();
    expect(await attrs(page, byTestId("registry-model"), "data-name")).toEqual(["mlp"]);
    expect(await model.locator(byTestId("registry-alias", '[data-alias="production"]')).getAttribute("data-version")).toBe("v1");
    expect(await model.locator(byTestId("registry-alias", '[data-alias="staging"]')).getAttribute("data-version")).toBe("v0");
    const events = model.locator(byTestId("alias-event", '[data-alias="production"]'));
    await expect.poll(() => events.count()).toBe(2);
    // Newest first: moved from v0 to v1, after being set on v0.
    expect([await events.nth(0).getAttribute("data-from"), await events.nth(0).getAttribute("data-to")]).toEqual(["v0", "v1"]);
    expect([await events.nth(1).getAttribute("data-from"), await events.nth(1).getAttribute("data-to")]).toEqual(["", "v0"]);
    // Moves of latest are there on request.
    expect(await model.locator(byTestId("alias-event", '[data-alias="latest"]')).count()).toBe(0);
    await model.getByTestId("history-show-latest").check();
    await expect.poll(() => model.locator(byTestId("alias-event", '[data-alias="latest"]')).count()).toBe(2);
    await model.getByTestId("history-show-latest").uncheck();
    await screenshot(page, "registry.png");
    await page.close();
  });
});
