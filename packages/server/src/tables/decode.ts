// Owns turning a stored table body into columns the page, compare and confusion code work on:
// number columns become float64 (NaN for "NaN", infinities), every other cell stays as stored.
// Also keeps decoded tables by body digest in an LRU bounded by rows, since
// paging a 100,000-row table must not parse its body on every page (TableCache).
import type { TableColumn, TableColumnType } from "@orrery/protocol";
import { parseTableBody, type Store, type StoredCell, type StoredImageCell } from "@orrery/store";

/** A decoded cell: numbers as float64 (NaN, ±Infinity), images as their stored reference. */
export type Cell = number | string | boolean | null | StoredImageCell;

export interface DecodedColumn {
  /** The name filters and sorts use for the column. */
  name: string;
  type: TableColumnType;
  values: Cell[];
  /** Labels of class ids, for class columns ({} otherwise). */
  classes: Record<string, string>;
}

export interface DecodedTable {
  digest: string;
  columns: TableColumn[];
  classes: Record<string, string>;
  rows: number;
  cols: DecodedColumn[];
  /** Sort orders computed so far, by "<column>:<dir>": row positions in order. */
  sorts: Map<string, Uint32Array>;
}

function decodeCell(type: TableColumnType, c: StoredCell): Cell {
  if (type !== "number" || typeof c !== "string") return c;
  return c === "NaN" ? NaN : c === "-Infinity" ? -Infinity : Infinity;
}

export function decodeBody(digest: string, bytes: Buffer): DecodedTable {
  const body = parseTableBody(bytes);
  const classes = body.classes ?? {};
  const cols = body.columns.map((col, c): DecodedColumn => {
    const raw = body.data[c] ?? [];
    const values: Cell[] = new Array<Cell>(body.rows);
    for (let r = 0; r < body.rows; r++) values[r] = decodeCell(col.type, raw[r] ?? null);
    return { name: col.name, type: col.type, values, classes: col.type === "class" ? classes : {} };
  });
  return { digest, columns: body.columns, classes, rows: body.rows, cols, sorts: new Map() };
}

/**
 * Decoded tables by digest, least recently used first out, holding at most maxCells cells
 * (rows x columns) in all: the memory a table takes grows with its cells, not its rows.
 */
export class TableCache {
  private readonly entries = new Map<string, DecodedTable>();
  private readonly loading = new Map<string, Promise<DecodedTable>>();
  private cells = 0;

  constructor(private readonly store: Store, readonly maxCells = 20_000_000) {}

  async get(digest: string): Promise<DecodedTable> {
    const hit = this.entries.get(digest);
    if (hit !== undefined) {
      this.entries.delete(digest);
      this.entries.set(digest, hit);
      return hit;
    }
    // Concurrent pages of one table share one read and parse.
    let p = this.loading.get(digest);
    if (p === undefined) {
      p = this.load(digest).finally(() => this.loading.delete(digest));
      this.loading.set(digest, p);
    }
    return p;
  }

  /** Cells held now (for tests and diagnostics). */
  get heldCells(): number {
    return this.cells;
  }

  private async load(digest: string): Promise<DecodedTable> {
    const stream = await this.store.blobs.get(digest);
    if (stream === undefined) throw new Error(`table body ${digest} is missing from the blob store`);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    const table = decodeBody(digest, Buffer.concat(parts));
    this.entries.set(digest, table);
    this.cells += cellsOf(table);
    for (const [d, t] of this.entries) {
      if (this.cells <= this.maxCells || d === digest) break;
      this.entries.delete(d);
      this.cells -= cellsOf(t);
    }
    return table;
  }
}

function cellsOf(t: DecodedTable): number {
  return t.rows * Math.max(1, t.cols.length);
}
