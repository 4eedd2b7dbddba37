// Owns the read side of the runs index (tables in schema-runs.ts): resolving filter fields to key
// ids, compiling a filter AST (protocol/src/filter) to SQL over the typed values, choosing a plan,
// keyset pagination, group-by, the key listing and the lazy config tree. It returns run row ids;
// meta.ts turns them into API objects. What a filter means is evaluate.ts's (protocol), and the
// tests hold this file to it.
//
// Plans for a page of runs:
// - sort-driven (the default): walk the sort key's ordered index (run_values_by_key, or a runs index
//   for run fields) from the cursor and check the filter on each run by primary-key lookups, until
//   the page is full. Cost ~ page size / fraction of runs matching. Runs without a sortable value
//   come after, in a second phase that walks runs by row id.
// - filter-driven: when one conjunct of the filter (a key range, a tag, a state, the name or search
//   text via the trigram index) matches at most `filterDrivenMax` runs, take those candidates, check
//   the rest of the filter on each, and sort them. Cost ~ candidates. It also makes `total` cheap.
import {
  asciiLower, formatPath, OrreryError, type Aggregate, type AttributeField, type Field, type FilterNode, type Literal,
  type RunAttribute, type Scope, type SortDirection, type SortSpec,
} from "@orrery/protocol";
import type { Engine } from "./engine.js";
import type { JsonObject } from "./json.js";
import {
  AFTER, CONFIG, decodeLeaf, pathOf, SEP, setPath, SORTABLE_MAX, SUMMARY, T_BOOL, T_NAN, T_NULL, T_NUMBER, T_STRING,
  TYPE_NAMES, type Kind,
} from "./runs-index-values.js";
import { RUNTIME_MS_SQL } from "./schema-runs.js";

/**
 * A conjunct matching at most this many runs can drive the plan (see the header). Below it the
 * choice weighs candidates (each checked once, a few microseconds each) against the sort-driven
 * walk, which reads about limit x runs / matches index entries: filter-driven when candidates <=
 * sqrt(limit x runs), the point where both cost about the same.
 */
export const FILTER_DRIVEN_MAX = 20_000;
const FILTER_DRIVEN_MIN = 1_000;
/** Runs whose config has at most this many keys are browsed in memory; bigger ones through the dictionary. */
export const SMALL_CONFIG_KEYS = 5_000;
/** Leaves counted under one object of the config tree before giving up with keyCountCapped. */
export const TREE_COUNT_CAP = 10_000;
/** Leaves of a column that names an object (config.optimizer) put into one cell. */
const OBJECT_COLUMN_MAX_LEAVES = 1_000;

export type PlanChoice = "auto" | "sort" | "filter";

/** A SQL fragment and its positional parameters, in order. */
interface Frag { sql: string; params: unknown[] }
const frag = (sql: string, params: unknown[] = []): Frag => ({ sql, params });
const FALSE: Frag = frag("0");
const TRUE: Frag = frag("1");

function join(parts: readonly Frag[], op: string): Frag {
  if (parts.length === 1) return parts[0]!;
  return { sql: "(" + parts.map((p) => p.sql).join(` ${op} `) + ")", params: parts.flatMap((p) => p.params) };
}

/** How each run attribute reads in SQL over `runs r`. */
export const ATTRIBUTE_SQL: Readonly<Record<RunAttribute, string>> = {
  id: "r.run_id",
  name: "r.name",
  state: "r.state",
  group: "r.grp",
  jobType: "r.job_type",
  tags: "r.tags",
  notes: "r.notes",
  createdAt: "r.created_at",
  startedAt: "r.started_at",
  endedAt: "r.ended_at",
  heartbeatAt: "r.heartbeat_at",
  runtime: `(${RUNTIME_MS_SQL} / 1000.0)`,
  exitCode: "r.exit_code",
  lastStep: "r.last_step",
};
/** Sort expressions (the runtime index holds milliseconds; dividing would hide it from the planner). */
const ATTRIBUTE_SORT_SQL: Readonly<Partial<Record<RunAttribute, string>>> = { runtime: RUNTIME_MS_SQL };
const NULLABLE_ATTRIBUTES: ReadonlySet<RunAttribute> = new Set(["group", "jobType", "startedAt", "endedAt", "heartbeatAt", "exitCode", "lastStep"]);

/** A field resolved against one project: a key id (null: no run of the project has the key), or a run attribute. */
type Resolved =
  | { kind: "key"; scope: Scope; id: number | null; canonical: string; subtree: boolean }
  | { kind: "attribute"; name: RunAttribute };

export interface QueryOptions {
  filter: FilterNode | null;
  search: string | undefined;
  sort: SortSpec | undefined;
  limit: number;
  cursor: string | undefined;
  countAll: boolean;
  plan: PlanChoice;
}

export interface PageResult { ids: number[]; nextCursor: string | null; total: number | null; plan: string }

export interface GroupRow { key: unknown[]; count: number; aggregates: Record<string, number | null>[] }

export interface KeyRow { scope: Scope; path: string[]; field: string; runs: number; types: Record<string, number> }

export interface TreeEntry { key: string; path: string; value?: unknown; keyCount?: number; keyCountCapped?: boolean }

function invalidCursor(what: string): OrreryError {
  return new OrreryError("invalid_request", `cursor is not one this server issued for this ${what}: pass the nextCursor of the previous page with the same parameters, or omit it to start over`, "cursor");
}

/** Cursor values keep their SQLite type: numbers travel as text so that infinities survive JSON. */
type CursorValue = ["n", string] | ["s", string] | null;
const packValue = (v: unknown): CursorValue => (v === null || v === undefined ? null : typeof v === "number" ? ["n", String(v)] : ["s", String(v)]);
function unpackValue(c: unknown, what: string): unknown {
  if (c === null) return null;
  if (Array.isArray(c) && c.length === 2 && typeof c[1] === "string") {
    if (c[0] === "n") return Number(c[1]);
    if (c[0] === "s") return c[1];
  }
  throw invalidCursor(what);
}

function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
}
function decodeCursor(cursor: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
  } catch {
    throw invalidCursor(what);
  }
}

/** A sort turned into SQL: the "missing" flag m (0 = has a sortable value), sort keys and the tie-breaker. */
interface SortSql {
  signature: string;
  dir: SortDirection;
  /** For key sorts: the key id (null when no run has it, so every run is "missing"). */
  keyId?: number | null;
  /** Extra FROM for the single-statement (filter-driven) form. */
  join: Frag;
  m: string;
  keys: string[];
  tie: string;
  attribute?: RunAttribute;
}

