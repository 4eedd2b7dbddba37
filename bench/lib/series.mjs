// Rows: chart queries (one long series; many runs) and storage per point, beside the naive
// one-row-per-point table holding the same points. Data goes in through the store's public ingest
// primitive in-process (the HTTP path has its own row), then queries run where the server runs
// them: the SeriesStore API (server-side time), plus the same query over HTTP for reference.
import { join } from "node:path";
import { openStore } from "@orrery/store";
import { NaiveStore } from "./naive.mjs";
import { curve, dirBytes, getJson, median, ms, note, quick, ratio, startServer, tempDir } from "./common.mjs";

const T0 = Date.UTC(2026, 0, 1);

async function fill(store, naive, runId, runNo, points, seed) {
  const value = curve(seed);
  const ref = { entity: "bench", project: "series", runId };
  let seq = 0;
  const batch = 10_000;
  for (let from = 0; from < points; from += batch) {
    const records = [];
    if (from === 0) records.push({ seq: ++seq, ts: T0, type: "run", name: runId });
    const n = Math.min(batch, points - from);
    for (let i = 0; i < n; i++) records.push({ seq: ++seq, ts: T0 + (from + i) * 10, type: "history", step: from + i, values: { loss: value(from + i) } });
    await store.appendBatch(ref, records, Date.now());
    naive?.insertPoints(runNo, ["loss"], from, n, (_k, s) => value(s));
  }
}

async function settle(store) {
  // Queries merge the not-yet-materialized tail, so they are correct at any time; timings are
  // taken once background materialization has caught up, as on a server that is not ingesting.
  if (typeof store.materializeAll === "function") await store.materializeAll();
}

export async function seriesQueries() {
  const dir = tempDir("orrery-bench-series-");
  try {
    const long = quick ? 1_000_000 : 10_000_000;
    const runs = quick ? 20 : 100;
    const perRun = quick ? 20_000 : 100_000;
    const dataDir = join(dir.path, "data");
    const store = await openStore(dataDir);
    const naive = new NaiveStore(join(dir.path, "naive.db"));
    let t = performance.now();
    await fill(store, naive, "long", 0, long, 1);
    for (let r = 0; r < runs; r++) await fill(store, naive, `run-${r}`, r + 1, perRun, r + 2);
    await settle(store);
    const fillSecs = (performance.now() - t) / 1000;

    const ref = (runId) => ({ entity: "bench", project: "series", runId });
    const oursLong = await median(5, () => store.series.query(ref("long"), "history", ["loss"], {}, 1000));
    const naiveLong = await median(3, () => naive.chart(0, "loss", 500));
    const q = await store.series.query(ref("long"), "history", ["loss"], {}, 1000);
    note({
      what: `chart query: one series of ${long.toLocaleString("en")} points, full range, 1,000 points`,
      value: ms(oursLong), target: "<= 20 ms (10,000,000 points)", baseline: ms(naiveLong), ratio: ratio(oursLong, naiveLong),
      extra: `server-side (SeriesStore.query); returned ${q[0].x.length} points, min/max per bucket. Naive: SQL GROUP BY bucket over the (run, key, step) index`,
    });
    const oursZoom = await median(5, () => store.series.query(ref("long"), "history", ["loss"], { min: long / 2, max: long / 2 + 20_000 }, 1000));
    note({ what: "chart query: zoomed to 20,000 steps of that series, 1,000 points", value: ms(oursZoom), target: "", extra: "decodes only the chunks in range" });

    const oursMany = await median(3, async () => {
      for (let r = 0; r < runs; r++) await store.series.query(ref(`run-${r}`), "history", ["loss"], {}, 1000);
    });
    const naiveMany = await median(1, () => { for (let r = 0; r < runs; r++) naive.chart(r + 1, "loss", 500); });
    note({
      what: `chart query: ${runs} runs x ${perRun.toLocaleString("en")} points, one metric, 1,000 points each`,
      value: ms(oursMany), target: "<= 200 ms (100 runs x 100,000)", baseline: ms(naiveMany), ratio: ratio(oursMany, naiveMany),
      extra: "server-side, all runs one after another",
    });
    await store.close();
    naive.close();

    const total = long + runs * perRun;
    const oursBytes = dirBytes(dataDir) / total;
    const naiveBytes = dirBytes(dir.path) - dirBytes(dataDir);
    note({
      what: "storage per metric point (noisy float64 training curves)", value: `${oursBytes.toFixed(2)} bytes`, target: "<= 8 bytes",
      baseline: `${(naiveBytes / total).toFixed(1)} bytes`, ratio: ratio(oursBytes, naiveBytes / total),
      extra: `${total.toLocaleString("en")} points; whole data directory including indexes and WAL. Filling both stores took ${fillSecs.toFixed(0)} s`,
    });

    const server = await startServer(dataDir);
    try {
      const url = `${server.url}/api/v1/projects/bench/series/runs/long/history?keys=loss&maxPoints=1000`;
      const http = await median(5, () => getJson(url));
      note({ what: `the same ${long.toLocaleString("en")}-point chart query over HTTP`, value: ms(http), target: "", extra: "end to end from a client on this machine, JSON reply" });
    } finally {
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}
