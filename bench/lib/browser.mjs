// Rows: the dashboard in Debian's Chromium (playwright-core) against `orrery server` serving the
// built web app: time from navigation to a rendered workspace of 1,000 runs, and time to draw one
// chart of 100 runs x 100,000 points (with the server-side time of its history request). Data goes
// in through the store in-process, as in series.mjs; times are read in the page (performance.now()
// counts from the navigation's start).
import { join } from "node:path";
import { chromium } from "playwright-core";
import { openStore } from "@orrery/store";
import { ROOT, curve, getJson, ms, note, quick, rng, startServer, tempDir } from "./common.mjs";

const T0 = Date.UTC(2026, 0, 1);
const OPTIMIZERS = ["adam", "sgd", "adamw", "rmsprop"];

function launch() {
  // The flags e2e/browser.ts uses on this sandboxed machine.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** In-page predicate: (a run row is shown and) the first panel matching `sel` has drawn points and is not fetching. */
const drawn = ({ sel, rows }) => {
  if (rows && !document.querySelector('[data-testid="run-row"]')) return false;
  const el = document.querySelector(sel);
  if (!el) return false;
  const loading = el.getAttribute("data-loading");
  if (!(Number(el.getAttribute("data-points")) > 0) || (loading !== null && loading !== "false")) return false;
  return performance.now();
};

/**
 * Loads `url` in a fresh page `n` times (after one warm-up that fills the HTTP cache, as for a
 * returning user) and returns the in-page times until the panel drew, plus the history requests.
 */
async function timeLoads(context, url, panelSel, n, rowsToo) {
  const loads = [];
  for (let i = 0; i <= n; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    const handle = await page.waitForFunction(drawn, { sel: panelSel, rows: rowsToo }, { timeout: 120_000, polling: "raf" });
    const doneAt = await handle.jsonValue();
    const history = await page.evaluate(() => performance.getEntriesByType("resource")
      .filter((e) => /\/history\?/.test(e.name))
      .map((e) => ({ name: e.name, start: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, end: e.responseEnd })));
    if (i > 0) loads.push({ doneAt, history });
    await page.close();
  }
  return loads;
}

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function fillWorkspace(store, runs) {
  const r = rng(21);
  for (let from = 0; from < runs; from += 500) {
    const batches = [];
    for (let i = from; i < Math.min(runs, from + 500); i++) {
      const config = {
        lr: 10 ** (-5 + 4 * r()), batch_size: 2 ** (4 + Math.floor(r() * 6)), dropout: Math.round(r() * 50) / 100,
        optimizer: { name: OPTIMIZERS[Math.floor(r() * 4)], momentum: 0.9 }, model: { layers: 2 + Math.floor(r() * 10) }, seed: i,
      };
      const start = T0 + i * 60_000;
      const records = [{ seq: 1, ts: start, type: "run", name: `run-${i}`, config, tags: i % 10 === 0 ? ["baseline"] : [] }];
      const loss = curve(i + 100);
      for (let s = 0; s < 50; s++) {
        records.push({ seq: records.length + 1, ts: start + s * 1000, type: "history", step: s, values: { "train/loss": loss(s * 100), "val/acc": 0.5 + 0.4 * (s / 49) * r() } });
      }
      records.push({ seq: records.length + 1, ts: start + 50_000, type: "summary", values: { "val/best_acc": 0.5 + 0.4 * r() } });
      records.push({ seq: records.length + 1, ts: start + 51_000, type: "finish", exitCode: r() < 0.9 ? 0 : 1 });
      batches.push({ run: { entity: "bench", project: "workspace", runId: `w${i}` }, records });
    }
    const outcomes = await store.appendMany(batches, Date.now());
    const failed = outcomes.find((o) => "error" in o);
    if (failed) throw failed.error;
  }
}

async function fillChart(store, runs, points) {
  for (let k = 0; k < runs; k++) {
    const value = curve(k + 1);
    const ref = { entity: "bench", project: "chart", runId: `c${k}` };
    let seq = 0;
    for (let from = 0; from < points; from += 10_000) {
      const records = [];
      if (from === 0) records.push({ seq: ++seq, ts: T0 + k * 1000, type: "run", name: `chart-${k}` });
      const n = Math.min(10_000, points - from);
      for (let i = 0; i < n; i++) records.push({ seq: ++seq, ts: T0 + k * 1000 + (from + i) * 10, type: "history", step: from + i, values: { loss: value(from + i) } });
      await store.appendBatch(ref, records, Date.now());
    }
    await store.appendBatch(ref, [{ seq: ++seq, ts: T0 + k * 1000 + points * 10, type: "finish", exitCode: 0 }], Date.now());
  }
  if (typeof store.materializeAll === "function") await store.materializeAll();
}

/** One run whose config has `keys` leaves (layer_N.param_M, as in runs.mjs), written in parts of 1,000 keys. */
async function fillHugeConfig(store, keys) {
  const ref = { entity: "bench", project: "config", runId: "huge" };
  let seq = 0;
  const records = [{ seq: ++seq, ts: T0, type: "run", name: "huge-config" }];
  for (let layer = 0; layer * 1000 < keys; layer++) {
    const values = {};
    for (let i = layer * 1000; i < Math.min(keys, (layer + 1) * 1000); i++) values[`param_${i % 1000}`] = i / 7;
    records.push({ seq: ++seq, ts: T0, type: "config", path: [`layer_${layer}`], values });
  }
  records.push({ seq: ++seq, ts: T0 + 1000, type: "history", step: 0, values: { loss: 1 } });
  records.push({ seq: ++seq, ts: T0 + 2000, type: "finish", exitCode: 0 });
  for (let i = 0; i < records.length; i += 100) await store.appendBatch(ref, records.slice(i, i + 100), Date.now());
}

/** In-page predicate: the run page shows its overview, its first config entries and its chart. */
const runPageDrawn = () => {
  if (!document.querySelector('[data-testid="run-overview"]')) return false;
  if (!document.querySelector('[data-testid="config-entry"]')) return false;
  const panel = document.querySelector('[data-testid="panel"][data-key="loss"]');
  if (!panel || !(Number(panel.getAttribute("data-points")) > 0)) return false;
  return performance.now();
};

export async function browserRender() {
  const dir = tempDir("orrery-bench-browser-");
  // The CLI serves the built dashboard; say where it is in case the default moves.
  process.env.ORRERY_DASHBOARD_DIR ??= join(ROOT, "packages/web/dist");
  const workspaceRuns = 1000;
  const chartRuns = 100;
  const chartPoints = quick ? 20_000 : 100_000;
  const loadsA = quick ? 3 : 5;
  const loadsB = 3;
  const configKeys = quick ? 100_000 : 1_000_000;
  try {
    const dataDir = join(dir.path, "data");
    const store = await openStore(dataDir);
    let t = performance.now();
    await fillWorkspace(store, workspaceRuns);
    await fillChart(store, chartRuns, chartPoints);
    await fillHugeConfig(store, configKeys);
    await store.close();
    const fillSecs = (performance.now() - t) / 1000;

    const server = await startServer(dataDir);
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const a = await timeLoads(context, `${server.url}/p/bench/workspace`, '[data-testid="panel"]', loadsA, true);
      note({
        what: `dashboard: open a workspace of ${workspaceRuns.toLocaleString("en")} runs (table rows + first chart drawn)`,
        value: ms(med(a.map((l) => l.doneAt))), target: "",
        extra: `median of ${loadsA} loads in Chromium at 1440x900, from navigation start to the first run row and the first panel with data-points > 0 and no data-loading (HTTP cache warm). Each run has config, summary and 50 history rows of 2 metrics. Data generation: ${fillSecs.toFixed(0)} s for both projects`,
      });

      const url = `${server.url}/p/bench/chart?runs=${chartRuns}&panels=loss`;
      const b = await timeLoads(context, url, '[data-testid="panel"][data-key="loss"]', loadsB, false);
      const fromFetch = b.map((l) => {
        const h = l.history.filter((e) => e.start <= l.doneAt).at(-1);
        return h ? l.doneAt - h.start : NaN;
      });
      const lastHistory = b.at(-1).history.at(-1);
      let serverSide = "";
      if (lastHistory) {
        const inPage = med(b.map((l) => { const h = l.history.at(-1); return h ? h.responseStart - h.requestStart : NaN; }));
        const times = [];
        for (let i = 0; i < 3; i++) {
          const s = performance.now();
          const body = await getJson(lastHistory.name);
          times.push(performance.now() - s);
          if (i === 0) serverSide += `history request for ${body.runs.length} runs, ${body.runs.reduce((n, r) => n + r.series.reduce((m, x) => m + x.x.length, 0), 0).toLocaleString("en")} points returned: `;
        }
        serverSide += `${ms(med(times))} end to end from Node (median of 3), time to first byte in the page ${ms(inPage)}`;
      }
      note({
        what: `dashboard: one chart of ${chartRuns} runs x ${chartPoints.toLocaleString("en")} points`,
        value: ms(med(b.map((l) => l.doneAt))), target: "",
        extra: `median of ${loadsB} loads, from navigation start to the panel with data-points > 0 and no data-loading (runs=${chartRuns}, panel search "loss"); from the chart's last history request to drawn: ${ms(med(fromFetch))}. ${serverSide}`,
      });

      const runPage = [];
      for (let i = 0; i <= 3; i++) {
        const page = await context.newPage();
        await page.goto(`${server.url}/p/bench/config/runs/huge`, { waitUntil: "commit" });
        const handle = await page.waitForFunction(runPageDrawn, undefined, { timeout: 120_000, polling: "raf" });
        if (i > 0) runPage.push(await handle.jsonValue());
        await page.close();
      }
      note({
        what: `dashboard: open the run page of a run with ${configKeys.toLocaleString("en")} config keys`,
        value: ms(med(runPage)), target: "<= 1 s",
        extra: "median of 3 loads in Chromium, from navigation start to the overview, the first config tree entries and the run's chart drawn (the Run reply inlines the first 10,000 config keys; the tree loads one level at a time)",
      });
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}