interface PageCursor { sig: string; m: number; k: unknown[]; tie: unknown }

export class RunsIndexQuery {
  constructor(private readonly eng: Engine) {}

  // ---------------------------------------------------------------- fields

  /**
   * Resolves a key path: the exact key when a run of the project has it, else the one key whose
   * segments, joined by ".", spell the same (so summary.train.loss finds the metric "train.loss").
   * Several such keys are refused as ambiguous. A path with no leaf but keys below it (an object,
   * config.optimizer) resolves as a subtree, which only columns accept.
   */
  resolve(project: number, field: Field, what: string): Resolved {
    if (field.kind === "attribute") return { kind: "attribute", name: field.name };
    const kind: Kind = field.scope === "config" ? CONFIG : SUMMARY;
    const canonical = field.path.join(SEP);
    const db = this.eng.db;
    const exact = this.eng.stmt("SELECT id FROM index_keys WHERE project_id = ? AND kind = ? AND key = ?").pluck().get(project, kind, canonical) as number | undefined;
    if (exact !== undefined) return { kind: "key", scope: field.scope, id: exact, canonical, subtree: false };
    const dotted = field.path.join(".");
    if (dotted.includes(".")) {
      const rows = db.prepare(
        `SELECT id, key FROM index_keys WHERE project_id = ? AND kind = ? AND instr(key, '.') > 0
           AND replace(key, char(1), '.') = ? LIMIT 3`,
      ).raw(true).all(project, kind, dotted) as [number, string][];
      if (rows.length === 1) return { kind: "key", scope: field.scope, id: rows[0]![0], canonical: rows[0]![1], subtree: false };
      if (rows.length > 1) {
        const names = rows.map((r) => `${field.scope}.${formatPath(pathOf(r[1]))}`);
        throw new OrreryError(
          "invalid_filter",
          `${what}: ${field.scope}.${dotted} (at column ${field.start + 1}) could mean ${names.join(" or ")}: write the one you mean, with \`backticks\` around segments that contain dots`,
          what,
        );
      }
    }
    const below = this.eng.stmt("SELECT 1 FROM index_keys WHERE project_id = ? AND kind = ? AND key > ? AND key < ? LIMIT 1")
      .pluck().get(project, kind, canonical + SEP, canonical + AFTER) !== undefined;
    return { kind: "key", scope: field.scope, id: null, canonical, subtree: below };
  }

  // ---------------------------------------------------------------- filter -> SQL

  private compile(project: number, node: FilterNode): Frag {
    switch (node.type) {
      case "and": return join(node.items.map((n) => this.compile(project, n)), "AND");
      case "or": return join(node.items.map((n) => this.compile(project, n)), "OR");
      case "not": {
        const inner = this.compile(project, node.item);
        if (inner === FALSE) return TRUE;
        if (inner === TRUE) return FALSE;
        return { sql: `NOT ${inner.sql}`, params: inner.params };
      }
      default: {
        const f = this.resolve(project, node.field, "filter");
        return f.kind === "key" ? this.keyCondition(f.id, node) : attributeCondition(f.name, node);
      }
    }
  }

  private keyCondition(id: number | null, node: FilterNode): Frag {
    const exists = (cond: Frag | null): Frag => {
      if (id === null) return FALSE;
      return cond === null
        ? frag(`EXISTS (SELECT 1 FROM run_values x WHERE x.run = r.id AND x.key_id = ${id})`)
        : { sql: `EXISTS (SELECT 1 FROM run_values x WHERE x.run = r.id AND x.key_id = ${id} AND ${cond.sql})`, params: cond.params };
    };
    switch (node.type) {
      case "exists": return exists(null);
      case "compare": {
        if (node.op === "=" || node.op === "!=") {
          const eq = exists(keyEquals("+x", [node.value]));
          return node.op === "=" ? eq : negate(eq);
        }
        return exists(keyOrder("+x", node.op, node.value));
      }
      case "in": return exists(keyEquals("+x", node.values));
      case "contains": return exists(keyContains(node.value));
      default: throw new Error("unreachable");
    }
  }

  /** SQL of a whole filter plus search, for `runs r`. */
  private where(project: number, filter: FilterNode | null, search: string | undefined): Frag[] {
    const parts: Frag[] = [];
    if (filter !== null) {
      for (const n of filter.type === "and" ? filter.items : [filter]) parts.push(this.compile(project, n));
    }
    if (search !== undefined && search !== "") parts.push(searchCondition(search));
    return parts;
  }

  /**
   * The WHERE (over `runs r`) of every run of the project matching filter and search, with the most
   * selective indexed conjunct driving when it matches at most `cap` runs; null when nothing can
   * match. For readers of every matching run (run values for plots), who plan their own order.
   */
  matching(project: number, filter: FilterNode | null, search: string | undefined, cap: number): { sql: string; params: unknown[]; conditions: number } | null {
    const conditions = this.where(project, filter, search);
    if (conditions.some((c) => c === FALSE)) return null;
    const best = conditions.length === 0 ? undefined : this.bestDriver(project, filter, search, cap);
    const w = join([
      frag(`r.project_id = ${project}`),
      ...(best === undefined ? [] : [{ sql: `r.id IN (${best.driver.sql})`, params: best.driver.params }]),
      ...conditions,
    ], "AND");
    return { sql: w.sql, params: w.params, conditions: conditions.length };
  }

