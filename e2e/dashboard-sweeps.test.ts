// The dashboard's sweep pages in a real browser: a sweep created over HTTP, two simulated agents
// taking trials through the agent API and logging each trial's run through the ingest API, then
// the list, progress, trials table, parallel coordinates, importance and the pause/resume/stop
// controls, each checked against what the server says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { api, postJson } from "./helpers.js";
import { byTestId, num, panelDrawn, screenshot, startDashboard, type Dashboard } from "./fixtures/dashboard-browser.js";

const ENTITY = "acme";
const PROJECT = "tuning";
const P = `/api/v1/projects/${ENTITY}/${PROJECT}`;
const FINISHED = 6;

const CONFIG = {
  name: "lr-search",
  program: "train.py",
  method: "random",
  metric: { name: "val/loss", goal: "minimize" },
  parameters: {
    optimizer: {
      parameters: {
        lr: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 },
        name: { values: ["adam", "sgd"] },
      },
    },
    layers: { distribution: "int_uniform", min: 1, max: 4 },
    epochs: { value: 3 },
  },
  run_cap: 12,
};
/** The searched parameters: one importance row and one parallel-coordinates axis each (epochs is constant). */
const SEARCHED = ["optimizer.lr", "optimizer.name", "layers"];

interface Params { optimizer: { lr: number; name: string }; layers: number; epochs: number }
type Next = { action: "run"; runId: string; params: Params } | { action: "wait" | "stop" };

/** The training "script": a smooth function of the params with its minimum near lr = 3e-3. */
const valLoss = (p: Params) => (Math.log10(p.optimizer.lr) + 2.5) ** 2 + 0.1 * p.layers + (p.optimizer.name === "sgd" ? 0.3 : 0);

let d: Dashboard;
let sweepId = "";
const finished: { runId: string; value: number }[] = [];
let failedRun = "";
let runningRun = "";
let runningAgent = "";
let heartbeat: NodeJS.Timeout | undefined;

