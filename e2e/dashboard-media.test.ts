// The run page's Media section in a real browser against a run seeded through the ingest API
// (e2e/fixtures/media-seed.ts): the step slider moves between the logged steps and swaps the image,
// boxes are drawn and filtered by class and score, and mask classes toggle pixels on the canvas; the
// compare page shows the same key for two runs side by side at one step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { byTestId, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";
import {
  ENTITY, KEY, MASK_NAME, MASK_PIXELS, OTHER_RUN, OTHER_STEPS, PROJECT, RUN, SCORES, writeMediaRun,
} from "./fixtures/media-seed.js";

let d: Dashboard;
let page: Page;
const PANEL = byTestId("media-panel", `[data-key="${KEY}"]`);

beforeAll(async () => {
  d = await startDashboard();
  await writeMediaRun(d.url);
  await writeMediaRun(d.url, OTHER_RUN, "detector-v3", OTHER_STEPS);
  page = await d.context.newPage();
  await page.goto(`${d.url}/p/${ENTITY}/${PROJECT}/runs/${RUN}`);
  await page.getByTestId("media-section").waitFor();
}, 120_000);
afterAll(async () => { await d?.close(); });

const panel = () => page.locator(PANEL);
const shownStep = async () => Number(await panel().getAttribute("data-step"));
const boxes = () => panel().getByTestId("media-box");
const boxClasses = () => boxes().evaluateAll((els) => els.map((e) => e.getAttribute("data-class")).sort());
/** The image's src once it has loaded (naturalWidth > 0), with the step it was drawn for. */
const loadedImage = async () => {
  await page.waitForFunction((sel) => {
    const img = document.querySelector(`${sel} img[data-testid="media-image"]`) as HTMLImageElement | null;
    return !!img && img.complete && img.naturalWidth > 0;
  }, PANEL);
  return panel().locator('img[data-testid="media-image"]').evaluate((img: HTMLImageElement) => ({
    src: img.src, step: Number(img.dataset.step), naturalWidth: img.naturalWidth,
  }));
};
/** Pixels of the mask canvas that are painted (alpha > 0), and the RGBA at (x, y) in mask pixels. */
const maskPixels = (x: number, y: number) => panel().locator(byTestId("media-mask", `[data-name="${MASK_NAME}"]`)).evaluate((c: HTMLCanvasElement, [px, py]) => {
  const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
  const at = (py! * c.width + px!) * 4;
  return { painted, at: Array.from(data.slice(at, at + 4)), drawn: c.dataset.drawn ?? null };
}, [x, y]);