  /**
   * A subquery of candidate run ids for one conjunct, when an index can produce them, or undefined.
   * Candidates may include runs of other projects (the trigram index spans all); callers check.
   */
  private driver(project: number, node: FilterNode | { type: "search"; text: string }): Frag | undefined {
    if (node.type === "search") {
      return node.text.length >= 3 ? frag("SELECT rowid FROM runs_text WHERE runs_text MATCH ?", [ftsPhrase(node.text)]) : undefined;
    }
    if (node.type !== "compare" && node.type !== "in" && node.type !== "exists" && node.type !== "contains") return undefined;
    if (node.type === "compare" && node.op === "!=") return undefined;
    const f = this.resolve(project, node.field, "filter");
    if (f.kind === "key") {
      if (f.id === null) return frag("SELECT 0 WHERE 0");
      if (node.type === "exists") return frag(`SELECT run FROM run_values WHERE key_id = ${f.id}`);
      if (node.type === "contains") return undefined;
      const values = node.type === "in" ? node.values : [node.value];
      if (node.type === "compare" && node.op !== "=") {
        const c = keyOrder("run_values", node.op, node.value);
        return { sql: `SELECT run FROM run_values WHERE key_id = ${f.id} AND ${c.sql}`, params: c.params };
      }
      const types = new Set(values.map(literalType));
      if (types.size !== 1) return undefined;
      const c = keyEquals("run_values", values);
      return { sql: `SELECT run FROM run_values WHERE key_id = ${f.id} AND ${c.sql}`, params: c.params };
    }
    const name = f.name;
    const values = node.type === "in" ? node.values : node.type === "exists" ? [] : [node.value];
    if (values.some((v) => v.kind === "null")) return undefined;
    const list = values.map((v) => (v as { value: unknown }).value);
    const marks = list.map(() => "?").join(", ");
    if (name === "tags" && node.type !== "exists") {
      return frag(`SELECT run FROM run_tags WHERE project_id = ${project} AND tag IN (${marks})`, list);
    }
    if (name === "name" && node.type === "contains") {
      const text = list[0] as string;
      return text.length >= 3 ? frag("SELECT rowid FROM runs_text WHERE runs_text MATCH ?", [`name : ${ftsPhrase(text)}`]) : undefined;
    }
    if (node.type === "contains" || node.type === "exists") return undefined;
    const column: Partial<Record<RunAttribute, string>> = { id: "run_id", name: "name", state: "state", group: "grp", jobType: "job_type", createdAt: "created_at" };
    const col = column[name];
    if (col === undefined) return undefined;
    if (node.type === "compare" && node.op !== "=") {
      if (name !== "createdAt" && name !== "name") return undefined;
      return frag(`SELECT id FROM runs WHERE project_id = ${project} AND ${col} ${node.op} ?`, [list[0]]);
    }
    return frag(`SELECT id FROM runs WHERE project_id = ${project} AND ${col} IN (${marks})`, list);
  }

  // ---------------------------------------------------------------- pages

  page(project: number, runCount: number, o: QueryOptions): PageResult {
    const sort = this.sortSql(project, o.sort ?? DEFAULT_SORT);
    const cursor = o.cursor === undefined ? undefined : parsePageCursor(o.cursor, sort.signature);
    if (cursor !== undefined && cursor.m === 0 && cursor.k.length !== sort.keys.length) throw invalidCursor("sort");
    const conditions = this.where(project, o.filter, o.search);
    if (conditions.some((c) => c === FALSE)) return { ids: [], nextCursor: null, total: 0, plan: "empty" };
    const filter = conditions.length === 0 ? TRUE : join(conditions, "AND");

    // Choose the plan: the most selective conjunct that an index can enumerate, if selective enough.
    let best: { driver: Frag; count: number } | undefined;
    if (o.plan !== "sort" && conditions.length > 0) {
      const cap = o.plan === "filter" ? Number.MAX_SAFE_INTEGER
        : Math.round(Math.min(FILTER_DRIVEN_MAX, Math.max(FILTER_DRIVEN_MIN, Math.sqrt(Math.max(1, o.limit) * runCount))));
      best = this.bestDriver(project, o.filter, o.search, cap);
    }
    const limit = Math.max(1, Math.floor(o.limit));
    let rows: [number, number, ...unknown[]][];
    let plan: string;
    let total: number | null = null;
    if (best !== undefined) {
      plan = `filter-driven (${best.count} candidates)`;
      const inDriver = { sql: `r.id IN (${best.driver.sql})`, params: best.driver.params };
      const base = join([frag(`r.project_id = ${project}`), inDriver, filter], "AND");
      const counted = this.singleStatement(sort, base, cursor, limit + 1, cursor === undefined);
      rows = counted.rows;
      total = counted.total ?? (this.eng.db.prepare(`SELECT count(*) FROM runs r WHERE ${base.sql}`).pluck().get(...base.params) as number);
    } else {
      plan = "sort-driven";
      rows = this.sortDriven(project, sort, filter, cursor, limit + 1);
      if (conditions.length === 0) total = runCount;
      else if (o.countAll) {
        const base = join([frag(`r.project_id = ${project}`), filter], "AND");
        total = this.eng.db.prepare(`SELECT count(*) FROM runs r WHERE ${base.sql}`).pluck().get(...base.params) as number;
      }
    }
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    let nextCursor: string | null = null;
    if (more && last !== undefined) {
      const [, m, ...rest] = last;
      const tie = rest[rest.length - 1];
      const k = m === 0 ? rest.slice(0, -1) : [];
      nextCursor = encodeCursor({ s: sort.signature, m, k: k.map(packValue), t: packValue(tie) });
    }
    return { ids: rows.map((r) => r[0]), nextCursor, total, plan };
  }

  private sortSql(project: number, spec: SortSpec): SortSql {
    const dir = spec.direction;
    const signature = `${spec.field.kind === "key" ? `${spec.field.scope}.${spec.field.path.join(SEP)}` : spec.field.name}:${dir}`;
    const f = this.resolve(project, spec.field, "sort");
    if (f.kind === "key") {
      if (f.id === null) return { signature, dir, keyId: null, join: frag(""), m: "1", keys: [], tie: "r.id" };
      return {
        signature, dir, keyId: f.id,
        join: frag(`LEFT JOIN run_values s ON s.run = r.id AND s.key_id = ${f.id}`),
        m: `(s.t IS NULL OR s.t > ${SORTABLE_MAX})`,
        keys: [`CASE WHEN s.t <= ${SORTABLE_MAX} THEN s.t END`, `CASE WHEN s.t <= ${SORTABLE_MAX} THEN s.v END`],
        tie: "r.id",
      };
    }
    if (f.name === "tags") throw new OrreryError("invalid_filter", "sort: runs cannot be sorted by tags: sort by name, a time, state, group, jobType, runtime or a key", "sort");
    const expr = ATTRIBUTE_SORT_SQL[f.name] ?? ATTRIBUTE_SQL[f.name];
    return {
      signature, dir, join: frag(""), attribute: f.name,
      m: NULLABLE_ATTRIBUTES.has(f.name) ? `(${expr} IS NULL)` : "0",
      keys: [expr],
      // createdAt keeps the order runs were always listed in: newest first, then by id.
      tie: f.name === "createdAt" ? "r.run_id" : "r.id",
    };
  }

