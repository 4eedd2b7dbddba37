// Rows: the workspace's parallel-coordinates and scatter panels in Debian's Chromium at 100,000 runs
// (20,000 with --quick): time from navigation to the first draw of each, brush-to-redraw on a
// parallel-coordinates axis (median of 10 brush moves, timed in the page around the pointer event
// that moves the brush, which selects and redraws before it returns) and scatter hover latency
// (pointer event to the tooltip naming the run, in the page). Runs go in through the store in
// big batches, as in runs.mjs.
import { join } from "node:path";
import { chromium } from "playwright-core";
import { openStore } from "@orrery/store";
import { ROOT, getJson, ms, note, quick, rng, startServer, tempDir } from "./common.mjs";

const OPTIMIZERS = ["adam", "sgd", "adamw", "rmsprop"];
const T0 = 1_767_225_600_000;

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

async function fill(store, n) {
  const r = rng(17);
  for (let from = 0; from < n; from += 2000) {
    const batches = [];
    for (let i = from; i < Math.min(n, from + 2000); i++) {
      const lr = 10 ** (-5 + 4 * r());
      const config = {
        lr, batch_size: 2 ** (4 + Math.floor(r() * 6)), dropout: Math.round(r() * 50) / 100,
        optimizer: { name: OPTIMIZERS[Math.floor(r() * 4)] }, layers: 2 + Math.floor(r() * 10), seed: i,
      };
      const acc = Math.min(0.99, 0.5 + 0.35 * r() + (lr > 1e-3 ? 0.08 : 0) - config.dropout * 0.1);
      batches.push({
        run: { entity: "bench", project: "insights", runId: `i${i}` },
        records: [
          { seq: 1, ts: T0 + i, type: "run", name: `run-${i}`, config },
          { seq: 2, ts: T0 + i, type: "history", step: 0, values: { "val/acc": acc, "train/loss": 1 - acc + r() * 0.2 } },
          { seq: 3, ts: T0 + i + 1000, type: "finish", exitCode: 0 },
        ],
      });
    }
    const outcomes = await store.appendMany(batches, Date.now());
    const failed = outcomes.find((o) => "error" in o);
    if (failed) throw failed.error;
  }
}

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const max = (xs) => Math.max(...xs);

/** In-page predicate: the panel `id` has drawn all `n` runs. */
const drawnAll = ({ id, attr, n }) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  if (!el || el.getAttribute("data-loading") !== "false" || Number(el.getAttribute(attr)) !== n) return false;
  if (id === "parcoords" && !(Number(el.getAttribute("data-draws")) > 0)) return false;
  if (id === "scatter" && el.getAttribute("data-draw-ms") === null) return false;
  return performance.now();
};

/** Loads `url` `loads` times (after a warm-up) and returns in-page times to the first full draw, and the values request's timing. */
async function firstDraws(context, url, id, attr, n, loads) {
  const out = [];
  for (let i = 0; i <= loads; i++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    const handle = await page.waitForFunction(drawnAll, { id, attr, n }, { timeout: 180_000, polling: "raf" });
    const doneAt = await handle.jsonValue();
    const values = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => /\/runs\/values\?/.test(e.name))
      .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, ttfb: e.responseStart - e.requestStart, bytes: e.encodedBodySize })));
    const drawMs = await page.evaluate((sel) => Number(document.querySelector(sel)?.getAttribute("data-draw-ms")), `[data-testid="${id}"]`);
    if (i > 0) out.push({ doneAt, values: values.at(-1), drawMs });
    if (i === loads) return { loads: out, page };
    await page.close();
  }
  return { loads: out, page: null };
}

