// Owns comparing one table key across runs: joining the runs' tables row by row on a join column
// (or on row position, `_index`) into one frame that query.ts pages like a single table. The join
// column comes once; every other column once per run, named <runId>/<column> for sort and filter.
// Repeated join values pair up by occurrence (the 2nd "x" of run A with the 2nd "x" of run B), so
// no logged row is dropped; rows missing from a run get null cells for its columns.
import { OrreryError, type TableCompareColumn } from "@orrery/protocol";
import type { Cell, DecodedColumn, DecodedTable } from "./decode.js";
import type { Frame } from "./query.js";

export const INDEX_JOIN = "_index";

export interface JoinedTables { columns: TableCompareColumn[]; frame: Frame }

function joinKey(c: Cell): string {
  if (c === null) return "n";
  if (typeof c === "number") return `d${c}`;
  if (typeof c === "string") return `s${c}`;
  if (typeof c === "boolean") return c ? "t" : "f";
  return `i${c.digest}`;
}

/** Row of each joined row in each run's table (-1: absent there), in first-run order then later runs'. */
function joinRows(tables: readonly DecodedTable[], join: string): { rows: number; at: Int32Array[]; joinValues: Cell[] } {
  if (join === INDEX_JOIN) {
    const rows = Math.max(...tables.map((t) => t.rows));
    const at = tables.map((t) => Int32Array.from({ length: rows }, (_, j) => (j < t.rows ? j : -1)));
    return { rows, at, joinValues: Array.from({ length: rows }, (_, j) => j) };
  }
  const slot = new Map<string, number>();
  const joinValues: Cell[] = [];
  const lists: number[][] = tables.map(() => []);
  tables.forEach((t, k) => {
    const col = t.cols.find((c) => c.name === join)!;
    const seen = new Map<string, number>();
    for (let r = 0; r < t.rows; r++) {
      const v = col.values[r]!;
      const base = joinKey(v);
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const key = `${n}#${base}`;
      let j = slot.get(key);
      if (j === undefined) {
        j = joinValues.length;
        slot.set(key, j);
        joinValues.push(v);
        for (const l of lists) l.push(-1);
      }
      lists[k]![j] = r;
    }
  });
  return { rows: joinValues.length, at: lists.map((l) => Int32Array.from(l)), joinValues };
}

/** Joins the runs' tables (same order as runIds) on `join`; 400 (field join) when a table lacks the column. */
export function joinTables(runIds: readonly string[], tables: readonly DecodedTable[], join: string): JoinedTables {
  let joinCol: DecodedColumn | undefined;
  if (join !== INDEX_JOIN) {
    for (const [k, t] of tables.entries()) {
      const col = t.cols.find((c) => c.name === join);
      if (col === undefined) {
        throw new OrreryError("invalid_request", `run ${runIds[k]}'s table has no column ${JSON.stringify(join)}: join on a column every run's table has, or on _index (row position)`, "join");
      }
      if (col.type === "image") throw new OrreryError("invalid_request", `column ${JSON.stringify(join)} holds images: join on an id column, or on _index`, "join");
      if (joinCol !== undefined && col.type !== joinCol.type) {
        throw new OrreryError("invalid_request", `column ${JSON.stringify(join)} is ${joinCol.type} in run ${runIds[0]} but ${col.type} in run ${runIds[k]}: join on a column of one type`, "join");
      }
      joinCol ??= col;
    }
  }
  const { rows, at, joinValues } = joinRows(tables, join);
  const columns: TableCompareColumn[] = [{ name: join, type: joinCol?.type ?? "number", run: null, key: join }];
  const cols: DecodedColumn[] = [{ name: join, type: joinCol?.type ?? "number", values: joinValues, classes: joinCol?.classes ?? {} }];
  tables.forEach((t, k) => {
    const runId = runIds[k]!;
    const pos = at[k]!;
    for (const col of t.cols) {
      if (col.name === join) continue;
      const key = `${runId}/${col.name}`;
      const values = new Array<Cell>(rows);
      for (let j = 0; j < rows; j++) { const r = pos[j]!; values[j] = r < 0 ? null : col.values[r]!; }
      columns.push({ name: col.name, type: col.type, run: runId, key });
      cols.push({ name: key, type: col.type, values, classes: col.classes });
    }
  });
  return { columns, frame: { rows, cols, sorts: new Map() } };
}

/** The last few joins, by their tables' digests and join column: paging a comparison joins once. */
export class JoinCache {
  private readonly entries = new Map<string, JoinedTables>();

  constructor(private readonly max = 8) {}

  get(runIds: readonly string[], tables: readonly DecodedTable[], join: string): JoinedTables {
    const id = `${join}\u0000${runIds.map((r, k) => `${r}=${tables[k]!.digest}`).join(",")}`;
    let hit = this.entries.get(id);
    if (hit !== undefined) {
      this.entries.delete(id);
    } else {
      hit = joinTables(runIds, tables, join);
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(id, hit);
    return hit;
  }
}