async function ingest(runId: string, records: Record<string, unknown>[]): Promise<void> {
  const recs = records.map((r, i) => ({ seq: i + 1, ts: Date.now(), ...r }));
  const res = await postJson(d.url, `${P}/runs/${runId}/records`, { records: recs });
  if (res.status !== 200) throw new Error(`ingest ${runId}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function registerAgent(): Promise<string> {
  const res = await postJson(d.url, `${P}/sweeps/${sweepId}/agents`, { host: "e2e", pid: process.pid });
  expect(res.status).toBeLessThan(300);
  return (res.body as { agentId: string }).agentId;
}

async function next(agentId: string): Promise<Next> {
  const res = await postJson(d.url, `${P}/sweeps/${sweepId}/agents/${agentId}/next`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Next;
}

async function takeRun(agentId: string): Promise<{ runId: string; params: Params }> {
  const n = await next(agentId);
  if (n.action !== "run") throw new Error(`expected a run, got ${JSON.stringify(n)}`);
  return n;
}

/** Logs a trial's run as the SDK would: params in config, the metric in history and summary. */
function runRecords(sweep: string, params: Params, loss: number, exitCode: number | null): Record<string, unknown>[] {
  const recs: Record<string, unknown>[] = [{ type: "run", config: params, metadata: { sweep } }];
  for (let s = 0; s < 3; s++) recs.push({ type: "history", step: s, values: { "val/loss": loss + (2 - s) * 0.2 } });
  if (exitCode !== null) {
    recs.push({ type: "summary", values: { "val/loss": loss } });
    recs.push({ type: "finish", exitCode });
  }
  return recs;
}

async function reportExit(runId: string, exitCode: number): Promise<void> {
  const res = await postJson(d.url, `${P}/sweeps/${sweepId}/trials/${runId}/exit`, { exitCode });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const sweepState = async () => (await api<{ state: string }>(d.url, `${P}/sweeps/${sweepId}`)).body.state;

beforeAll(async () => {
  d = await startDashboard();
  const created = await postJson(d.url, `${P}/sweeps`, { config: CONFIG });
  if (created.status !== 201) throw new Error(`create sweep: ${created.status} ${JSON.stringify(created.body)}`);
  sweepId = (created.body as { id: string }).id;

  // Agent A runs trials one after another: six finish, one fails.
  const a = await registerAgent();
  for (let k = 0; k < FINISHED + 1; k++) {
    const { runId, params } = await takeRun(a);
    const fail = k === 3;
    const loss = valLoss(params);
    await ingest(runId, runRecords(sweepId, params, loss, fail ? 1 : 0));
    await reportExit(runId, fail ? 1 : 0);
    if (fail) failedRun = runId;
    else finished.push({ runId, value: loss });
  }
  // Agent B holds one trial that is still running, and keeps heartbeating it.
  runningAgent = await registerAgent();
  const { runId, params } = await takeRun(runningAgent);
  runningRun = runId;
  await ingest(runId, runRecords(sweepId, params, valLoss(params), null));
  const beat = () => postJson(d.url, `${P}/sweeps/${sweepId}/agents/${runningAgent}/heartbeat`, { runIds: [runningRun] });
  await beat();
  heartbeat = setInterval(() => { beat().catch(() => undefined); }, 3000);
}, 120_000);

afterAll(async () => {
  clearInterval(heartbeat);
  await d?.close();
});

async function openSweep(): Promise<Page> {
  const page = await d.context.newPage();
  await page.goto(`${d.url}/p/${ENTITY}/${PROJECT}/sweeps/${sweepId}`);
  await page.getByTestId("sweep-progress").waitFor();
  return page;
}

describe("the sweeps list", () => {
  it("is reached from the workspace header and shows the sweep with its counts and best value", async () => {
    const page = await d.context.newPage();
    await page.goto(`${d.url}/p/${ENTITY}/${PROJECT}`);
    await page.getByTestId("sweeps-link").click();
    const row = page.locator(byTestId("sweep-row", `[data-sweep-id="${sweepId}"]`));
    await row.waitFor();
    expect(await row.innerText()).toContain("lr-search");
    expect((await row.locator('[data-col="finished"]').innerText()).trim()).toBe(String(FINISHED));
    const best = Math.min(...finished.map((f) => f.value));
    const bestRun = finished.find((f) => f.value === best)!.runId;
    expect(await row.locator('[data-col="best"]').innerText()).toContain(bestRun);
    await screenshot(page, "sweeps.png");
    await page.close();
  });

  it("explains how to start a sweep when the project has none", async () => {
    const records = [{ seq: 1, ts: Date.now(), type: "run", config: { lr: 0.1 } }, { seq: 2, ts: Date.now(), type: "finish", exitCode: 0 }];
    expect((await postJson(d.url, `/api/v1/projects/${ENTITY}/other/runs/lonely/records`, { records })).status).toBe(200);
    const page = await d.context.newPage();
    await page.goto(`${d.url}/p/${ENTITY}/other/sweeps`);
    const empty = page.getByTestId("sweeps-empty");
    await empty.waitFor();
    expect(await empty.innerText()).toContain("orrery agent");
    expect(await empty.innerText()).toContain("method: bayes");
    await page.close();
  });
});

describe("a sweep's page", () => {
  it("shows progress by state, one row per trial, and a line per finished trial in the parallel coordinates", async () => {
    const page = await openSweep();
    const progress = page.getByTestId("sweep-progress");
    await expect.poll(() => num(progress, "data-finished")).toBe(FINISHED);
    expect(await num(progress, "data-failed")).toBe(1);
    expect(await num(progress, "data-total")).toBe(FINISHED + 2);
    expect(await num(progress, "data-run-cap")).toBe(12);

    const rows = page.getByTestId("trial-row");
    await expect.poll(() => rows.count()).toBe(FINISHED + 2);
    expect(await page.locator(byTestId("trial-row", `[data-run-id="${failedRun}"]`)).getAttribute("data-state")).toBe("failed");
    expect(["assigned", "running"]).toContain(await page.locator(byTestId("trial-row", `[data-run-id="${runningRun}"]`)).getAttribute("data-state"));

    const pc = page.getByTestId("parallel-coords");
    await expect.poll(() => num(pc, "data-lines")).toBe(FINISHED);
    expect((await pc.getAttribute("data-axes"))!.split(",")).toEqual([...SEARCHED, "val/loss"]);

    const params = await page.getByTestId("importance-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-param")));
    expect(params.sort()).toEqual([...SEARCHED].sort());

    await panelDrawn(page, "best-so-far", 15_000, byTestId("best-so-far"));
    await screenshot(page, "sweep-page.png");
    await page.close();
  });

  it("sorts the trials by the metric with the best first, and links each trial to its run", async () => {
    const page = await openSweep();
    await page.locator(byTestId("trial-col", '[data-col="value"]')).click();
    // Every trial with a value sorts, not only finished ones: the failed trial logged a summary, and
    // the running one's summary is its last logged value, so either may be the best.
    const { body } = await api<{ trials: { runId: string; value: number | null }[] }>(d.url, `${P}/sweeps/${sweepId}/trials`);
    const best = body.trials.filter((t) => t.value !== null).sort((x, y) => x.value! - y.value!)[0]!;
    await expect.poll(() => page.getByTestId("trial-row").first().getAttribute("data-run-id")).toBe(best.runId);
    await page.getByTestId("trial-row").first().getByRole("link", { name: best.runId }).click();
    await page.waitForURL(new RegExp(`/runs/${best.runId}$`));
    await page.getByTestId("run-overview").waitFor();
    await page.close();
  });

  it("brushing an axis of the parallel coordinates narrows the selected lines", async () => {
    const page = await openSweep();
    const pc = page.getByTestId("parallel-coords");
    await expect.poll(() => num(pc, "data-lines")).toBe(FINISHED);
    const axis = page.locator(byTestId("pc-axis", '[data-axis="val/loss"]'));
    const box = (await axis.boundingBox())!;
    // Drag over the top half of the metric axis: only the worse trials stay selected.
    await page.mouse.move(box.x + box.width / 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => num(pc, "data-selected")).toBeLessThan(FINISHED);
    expect(await num(pc, "data-selected")).toBeGreaterThan(0);
    await page.close();
  });

  it("updates while open: a trial an agent takes and finishes shows up without a reload", async () => {
    const page = await openSweep();
    const progress = page.getByTestId("sweep-progress");
    await expect.poll(() => num(progress, "data-finished")).toBe(FINISHED);
    const agent = await registerAgent();
    const { runId, params } = await takeRun(agent);
    const row = page.locator(byTestId("trial-row", `[data-run-id="${runId}"]`));
    await row.waitFor();
    await ingest(runId, runRecords(sweepId, params, valLoss(params), 0));
    await reportExit(runId, 0);
    // The page polls every 2 s while the sweep is live.
    const live = { timeout: 10_000 };
    await expect.poll(() => row.getAttribute("data-state"), live).toBe("finished");
    await expect.poll(() => num(progress, "data-finished"), live).toBe(FINISHED + 1);
    await expect.poll(() => num(page.getByTestId("parallel-coords"), "data-lines"), live).toBe(FINISHED + 1);
    await page.close();
  });

  it("pauses, resumes and, after confirming, stops the sweep, and the server agrees each time", async () => {
    const page = await openSweep();
    const state = page.getByTestId("sweep-state");
    expect(await state.getAttribute("data-state")).toBe("running");

    await page.getByTestId("sweep-pause").click();
    await expect.poll(() => state.getAttribute("data-state")).toBe("paused");
    expect(await sweepState()).toBe("paused");
    const agent = await registerAgent();
    expect((await next(agent)).action).toBe("wait");

    await page.getByTestId("sweep-resume").click();
    await expect.poll(() => state.getAttribute("data-state")).toBe("running");
    expect(await sweepState()).toBe("running");

    await page.getByTestId("sweep-stop").click();
    // Nothing is sent until the stop is confirmed.
    expect(await sweepState()).toBe("running");
    await page.getByTestId("sweep-stop-confirm").click();
    await expect.poll(() => state.getAttribute("data-state")).toBe("stopped");
    expect(await sweepState()).toBe("stopped");
    expect((await next(agent)).action).toBe("stop");
    const hb = await postJson(d.url, `${P}/sweeps/${sweepId}/agents/${runningAgent}/heartbeat`, { runIds: [runningRun] });
    expect((hb.body as { stop: string[] }).stop).toContain(runningRun);
    expect(await page.getByTestId("sweep-pause").count()).toBe(0);
    await page.close();
  });
});