/** In the page: 10 brush moves on the val/acc axis, each timed around its pointermove (select + raster + putImageData), then to the next frame. */
async function brushMoves(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const root = document.querySelector('[data-testid="parcoords"]');
    const strip = document.querySelector('[data-testid="parcoords-axis"][data-key="summary.val/acc"]');
    const box = strip.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const at = (f) => box.top + box.height * f;
    const ev = (type, f) => new PointerEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: at(f), pointerId: 1, pointerType: "mouse", isPrimary: true, buttons: 1 });
    strip.dispatchEvent(ev("pointerdown", 0.1));
    await frame();
    await frame();
    const sync = [];
    const toFrame = [];
    const internal = [];
    const selected = [];
    // A warm-up move (first use of the dim background and of the sorted index).
    strip.dispatchEvent(ev("pointermove", 0.3));
    await frame();
    const warm = Number(root.getAttribute("data-draw-ms"));
    for (let k = 0; k < 10; k++) {
      const f = 0.25 + k * 0.05;
      const draws = Number(root.getAttribute("data-draws"));
      const t0 = performance.now();
      strip.dispatchEvent(ev("pointermove", f));
      const t1 = performance.now();
      await frame();
      const t2 = performance.now();
      if (Number(root.getAttribute("data-draws")) !== draws + 1) throw new Error(`brush move ${k} did not redraw`);
      sync.push(t1 - t0);
      toFrame.push(t2 - t0);
      internal.push(Number(root.getAttribute("data-draw-ms")));
      selected.push(Number(root.getAttribute("data-selected")));
    }
    strip.dispatchEvent(ev("pointerup", 0.7));
    await frame();
    return { sync, toFrame, internal, selected, warm, runs: Number(root.getAttribute("data-runs")) };
  });
}

/** In the page: 10 hovers over the scatter, each from the pointermove to the tooltip naming a (new) run, then to the next frame. */
async function hovers(page) {
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const sc = document.querySelector('[data-testid="scatter"]');
    const canvas = sc.querySelector("canvas");
    const box = canvas.getBoundingClientRect();
    const [left, top, w, h] = sc.getAttribute("data-plot").split(",").map(Number);
    const tipId = () => document.querySelector('[data-testid="scatter-tooltip"]')?.getAttribute("data-run-id") ?? null;
    const times = [];
    const lookups = [];
    let misses = 0;
    for (let k = 0; k < 14 && times.length < 10; k++) {
      const before = tipId();
      const fx = left + w * (0.1 + 0.06 * k);
      const fy = top + h * (0.2 + 0.045 * k);
      const t0 = performance.now();
      canvas.dispatchEvent(new PointerEvent("pointermove", { bubbles: true, clientX: box.left + fx, clientY: box.top + fy, pointerId: 1, pointerType: "mouse", isPrimary: true }));
      let id = tipId();
      for (let f = 0; f < 30 && (id === null || id === before); f++) { await frame(); id = tipId(); }
      const t1 = performance.now();
      if (id === null || id === before) { misses++; continue; }
      times.push(t1 - t0);
      lookups.push(Number(document.querySelector('[data-testid="scatter-tooltip"]').getAttribute("data-hover-ms")));
    }
    return { times, lookups, misses };
  });
}

