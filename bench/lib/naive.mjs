// The naive baselines the issue names, measured in the same run as Orrery: one SQLite row per
// metric point with an index on (run, key, step); run config and summary as JSON columns queried
// with json_extract. Same durability settings as Orrery (WAL, synchronous=FULL).
import Database from "better-sqlite3";

export class NaiveStore {
  constructor(path) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS points (run INTEGER NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value REAL);
      CREATE INDEX IF NOT EXISTS points_by_series ON points (run, key, step);
      CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, name TEXT, state TEXT, config TEXT NOT NULL, summary TEXT NOT NULL);
    `);
    this.ins = this.db.prepare("INSERT INTO points (run, key, step, value) VALUES (?, ?, ?, ?)");
    this.insRun = this.db.prepare("INSERT INTO runs (id, name, state, config, summary) VALUES (?, ?, ?, ?, ?)");
  }

  /** One transaction per call, like one acknowledged batch. */
  insertPoints(run, keys, fromStep, n, value) {
    this.db.transaction(() => {
      for (let i = 0; i < n; i++) for (const k of keys) this.ins.run(run, k, fromStep + i, value(k, fromStep + i));
    })();
  }

  insertRuns(list) {
    this.db.transaction(() => { for (const r of list) this.insRun.run(r.id, r.name, r.state, JSON.stringify(r.config), JSON.stringify(r.summary)); })();
  }

  /** Min/max per bucket in SQL: the best a one-row-per-point table can do for a chart. */
  chart(run, key, buckets) {
    const { lo, hi } = this.db.prepare("SELECT min(step) lo, max(step) hi FROM points WHERE run = ? AND key = ?").get(run, key);
    const width = Math.max(1, (hi - lo + 1) / buckets);
    return this.db.prepare(`SELECT CAST((step - ?) / ? AS INTEGER) b, min(value) mn, max(value) mx FROM points
      WHERE run = ? AND key = ? GROUP BY b`).all(lo, width, run, key);
  }

  firstPage(configKey, below, summaryKey, limit) {
    return this.db.prepare(`SELECT id, name, state, config, summary FROM runs
      WHERE json_extract(config, ?) < ? AND state = 'finished'
      ORDER BY json_extract(summary, ?) DESC LIMIT ?`).all(`$.${configKey}`, below, `$."${summaryKey}"`, limit);
  }

  close() { this.db.close(); }
}