  /**
   * One statement over the given candidates, sorted in full (the filter-driven plan). With
   * `count`, the rows also carry how many candidates matched (a window count over the same pass).
   */
  private singleStatement(
    sort: SortSql, base: Frag, cursor: PageCursor | undefined, n: number, count: boolean,
  ): { rows: [number, number, ...unknown[]][]; total: number | undefined } {
    const d = sort.dir === "desc" ? "DESC" : "ASC";
    const cols = [sort.m, ...sort.keys, sort.tie];
    const parts: Frag[] = [base];
    if (cursor !== undefined) parts.push(keysetSingle(sort, cursor));
    const w = join(parts, "AND");
    const sql = `SELECT r.id, ${cols.join(", ")}${count ? ", count(*) OVER ()" : ""} FROM runs r ${sort.join.sql} WHERE ${w.sql}
      ORDER BY ${/^\d$/.test(sort.m) ? "" : `${sort.m} ASC, `}${[...sort.keys, sort.tie].map((k) => `${k} ${d}`).join(", ")} LIMIT ${n}`;
    const rows = this.eng.db.prepare(sql).raw(true).all(...sort.join.params, ...w.params) as [number, number, ...unknown[]][];
    if (!count) return { rows, total: undefined };
    const total = rows.length === 0 ? 0 : (rows[0]![rows[0]!.length - 1] as number);
    for (const r of rows) r.pop();
    return { rows, total };
  }

  /** Walks the sort order and checks the filter per run (the sort-driven plan), in two phases. */
  private sortDriven(project: number, sort: SortSql, filter: Frag, cursor: PageCursor | undefined, n: number): [number, number, ...unknown[]][] {
    const d = sort.dir === "desc" ? "DESC" : "ASC";
    const cmp = sort.dir === "desc" ? "<" : ">";
    const out: [number, number, ...unknown[]][] = [];
    // Phase A: runs with a sortable value, in order.
    if ((cursor === undefined || cursor.m === 0) && sort.m !== "1") {
      let sql: string;
      const params: unknown[] = [];
      if (sort.keyId !== undefined) {
        let range = `s.key_id = ${sort.keyId} AND s.t <= ${SORTABLE_MAX}`;
        if (cursor !== undefined) {
          range += ` AND (s.t, s.v, s.run) ${cmp} (?, ?, ?)`;
          params.push(cursor.k[0], cursor.k[1], cursor.tie);
        }
        sql = `SELECT s.run, 0, s.t, s.v, s.run FROM run_values s INDEXED BY run_values_by_key CROSS JOIN runs r ON r.id = s.run
          WHERE ${range} AND r.project_id = ${project} AND ${filter.sql}
          ORDER BY s.t ${d}, s.v ${d}, s.run ${d} LIMIT ${n}`;
      } else {
        const expr = sort.keys[0]!;
        let range = `r.project_id = ${project}`;
        if (sort.m !== "0") range += ` AND ${expr} IS NOT NULL`;
        if (cursor !== undefined) {
          range += ` AND (${expr}, ${sort.tie}) ${cmp} (?, ?)`;
          params.push(cursor.k[0], cursor.tie);
        }
        sql = `SELECT r.id, 0, ${expr}, ${sort.tie} FROM runs r WHERE ${range} AND ${filter.sql}
          ORDER BY ${expr} ${d}, ${sort.tie} ${d} LIMIT ${n}`;
      }
      out.push(...(this.eng.db.prepare(sql).raw(true).all(...params, ...filter.params) as [number, number, ...unknown[]][]));
    }
    if (out.length >= n || sort.m === "0") return out;
    // Phase B: runs without a sortable value, by the tie-breaker (row id).
    let range = `r.project_id = ${project}`;
    const params: unknown[] = [];
    if (cursor !== undefined && cursor.m === 1) {
      range += ` AND r.id ${cmp} ?`;
      params.push(cursor.tie);
    }
    let missing = "";
    if (sort.keyId !== undefined && sort.keyId !== null) {
      missing = ` AND NOT EXISTS (SELECT 1 FROM run_values s WHERE s.run = r.id AND s.key_id = ${sort.keyId} AND +s.t <= ${SORTABLE_MAX})`;
    } else if (sort.keyId === undefined) {
      missing = ` AND ${sort.keys[0]} IS NULL`;
    }
    const sql = `SELECT r.id, 1, r.id FROM runs r INDEXED BY runs_by_project WHERE ${range}${missing} AND ${filter.sql}
      ORDER BY r.id ${d} LIMIT ${n - out.length}`;
    out.push(...(this.eng.db.prepare(sql).raw(true).all(...params, ...filter.params) as [number, number, ...unknown[]][]));
    return out;
  }

  // ---------------------------------------------------------------- groups

