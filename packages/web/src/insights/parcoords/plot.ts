// Owns the parallel-coordinates plot's state between React renders, so that a brush move is one
// selection pass plus one raster pass with no re-render in between: the columns and their sorted
// indexes (built once per key and kept), the pixel geometry (rebuilt on resize, reorder, log or
// flip), colours and draw order (per colour key), the selection mask, and two pixel buffers: the
// dim background of every line (drawn once per geometry, only once a brush exists) and the frame
// that is copied to the canvas.
import type { RunValues } from "@orrery/protocol";
import type { Brush } from "../context";
import { colorScale, makeScale, pack, positions, toColumn, type Cell, type ColorScale, type Column, type Scale } from "../scale";
import { strokeLines } from "./paths";
import { drawLinesOpaque, drawOrder, pixelYs, type LineGeometry } from "./raster";
import { buildIndex, selectBrushed, type BrushInput, type SortedIndex } from "./select";

export interface AxisSpec { key: string; log: boolean; flip: boolean }

export interface PlacedAxis extends AxisSpec {
  column: Column;
  scale: Scale;
  x: number;
}

const WHITE = pack(255, 255, 255);
const DIM = pack(221, 225, 232);
/** Up to this many runs the canvas strokes (anti-aliased); above it the hand raster (raster.ts). */
export const STROKE_LIMIT = 3000;

export class ParcoordsPlot {
  readonly n: number;
  readonly ids: string[];
  readonly names: string[];
  private readonly cells: Record<string, Cell[]>;
  private readonly columns = new Map<string, Column>();
  private readonly indexes = new Map<string, SortedIndex>();
  axes: PlacedAxis[] = [];
  colors: ColorScale;
  private order: Uint32Array;
  private geometry: LineGeometry | null = null;
  private background: Uint32Array | null = null;
  private frame: ImageData | null = null;
  /** Scratch for the raster's topmost-segment pass. */
  private last = new Int32Array(0);
  readonly mask: Uint8Array;
  private readonly counts: Uint8Array;
  selected: number;
  /** Milliseconds the last select + draw took (shown as data-draw-ms, read by the benchmark). */
  lastDrawMs = 0;

  constructor(data: RunValues) {
    this.n = data.ids.length;
    this.ids = data.ids;
    this.names = data.names;
    this.cells = data.columns as Record<string, Cell[]>;
    this.mask = new Uint8Array(this.n).fill(1);
    this.counts = new Uint8Array(this.n);
    this.selected = this.n;
    this.colors = colorScale(this.n, null);
    this.order = drawOrder(this.colors.rank);
  }

  has(key: string): boolean {
    return key in this.cells;
  }

  column(key: string): Column | null {
    let c = this.columns.get(key);
    if (!c) {
      const cells = this.cells[key];
      if (!cells) return null;
      c = toColumn(key, cells);
      this.columns.set(key, c);
    }
    return c;
  }

  private index(key: string): SortedIndex | null {
    let ix = this.indexes.get(key);
    if (!ix) {
      const c = this.column(key);
      if (!c) return null;
      ix = buildIndex(c);
      this.indexes.set(key, ix);
    }
    return ix;
  }

  setColor(key: string): void {
    const col = key ? this.column(key) : null;
    this.colors = colorScale(this.n, col);
    this.order = drawOrder(this.colors.rank);
  }

  /** Places the axes in a width x height buffer; lines span [top, top + plotH]. */
  layout(specs: AxisSpec[], width: number, height: number, top: number, plotH: number, side: number): void {
    const placed: PlacedAxis[] = [];
    for (const s of specs) {
      const column = this.column(s.key);
      if (column) placed.push({ ...s, column, scale: makeScale(column, { log: s.log, flip: s.flip }), x: 0 });
    }
    const k = placed.length;
    placed.forEach((a, i) => { a.x = k === 1 ? Math.round(width / 2) : Math.round(side + (i * (width - 2 * side)) / (k - 1)); });
    this.axes = placed;
    const prev = this.geometry;
    this.geometry = {
      width, height,
      xs: Int32Array.from(placed.map((a) => a.x)),
      ys: placed.map((a, i) => pixelYs(positions(a.column, a.scale), top, plotH, prev?.ys[i])),
    };
    this.background = null;
    const big = this.n > STROKE_LIMIT && width > 0 && height > 0;
    if (big && (!this.frame || this.frame.width !== width || this.frame.height !== height)) this.frame = new ImageData(width, height);
    const scratch = Math.max(0, placed.length - 1) * height * height;
    if (big && this.last.length < scratch) this.last = new Int32Array(scratch);
  }

  /** Runs inside every brush (brushes on keys this plot has not loaded are left out). */
  select(brushes: readonly Brush[]): number {
    const inputs: BrushInput[] = [];
    for (const b of brushes) {
      const cells = this.cells[b.key];
      if (cells) inputs.push({ brush: b, index: this.index(b.key), cells });
    }
    this.selected = selectBrushed(this.n, inputs, this.mask, this.counts);
    return this.selected;
  }

  /** Draws the current selection: all lines in colour without brushes, else selected lines over the dim background. */
  draw(ctx: CanvasRenderingContext2D, brushed: boolean): void {
    const g = this.geometry;
    if (!g || g.width === 0) return;
    if (this.n <= STROKE_LIMIT) {
      ctx.clearRect(0, 0, g.width, g.height);
      const wide = this.n <= 500;
      if (brushed) strokeLines(ctx, g, this.order, null, DIM, 1, 1);
      strokeLines(ctx, g, this.order, brushed ? this.mask : null, this.colors.colors, wide ? 1.5 : 1, wide ? 0.9 : 0.6);
      return;
    }
    const frame = this.frame;
    if (!frame) return;
    const buf = new Uint32Array(frame.data.buffer);
    if (brushed) {
      if (!this.background) {
        const bg = new Uint32Array(g.width * g.height).fill(WHITE);
        drawLinesOpaque(bg, g, this.order, null, DIM, this.last);
        this.background = bg;
      }
      buf.set(this.background);
      drawLinesOpaque(buf, g, this.order, this.mask, this.colors.colors, this.last);
    } else {
      buf.fill(WHITE);
      drawLinesOpaque(buf, g, this.order, null, this.colors.colors, this.last);
    }
    ctx.putImageData(frame, 0, 0);
  }

  /** Select + draw, timed. */
  update(ctx: CanvasRenderingContext2D | null, brushes: readonly Brush[]): number {
    const t = performance.now();
    const count = this.select(brushes);
    if (ctx) this.draw(ctx, brushes.some((b) => this.has(b.key)));
    this.lastDrawMs = performance.now() - t;
    return count;
  }
}