export async function insightsBench() {
  const dir = tempDir("orrery-bench-insights-");
  process.env.ORRERY_DASHBOARD_DIR ??= join(ROOT, "packages/web/dist");
  const n = quick ? 20_000 : 100_000;
  const loads = 3;
  try {
    const dataDir = join(dir.path, "data");
    const store = await openStore(dataDir);
    let t = performance.now();
    await fill(store, n);
    await store.close();
    const fillSecs = (performance.now() - t) / 1000;

    const server = await startServer(dataDir);
    const browser = await launch();
    try {
      // Server side alone, for scale: the parcoords panel's values request from Node.
      const keys = "config.batch_size,config.dropout,config.lr,config.optimizer.name,summary.val/acc";
      const apiUrl = `${server.url}/api/v1/projects/bench/insights/runs/values?keys=${encodeURIComponent(keys)}`;
      await getJson(apiUrl);
      const apiTimes = [];
      for (let i = 0; i < 3; i++) { const s = performance.now(); await getJson(apiUrl); apiTimes.push(performance.now() - s); }

      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const pc = "pc:config.lr:log,config.batch_size,config.dropout,config.optimizer.name,summary.val/acc|summary.val/acc";
      const pcUrl = `${server.url}/p/bench/insights?cols=${encodeURIComponent("~")}&ins=${encodeURIComponent(pc)}`;
      const a = await firstDraws(context, pcUrl, "parcoords", "data-runs", n, loads);
      const fromValues = a.loads.map((l) => (l.values ? l.doneAt - l.values.end : NaN));
      note({
        what: `insights: parallel coordinates of ${n.toLocaleString("en")} runs x 5 axes, first draw`,
        value: ms(med(a.loads.map((l) => l.doneAt))), target: "",
        extra: `median of ${loads} loads in Chromium at 1440x900 (software rendering), from navigation start to the panel's data-runs = ${n} and its first draw. ` +
          `Axes lr (log), batch_size, dropout, optimizer.name (categorical), val/acc; coloured by val/acc. ` +
          `The runs/values request (5 keys): ${ms(med(a.loads.map((l) => (l.values ? l.values.end - l.values.start : NaN))))} in the page, ` +
          `${a.loads[0]?.values ? `${(a.loads[0].values.bytes / 1e6).toFixed(1)} MB, ` : ""}${ms(med(apiTimes))} from Node (median of 3); ` +
          `from its response to drawn (parse, columns, layout, raster): ${ms(med(fromValues))}, of which the raster itself ${ms(med(a.loads.map((l) => l.drawMs)))}. ` +
          `Data generation: ${fillSecs.toFixed(0)} s`,
      });

      const b = await brushMoves(a.page);
      await a.page.close();
      note({
        what: `insights: parallel coordinates brush-to-redraw at ${b.runs.toLocaleString("en")} runs`,
        value: ms(med(b.sync)), target: "< 100 ms",
        extra: `median of 10 brush moves on the val/acc axis (max ${ms(max(b.sync))}), timed in the page around the pointermove that moves the brush: ` +
          `the handler recomputes the selection from the axis's sorted index and redraws the selected lines over the cached dim background before it returns ` +
          `(inside the handler: median ${ms(med(b.internal))}). To the next animation frame: median ${ms(med(b.toFrame))}. ` +
          `Lines selected per move: ${Math.min(...b.selected).toLocaleString("en")} to ${Math.max(...b.selected).toLocaleString("en")}. ` +
          `A first move builds the dim background and the axis's sorted index: ${ms(b.warm)}`,
      });

      const sc = "sc:config.lr:log,summary.val/acc,config.batch_size";
      const scUrl = `${server.url}/p/bench/insights?cols=${encodeURIComponent("~")}&ins=${encodeURIComponent(sc)}`;
      const c = await firstDraws(context, scUrl, "scatter", "data-points", n, loads);
      note({
        what: `insights: scatter of ${n.toLocaleString("en")} runs, first draw`,
        value: ms(med(c.loads.map((l) => l.doneAt))), target: "",
        extra: `median of ${loads} loads, from navigation start to data-points = ${n} drawn; x lr (log), y val/acc, colour batch_size. ` +
          `The runs/values request (3 keys) took ${ms(med(c.loads.map((l) => (l.values ? l.values.end - l.values.start : NaN))))} in the page; ` +
          `scales, pixel positions, spatial grid and raster: ${ms(med(c.loads.map((l) => l.drawMs)))}`,
      });

      const h = await hovers(c.page);
      await c.page.close();
      note({
        what: `insights: scatter hover latency at ${n.toLocaleString("en")} points`,
        value: ms(med(h.times)), target: "",
        extra: `median of ${h.times.length} hovers (max ${ms(max(h.times))}${h.misses ? `, ${h.misses} positions with no point within 8 px skipped` : ""}), ` +
          `from the pointermove to the frame showing the tooltip with the nearest run's id; the grid lookup itself: median ${ms(med(h.lookups))}`,
      });
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}