  /**
   * Groups with counts and aggregates. Plans: a selective filter conjunct drives (as for pages);
   * else one key field streams groups in order from run_values_by_key (no sort of every run), with
   * the null group (runs without a value) computed only on the last page and only when the key's
   * type counts say some run lacks a value; else one grouped statement over the project's runs.
   */
  groups(
    project: number, runCount: number,
    by: readonly Field[],
    aggregates: readonly { field: Field; fns: readonly Aggregate[] }[],
    filter: FilterNode | null, search: string | undefined, limit: number, cursor: string | undefined,
  ): { groups: GroupRow[]; nextCursor: string | null } {
    const signature = JSON.stringify([by.map(fieldSignature), aggregates.map((a) => [fieldSignature(a.field), a.fns])]);
    let offset = 0;
    if (cursor !== undefined) {
      const c = decodeCursor(cursor, "group-by") as { s?: unknown; o?: unknown };
      if (c === null || typeof c !== "object" || c.s !== signature || typeof c.o !== "number" || !Number.isSafeInteger(c.o) || c.o < 0) throw invalidCursor("group-by");
      offset = c.o;
    }
    const conditions = this.where(project, filter, search);
    if (conditions.some((c) => c === FALSE)) return { groups: [], nextCursor: null };
    const byResolved = by.map((field) => {
      const f = this.resolve(project, field, "by");
      if (f.kind === "attribute" && f.name === "tags") throw new OrreryError("invalid_filter", "by: runs cannot be grouped by tags (a run has several): group by a key, group, jobType, state or name", "by");
      return f;
    });
    const aggResolved = aggregates.map((a) => {
      const f = this.resolve(project, a.field, "aggregate");
      if (f.kind === "attribute" && !["runtime", "exitCode", "lastStep", "createdAt", "startedAt", "endedAt", "heartbeatAt"].includes(f.name)) {
        throw new OrreryError("invalid_filter", `aggregate: ${f.name} is not a number: aggregate config or summary keys, runtime, exitCode or lastStep`, "aggregate");
      }
      return f;
    });
    const aggSql = (runRef: string): { joins: string[]; select: string[] } => {
      const joins: string[] = [];
      const select: string[] = [];
      aggResolved.forEach((f, i) => {
        let v: string;
        if (f.kind === "key") {
          if (f.id === null) v = "NULL";
          else {
            joins.push(`LEFT JOIN run_values a${i} ON a${i}.run = ${runRef} AND a${i}.key_id = ${f.id} AND +a${i}.t = ${T_NUMBER}`);
            v = `a${i}.v`;
          }
        } else {
          v = ATTRIBUTE_SQL[f.name];
        }
        select.push(`count(${v})`, `min(${v})`, `max(${v})`, `sum(${v})`);
      });
      return { joins, select };
    };
    const toGroup = (r: unknown[], key: unknown[], from: number): GroupRow => ({
      key, count: r[0] as number,
      aggregates: aggResolved.map((_, i) => {
        const o = from + 4 * i;
        const count = r[o] as number;
        const sum = r[o + 3] as number | null;
        return { count, mean: count > 0 && sum !== null ? sum / count : null, min: r[o + 1] as number | null, max: r[o + 2] as number | null, sum };
      }),
    });
    const page = (rows: GroupRow[], more: boolean) => ({ groups: rows, nextCursor: more ? encodeCursor({ s: signature, o: offset + limit }) : null });

    const driver = this.bestDriver(project, filter, search, Math.max(FILTER_DRIVEN_MIN, Math.floor(runCount / 8)));
    const only = byResolved.length === 1 ? byResolved[0]! : undefined;
    if (driver === undefined && only !== undefined && only.kind === "key" && only.id !== null) {
      // Streamed from the group key's ordered index; runs are joined only when a condition needs them.
      const K = only.id;
      const needRuns = conditions.length > 0 || aggResolved.some((f) => f.kind === "attribute");
      const runRef = needRuns ? "r.id" : "g.run";
      const a = aggSql(runRef);
      const where = join([frag(`g.key_id = ${K} AND g.t <> ${T_NULL}`), ...(needRuns ? [frag(`r.project_id = ${project}`)] : []), ...conditions], "AND");
      const rows = this.eng.db.prepare(
        `SELECT count(*), g.t, g.v${a.select.length > 0 ? ", " + a.select.join(", ") : ""}
         FROM run_values g INDEXED BY run_values_by_key ${needRuns ? "CROSS JOIN runs r ON r.id = g.run" : ""} ${a.joins.join(" ")}
         WHERE ${where.sql} GROUP BY g.t, g.v ORDER BY g.t, g.v LIMIT ${limit + 1} OFFSET ${offset}`,
      ).raw(true).all(...where.params) as unknown[][];
      const groups = rows.map((r) => toGroup(r, [decodeLeaf(r[1] as number, r[2])], 3));
      if (groups.length > limit) return page(groups.slice(0, limit), true);
      // The null group: runs whose value is null or missing. Skipped when every run has a value.
      const counts = this.eng.stmt("SELECT n1 + n2 + n3 + n4 + n5 + n7 FROM index_keys WHERE id = ?").pluck().get(K) as number;
      if (counts < runCount) {
        const b = aggSql("r.id");
        const w = join([
          frag(`r.project_id = ${project}`),
          frag(`NOT EXISTS (SELECT 1 FROM run_values x WHERE x.run = r.id AND x.key_id = ${K} AND +x.t <> ${T_NULL})`),
          ...conditions,
        ], "AND");
        const nul = this.eng.db.prepare(
          `SELECT count(*)${b.select.length > 0 ? ", " + b.select.join(", ") : ""} FROM runs r INDEXED BY runs_by_project ${b.joins.join(" ")} WHERE ${w.sql}`,
        ).raw(true).get(...w.params) as unknown[];
        // The null group is the last group: on this page if there is room, else alone on the next.
        if ((nul[0] as number) > 0) {
          if (groups.length === limit) return page(groups, true);
          groups.push(toGroup(nul, [null], 1));
        }
      }
      return page(groups, false);
    }

    // One grouped statement over the matching runs (or the driver's candidates).
    const joins: string[] = [];
    const select: string[] = [];
    const groupBy: string[] = [];
    const order: string[] = [];
    byResolved.forEach((f, i) => {
      if (f.kind === "key") {
        if (f.id === null) {
          select.push("NULL", "NULL");
          return;
        }
        joins.push(`LEFT JOIN run_values g${i} ON g${i}.run = r.id AND g${i}.key_id = ${f.id}`);
        const t = `nullif(g${i}.t, ${T_NULL})`;
        select.push(t, `g${i}.v`);
        groupBy.push(t, `g${i}.v`);
        order.push(`${t} IS NULL`, t, `g${i}.v`);
      } else {
        const expr = ATTRIBUTE_SQL[f.name];
        select.push("NULL", expr);
        groupBy.push(expr);
        order.push(`${expr} IS NULL`, expr);
      }
    });
    const a = aggSql("r.id");
    const where = join([
      frag(`r.project_id = ${project}`),
      ...(driver === undefined ? [] : [{ sql: `r.id IN (${driver.driver.sql})`, params: driver.driver.params }]),
      ...conditions,
    ], "AND");
    const rows = this.eng.db.prepare(
      `SELECT count(*), ${[...select, ...a.select].join(", ")} FROM runs r ${[...joins, ...a.joins].join(" ")} WHERE ${where.sql}
       ${groupBy.length > 0 ? `GROUP BY ${groupBy.join(", ")} ORDER BY ${order.join(", ")}` : ""} LIMIT ${limit + 1} OFFSET ${offset}`,
    ).raw(true).all(...where.params) as unknown[][];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const groups = rows.filter((r) => (r[0] as number) > 0).map((r) => {
      const key: unknown[] = [];
      by.forEach((field, i) => {
        const t = r[1 + 2 * i] as number | null;
        const v = r[2 + 2 * i];
        if (field.kind === "attribute") key.push(attributeValue(field, v));
        else key.push(t === null ? null : decodeLeaf(t, v));
      });
      return toGroup(r, key, 1 + 2 * by.length);
    });
    return page(groups, more);
  }

