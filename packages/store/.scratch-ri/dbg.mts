import Database from "better-sqlite3";
const db = new Database("/tmp/orr-scale-20k/orrery.db", { readonly: true });
const k = (key: string, kind = 0) => db.prepare("SELECT id FROM index_keys WHERE kind = ? AND key = ?").pluck().get(kind, key);
const lr = k("optimizer\u0001lr"), acc = k("val/acc", 1);
console.log(lr, acc);
const drv = `SELECT run FROM run_values WHERE key_id = ${lr} AND (run_values.t = 1 AND run_values.v < ?)`;
const base = `(r.project_id = 1 AND r.id IN (${drv}) AND EXISTS (SELECT 1 FROM run_values x WHERE x.run = r.id AND x.key_id = ${lr} AND (x.t = 1 AND x.v < ?)))`;
const sql = `SELECT r.id, (s.t IS NULL OR s.t > 3), CASE WHEN s.t <= 3 THEN s.t END, CASE WHEN s.t <= 3 THEN s.v END, r.id FROM runs r LEFT JOIN run_values s ON s.run = r.id AND s.key_id = ${acc} WHERE ${base} ORDER BY (s.t IS NULL OR s.t > 3) ASC, CASE WHEN s.t <= 3 THEN s.t END DESC, CASE WHEN s.t <= 3 THEN s.v END DESC, r.id DESC LIMIT 51`;
for (const s of [sql, `SELECT count(*) FROM runs r WHERE ${base}`, `SELECT count(*) FROM (${drv} LIMIT 20001)`]) {
  console.log(db.prepare("EXPLAIN QUERY PLAN " + s).all(0.001, 0.001).map((r: any) => r.detail).join(" | "));
  const t = performance.now(); db.prepare(s).all(0.001, 0.001); console.log((performance.now() - t).toFixed(1), "ms");
}
