import Database from "better-sqlite3";
const db = new Database("/tmp/orr-1m/orrery.db", { readonly: true });
db.pragma("cache_size = -65536");
const k = (key: string, kind = 0) => db.prepare("SELECT id FROM index_keys WHERE kind = ? AND key = ?").pluck().get(kind, key);
const name = k("optimizer\u0001name"), acc = k("val/acc", 1);
const qs = [
  `SELECT count(*), g.t, g.v FROM run_values g INDEXED BY run_values_by_key WHERE g.key_id = ${name} AND g.t <> 6 GROUP BY g.t, g.v ORDER BY g.t, g.v`,
  `SELECT count(*), g.t, g.v, count(a0.v), min(a0.v), max(a0.v), sum(a0.v) FROM run_values g INDEXED BY run_values_by_key LEFT JOIN run_values a0 ON a0.run = g.run AND a0.key_id = ${acc} AND +a0.t = 1 WHERE g.key_id = ${name} AND g.t <> 6 GROUP BY g.t, g.v ORDER BY g.t, g.v`,
  `SELECT count(*) FROM run_values WHERE key_id = ${acc}`,
  `SELECT count(*), g.t, g.v, count(a0.v), min(a0.v), max(a0.v), sum(a0.v) FROM run_values a0 INDEXED BY run_values_by_key JOIN run_values g ON g.run = a0.run AND g.key_id = ${name} WHERE a0.key_id = ${acc} GROUP BY g.t, g.v`,
];
for (const q of qs) {
  console.log(db.prepare("EXPLAIN QUERY PLAN " + q).all().map((r: any) => r.detail).join(" | "));
  for (let i = 0; i < 2; i++) { const t = performance.now(); const r = db.prepare(q).raw(true).all(); console.log((performance.now() - t).toFixed(0), "ms", JSON.stringify(r).slice(0, 100)); }
}