describe("the run page's media", () => {
  it("lists the image key and shows its last step, with the image loaded and its three boxes", async () => {
    expect(await page.getByTestId("media-panel").count()).toBe(1);
    await expect.poll(shownStep).toBe(10);
    const img = await loadedImage();
    expect(img.step).toBe(10);
    expect(img.naturalWidth).toBe(64);
    await expect.poll(() => boxes().count()).toBe(3);
    expect(await boxClasses()).toEqual(["car", "cyclist", "pedestrian"]);
    expect(await panel().locator(byTestId("media-box", '[data-class="pedestrian"]')).getAttribute("data-score")).toBe(String(SCORES.pedestrian));
  });

  it("the step slider moves between the three logged steps (arrow keys too) and swaps the image", async () => {
    const slider = panel().getByTestId("media-step");
    expect(await slider.getAttribute("max")).toBe("2");
    const seen = new Map<number, string>();
    seen.set(10, (await loadedImage()).src);
    await slider.focus();
    await page.keyboard.press("Home");
    await expect.poll(shownStep).toBe(0);
    await expect.poll(async () => (await loadedImage()).step).toBe(0);
    seen.set(0, (await loadedImage()).src);
    await page.keyboard.press("ArrowRight");
    await expect.poll(shownStep).toBe(5);
    await expect.poll(async () => (await loadedImage()).step).toBe(5);
    seen.set(5, (await loadedImage()).src);
    expect(new Set(seen.values()).size).toBe(3);
    await slider.fill("2");
    await expect.poll(shownStep).toBe(10);
    await expect.poll(async () => (await loadedImage()).src).toBe(seen.get(10));
    await expect.poll(() => boxes().count()).toBe(3);
  });

  it("unticking a class hides its boxes, and ticking it again brings them back", async () => {
    const toggle = panel().locator(byTestId("media-class-toggle", '[data-class="pedestrian"]'));
    await toggle.uncheck();
    await expect.poll(boxClasses).toEqual(["car", "cyclist"]);
    await toggle.check();
    await expect.poll(boxClasses).toEqual(["car", "cyclist", "pedestrian"]);
  });

  it("raising the score threshold hides the low-scoring boxes", async () => {
    const score = panel().getByTestId("media-score");
    await score.fill("0.3");
    await expect.poll(boxClasses).toEqual(["car", "pedestrian"]);
    await score.fill("0.6");
    await expect.poll(boxClasses).toEqual(["car"]);
    await score.fill("0");
    await expect.poll(() => boxes().count()).toBe(3);
  });

  it("toggling a mask class clears and repaints its pixels on the mask canvas", async () => {
    const all = MASK_PIXELS[1] + MASK_PIXELS[2] + MASK_PIXELS[3];
    await expect.poll(async () => (await maskPixels(4, 4)).painted).toBe(all);
    const sidewalk = await maskPixels(4, 4); // (4, 4) is sidewalk
    expect(sidewalk.at[3]).toBe(255);
    const toggle = panel().locator(byTestId("media-mask-toggle", `[data-name="${MASK_NAME}"][data-class="sidewalk"]`));
    await toggle.uncheck();
    await expect.poll(async () => (await maskPixels(4, 4)).painted).toBe(all - MASK_PIXELS[2]);
    expect((await maskPixels(4, 4)).at).toEqual([0, 0, 0, 0]);
    expect((await maskPixels(4, 40)).at[3]).toBe(255); // road is still painted
    await toggle.check();
    await expect.poll(async () => (await maskPixels(4, 4)).at).toEqual(sidewalk.at);
    await page.getByTestId("media-section").evaluate((el) => el.scrollIntoView());
    await screenshot(page, "media.png");
  });
});

describe("comparing media across runs", () => {
  it("shows the shared key for both runs side by side, each at the slider's step or the last one before it", async () => {
    const cmp = await d.context.newPage();
    await cmp.goto(`${d.url}/p/${ENTITY}/${PROJECT}/compare?runs=${RUN},${OTHER_RUN}`);
    const panel = cmp.locator(byTestId("media-compare-panel", `[data-key="${KEY}"]`));
    await panel.waitFor();
    const runSteps = () => panel.getByTestId("media-compare-run").evaluateAll((els) => els.map((e) => [e.getAttribute("data-run-id"), e.getAttribute("data-step")]));
    await expect.poll(runSteps).toEqual([[RUN, "10"], [OTHER_RUN, "10"]]);
    await expect.poll(() => panel.getByTestId("media-box").count()).toBe(6);
    await panel.getByTestId("media-step").focus();
    await cmp.keyboard.press("Home");
    await expect.poll(runSteps).toEqual([[RUN, "0"], [OTHER_RUN, "0"]]);
    await cmp.keyboard.press("ArrowRight");
    await expect.poll(() => panel.getAttribute("data-step")).toBe("5");
    await expect.poll(runSteps).toEqual([[RUN, "5"], [OTHER_RUN, "0"]]);
    await panel.locator(byTestId("media-class-toggle", '[data-class="car"]')).uncheck();
    await expect.poll(() => panel.locator(byTestId("media-box", '[data-class="car"]')).count()).toBe(0);
    await expect.poll(() => panel.getByTestId("media-box").count()).toBe(4);
    await cmp.close();
  });
});