  /**
   * The conjunct whose index enumerates the fewest candidates, when at most `cap`: counts stop one
   * past the best so far, so a conjunct matching most runs costs little to rule out.
   */
  private bestDriver(project: number, filter: FilterNode | null, search: string | undefined, cap: number): { driver: Frag; count: number } | undefined {
    const conjuncts: (FilterNode | { type: "search"; text: string })[] = filter === null ? [] : filter.type === "and" ? filter.items : [filter];
    if (search !== undefined && search !== "") conjuncts.push({ type: "search", text: search });
    let best: { driver: Frag; count: number } | undefined;
    for (const c of conjuncts) {
      const d = this.driver(project, c);
      if (d === undefined) continue;
      const bound = best?.count ?? cap;
      const count = this.eng.db.prepare(`SELECT count(*) FROM (${d.sql} LIMIT ${bound + 1})`).pluck().get(...d.params) as number;
      if (count <= bound) best = { driver: d, count };
    }
    return best;
  }

  // ---------------------------------------------------------------- keys

  keys(project: number, scope: Scope | undefined, search: string | undefined, limit: number, cursor: string | undefined): { keys: KeyRow[]; nextCursor: string | null } {
    const params: unknown[] = [project];
    let where = "project_id = ?";
    if (scope !== undefined) {
      where += " AND kind = ?";
      params.push(scope === "config" ? CONFIG : SUMMARY);
    }
    if (cursor !== undefined) {
      const c = decodeCursor(cursor, "key listing");
      if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== "number" || typeof c[1] !== "string") throw invalidCursor("key listing");
      where += " AND (kind, key) > (?, ?)";
      params.push(c[0], c[1]);
    }
    if (search !== undefined && search !== "") {
      where += " AND instr(lower(replace(key, char(1), '.')), ?) > 0";
      params.push(asciiLower(search));
    }
    const rows = this.eng.db.prepare(
      `SELECT kind, key, n1, n2, n3, n4, n5, n6, n7 FROM index_keys WHERE ${where}
         AND n1 + n2 + n3 + n4 + n5 + n6 + n7 > 0 ORDER BY kind, key LIMIT ${limit + 1}`,
    ).raw(true).all(...params) as [number, string, ...number[]][];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const keys = rows.map((r): KeyRow => {
      const scopeName: Scope = r[0] === CONFIG ? "config" : "summary";
      const path = pathOf(r[1]);
      const types: Record<string, number> = {};
      let runs = 0;
      for (let t = 1; t <= 7; t++) {
        const n = r[t + 1] as number;
        if (n > 0) {
          types[TYPE_NAMES[t]!] = (types[TYPE_NAMES[t]!] ?? 0) + n;
          runs += n;
        }
      }
      return { scope: scopeName, path, field: `${scopeName}.${formatPath(path)}`, runs, types };
    });
    const last = rows[rows.length - 1];
    return { keys, nextCursor: more && last !== undefined ? encodeCursor([last[0], last[1]]) : null };
  }

  // ---------------------------------------------------------------- values of one run

  /** The run's config as an object, at most `max` leaves (in the order keys were first logged). */
  config(run: number, max: number): JsonObject {
    const rows = this.eng.stmt(
      `SELECT k.key, v.t, v.v FROM run_values v JOIN index_keys k ON k.id = v.key_id WHERE v.run = ? AND k.kind = ${CONFIG} LIMIT ?`,
    ).raw(true).all(run, max) as [string, number, unknown][];
    return build(rows, 0);
  }

  /** Values of the given fields for each run (RunRow.values), keyed by `texts`. */
  values(project: number, runs: readonly number[], fields: readonly { text: string; field: Field }[]): Map<number, JsonObject> {
    const out = new Map<number, JsonObject>(runs.map((r) => [r, {} as JsonObject]));
    const one = this.eng.stmt("SELECT t, v FROM run_values WHERE run = ? AND key_id = ?").raw(true);
    const subtree = this.eng.stmt(
      `SELECT k.key, v.t, v.v FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
       WHERE k.project_id = ? AND k.kind = ? AND k.key > ? AND k.key < ? LIMIT ${OBJECT_COLUMN_MAX_LEAVES}`,
    ).raw(true);
    for (const { text, field } of fields) {
      const f = this.resolve(project, field, "columns");
      if (f.kind === "attribute") continue; // run fields are in every row already
      // A run holds the key as a leaf, or (summary.acc once a number, now an override object) an object below it.
      const kind = f.scope === "config" ? CONFIG : SUMMARY;
      const below = f.subtree || (f.id !== null && this.eng.stmt("SELECT 1 FROM index_keys WHERE project_id = ? AND kind = ? AND key > ? AND key < ? LIMIT 1")
        .pluck().get(project, kind, f.canonical + SEP, f.canonical + AFTER) !== undefined);
      const depth = pathOf(f.canonical).length;
      for (const r of runs) {
        const row = f.id === null ? undefined : one.get(r, f.id) as [number, unknown] | undefined;
        let value: unknown;
        if (row !== undefined) value = decodeLeaf(row[0], row[1]);
        else if (below) {
          const rows = subtree.all(r, project, kind, f.canonical + SEP, f.canonical + AFTER) as [string, number, unknown][];
          if (rows.length > 0) value = build(rows, depth);
        }
        if (value !== undefined) Object.defineProperty(out.get(r)!, text, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- config tree

  configTree(
    run: number, project: number, keyCount: number, prefix: readonly string[], search: string | undefined, limit: number, cursor: string | undefined,
  ): { entries: TreeEntry[]; nextCursor: string | null } {
    const base = prefix.join(SEP);
    const lo = prefix.length > 0 ? base + SEP : "";
    const hi = prefix.length > 0 ? base + AFTER : undefined;
    let from = lo;
    if (cursor !== undefined) {
      const c = decodeCursor(cursor, "config tree");
      if (!Array.isArray(c) || c.length !== 2 || c[0] !== base || typeof c[1] !== "string" || c[1] < lo) throw invalidCursor("config tree");
      from = c[1];
    }
    const needle = search === undefined || search === "" ? undefined : asciiLower(search);
    if (keyCount <= SMALL_CONFIG_KEYS) return this.treeInMemory(run, prefix, lo, hi, from, needle, limit);
    return needle === undefined ? this.treeSkipScan(run, project, prefix, lo, hi, from, limit) : this.searchScan(run, project, prefix, lo, hi, from, needle, limit);
  }

  private treeInMemory(
    run: number, prefix: readonly string[], lo: string, hi: string | undefined, from: string, needle: string | undefined, limit: number,
  ): { entries: TreeEntry[]; nextCursor: string | null } {
    const base = prefix.join(SEP);
    let rows = this.eng.stmt(
      `SELECT k.key, v.t, v.v FROM run_values v JOIN index_keys k ON k.id = v.key_id WHERE v.run = ? AND k.kind = ${CONFIG}`,
    ).raw(true).all(run) as [string, number, unknown][];
    rows = rows.filter((r) => r[0].startsWith(lo) && compareBytes(r[0], from) >= 0 && (hi === undefined || compareBytes(r[0], hi) < 0));
    rows.sort((a, b) => compareBytes(a[0], b[0]));
    const entries: TreeEntry[] = [];
    if (needle !== undefined) {
      for (const r of rows) {
        if (!matches(r, needle)) continue;
        if (entries.length === limit) return { entries, nextCursor: encodeCursor([base, r[0]]) };
        entries.push(leafEntry(r[0], r[1], r[2]));
      }
      return { entries, nextCursor: null };
    }
    let i = 0;
    while (i < rows.length) {
      const seg = pathOf(rows[i]![0].slice(lo.length))[0]!;
      const child = lo + seg;
      let j = i;
      while (j < rows.length && (rows[j]![0] === child || rows[j]![0].startsWith(child + SEP))) j++;
      if (entries.length === limit) return { entries, nextCursor: encodeCursor([base, child]) };
      const r = rows[i]!;
      if (j - i === 1 && r[0] === child) entries.push(leafEntry(child, r[1], r[2]));
      else entries.push({ key: seg, path: formatPath(pathOf(child)), keyCount: Math.min(j - i, TREE_COUNT_CAP), keyCountCapped: j - i > TREE_COUNT_CAP });
      i = j;
    }
    return { entries, nextCursor: null };
  }

  /** One level of a big config: hops from child to child through the dictionary (one seek each). */
  private treeSkipScan(
    run: number, project: number, prefix: readonly string[], lo: string, hi: string | undefined, from: string, limit: number,
  ): { entries: TreeEntry[]; nextCursor: string | null } {
    const base = prefix.join(SEP);
    const next = this.eng.stmt(
      `SELECT k.key, v.t, v.v FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
       WHERE k.project_id = ? AND k.kind = ${CONFIG} AND k.key >= ? AND k.key < ? ORDER BY k.key LIMIT 1`,
    ).raw(true);
    const count = this.eng.stmt(
      `SELECT count(*) FROM (SELECT 1 FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
       WHERE k.project_id = ? AND k.kind = ${CONFIG} AND k.key >= ? AND k.key < ? LIMIT ${TREE_COUNT_CAP + 1})`,
    ).pluck();
    const top = hi ?? "\u{10FFFF}\u{10FFFF}";
    const entries: TreeEntry[] = [];
    let at = from;
    for (;;) {
      const row = next.get(run, project, at, top) as [string, number, unknown] | undefined;
      if (row === undefined) return { entries, nextCursor: null };
      const seg = pathOf(row[0].slice(lo.length))[0]!;
      const child = lo + seg;
      if (entries.length === limit) return { entries, nextCursor: encodeCursor([base, child]) };
      if (row[0] === child) {
        entries.push(leafEntry(child, row[1], row[2]));
      } else {
        const n = count.get(run, project, child + SEP, child + AFTER) as number;
        entries.push({ key: seg, path: formatPath(pathOf(child)), keyCount: Math.min(n, TREE_COUNT_CAP), keyCountCapped: n > TREE_COUNT_CAP });
      }
      at = child + AFTER;
    }
  }

  /** Search hits under a prefix of a big config, in path order. */
  private searchScan(
    run: number, project: number, prefix: readonly string[], lo: string, hi: string | undefined, from: string, needle: string, limit: number,
  ): { entries: TreeEntry[]; nextCursor: string | null } {
    const base = prefix.join(SEP);
    const rows = this.eng.db.prepare(
      `SELECT k.key, v.t, v.v FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
       WHERE k.project_id = ? AND k.kind = ${CONFIG} AND k.key >= ? ${hi === undefined ? "" : "AND k.key < ?"}
         AND (instr(lower(replace(k.key, char(1), '.')), ?) > 0 OR (v.t = ${T_STRING} AND instr(lower(v.v), ?) > 0))
       ORDER BY k.key LIMIT ${limit + 1}`,
    ).raw(true).all(...[run, project, from, ...(hi === undefined ? [] : [hi]), needle, needle]) as [string, number, unknown][];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const entries = rows.map((r) => leafEntry(r[0], r[1], r[2]));
    const last = rows[rows.length - 1];
    return { entries, nextCursor: more && last !== undefined ? encodeCursor([base, last[0] + "\u0000"]) : null };
  }
}

const DEFAULT_SORT: SortSpec = { field: { kind: "attribute", name: "createdAt", start: 0, end: 0 }, direction: "desc" };

function fieldSignature(f: Field): string {
  return f.kind === "key" ? `${f.scope}.${f.path.join(SEP)}` : f.name;
}

function parsePageCursor(cursor: string, signature: string): PageCursor {
  const c = decodeCursor(cursor, "sort") as { s?: unknown; m?: unknown; k?: unknown; t?: unknown } | null;
  if (c === null || typeof c !== "object" || (c.m !== 0 && c.m !== 1) || !Array.isArray(c.k)) throw invalidCursor("sort");
  if (c.s !== signature) {
    throw new OrreryError("invalid_request", "cursor belongs to a different sort: pass the nextCursor of a page with the same sort, or omit it to start over", "cursor");
  }
  return { sig: signature, m: c.m, k: c.k.map((v) => unpackValue(v, "sort")), tie: unpackValue(c.t ?? null, "sort") };
}

/** The keyset condition "after the cursor" for the single-statement form. */
function keysetSingle(sort: SortSql, c: PageCursor): Frag {
  const cmp = sort.dir === "desc" ? "<" : ">";
  if (c.m === 1) return frag(`(${sort.m} = 1 AND ${sort.tie} ${cmp} ?)`, [c.tie]);
  if (sort.keys.length === 0) return frag(`${sort.m} = 1`);
  const marks = [...sort.keys, sort.tie].map(() => "?").join(", ");
  return frag(`((${sort.m} = 0 AND (${[...sort.keys, sort.tie].join(", ")}) ${cmp} (${marks})) OR ${sort.m} = 1)`, [...c.k, c.tie]);
}

function negate(f: Frag): Frag {
  if (f === FALSE) return TRUE;
  if (f === TRUE) return FALSE;
  return { sql: `NOT ${f.sql}`, params: f.params };
}

function literalType(l: Literal): number {
  switch (l.kind) {
    case "number": return Number.isNaN(l.value) ? T_NAN : T_NUMBER;
    case "string": return T_STRING;
    case "bool": return T_BOOL;
    case "null": return T_NULL;
  }
}

/**
 * `a.t/a.v` equal to any of the literals, typed. Inside a per-run EXISTS, `a` is "+x": the unary +
 * keeps SQLite from answering it with a range of run_values_by_key instead of one primary-key seek.
 */
function keyEquals(a: string, values: readonly Literal[]): Frag {
  const byType = new Map<number, unknown[]>();
  for (const l of values) {
    const t = literalType(l);
    let list = byType.get(t);
    if (list === undefined) byType.set(t, (list = []));
    if (l.kind === "number" || l.kind === "string") list.push(l.value);
    else if (l.kind === "bool") list.push(l.value ? 1 : 0);
  }
  const parts: Frag[] = [];
  for (const [t, list] of byType) {
    if (t === T_NAN || t === T_NULL) parts.push(frag(`${a}.t = ${t}`));
    else if (list.length === 1) parts.push(frag(`(${a}.t = ${t} AND ${a}.v = ?)`, list));
    else parts.push(frag(`(${a}.t = ${t} AND ${a}.v IN (${list.map(() => "?").join(", ")}))`, list));
  }
  return join(parts, "OR");
}

function keyOrder(a: string, op: string, l: Literal): Frag {
  if (l.kind === "number") return frag(`(${a}.t = ${T_NUMBER} AND ${a}.v ${op} ?)`, [l.value]);
  if (l.kind === "string") return frag(`(${a}.t = ${T_STRING} AND ${a}.v ${op} ?)`, [l.value]);
  return FALSE;
}

function keyContains(l: Literal): Frag {
  const inArray = (cond: string, params: unknown[]): Frag =>
    frag(`(+x.t = 4 AND EXISTS (SELECT 1 FROM json_each(x.v) j WHERE ${cond}))`, params);
  switch (l.kind) {
    case "string":
      return frag(`((+x.t = ${T_STRING} AND instr(lower(x.v), ?) > 0) OR (+x.t = 4 AND EXISTS (SELECT 1 FROM json_each(x.v) j WHERE j.type = 'text' AND j.value = ?)))`, [asciiLower(l.value), l.value]);
    case "number": return inArray("j.type IN ('integer', 'real') AND j.value = ?", [l.value]);
    case "bool": return inArray(`j.type = '${l.value ? "true" : "false"}'`, []);
    case "null": return FALSE;
  }
}

function attributeCondition(name: RunAttribute, node: FilterNode): Frag {
  const col = ATTRIBUTE_SQL[name];
  if (name === "tags") {
    const has = (values: readonly Literal[]): Frag => frag(
      `EXISTS (SELECT 1 FROM run_tags g WHERE g.run = r.id AND g.tag IN (${values.map(() => "?").join(", ")}))`,
      values.map((v) => (v as { value: unknown }).value),
    );
    switch (node.type) {
      case "exists": return frag("EXISTS (SELECT 1 FROM run_tags g WHERE g.run = r.id)");
      case "compare": return node.op === "=" ? has([node.value]) : negate(has([node.value]));
      case "in": return has(node.values);
      case "contains": return has([node.value]);
      default: throw new Error("unreachable");
    }
  }
  const eq = (l: Literal): Frag => (l.kind === "null" ? frag(`(${col} IS NULL)`) : frag(`(${col} IS ?)`, [(l as { value: unknown }).value]));
  switch (node.type) {
    case "exists": return frag(`(${col} IS NOT NULL)`);
    case "compare":
      if (node.op === "=") return eq(node.value);
      if (node.op === "!=") return negate(eq(node.value));
      return frag(`coalesce(${col} ${node.op} ?, 0)`, [(node.value as { value: unknown }).value]);
    case "in": return join(node.values.map(eq), "OR");
    case "contains":
      return frag(`coalesce(instr(lower(${col}), ?) > 0, 0)`, [asciiLower((node.value as { value: string }).value)]);
    default: throw new Error("unreachable");
  }
}

function searchCondition(text: string): Frag {
  const q = asciiLower(text);
  return frag(`(instr(lower(r.name), ?) > 0 OR EXISTS (SELECT 1 FROM run_tags g WHERE g.run = r.id AND instr(lower(g.tag), ?) > 0))`, [q, q]);
}

/** An FTS5 phrase: the text in double quotes (trigram phrases match as substrings). */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function attributeValue(field: AttributeField, v: unknown): unknown {
  const name = field.name;
  if (v === null) return null;
  if (name === "createdAt" || name === "startedAt" || name === "endedAt" || name === "heartbeatAt") return new Date(v as number).toISOString();
  return v;
}

/** Builds an object from (key, t, v) rows, dropping the first `depth` segments of each key. */
function build(rows: readonly [string, number, unknown][], depth: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, t, v] of rows) {
    const path = pathOf(key);
    setPath(out, depth === 0 ? path : path.slice(depth), decodeLeaf(t, v));
  }
  return out;
}

function leafEntry(key: string, t: number, v: unknown): TreeEntry {
  const path = pathOf(key);
  return { key: path[path.length - 1]!, path: formatPath(path), value: decodeLeaf(t, v) };
}

function matches(r: [string, number, unknown], needle: string): boolean {
  if (asciiLower(r[0].split(SEP).join(".")).includes(needle)) return true;
  return r[1] === T_STRING && asciiLower(r[2] as string).includes(needle);
}

/** Orders strings as SQLite's BINARY collation does (UTF-8 bytes = code points). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
