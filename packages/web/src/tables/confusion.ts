// Owns the confusion-matrix view's arithmetic: which columns can be actual/predicted (class and
// string columns) and the likely pair, cell shading by count, and the filter a cell click sets. Pure.
import { equals } from "./cells";
import type { TableColumn } from "./wire";

/** Columns a confusion matrix can use: classes and strings. */
export function labelColumns(columns: readonly TableColumn[]): TableColumn[] {
  return columns.filter((c) => c.type === "class" || c.type === "string");
}

const ACTUAL = ["label", "actual", "target", "truth", "ground_truth", "gt", "y_true", "y"];
const PREDICTED = ["pred", "prediction", "predicted", "y_pred", "guess", "output"];

function byName(columns: readonly TableColumn[], names: readonly string[]): TableColumn | undefined {
  for (const n of names) {
    const hit = columns.find((c) => c.name.toLowerCase() === n);
    if (hit) return hit;
  }
  return undefined;
}

/** The columns to start with: conventional names first, else the first two class (then string) columns. */
export function defaultPair(columns: readonly TableColumn[]): { actual: string; predicted: string } | null {
  const usable = labelColumns(columns);
  const ordered = [...usable.filter((c) => c.type === "class"), ...usable.filter((c) => c.type !== "class")];
  const actual = byName(usable, ACTUAL) ?? ordered[0];
  const predicted = byName(usable.filter((c) => c !== actual), PREDICTED) ?? ordered.find((c) => c !== actual);
  return actual && predicted ? { actual: actual.name, predicted: predicted.name } : null;
}

/** The filter selecting one cell's rows: `actual = X and predicted = Y`. */
export function cellFilter(actualCol: string, predictedCol: string, actual: string, predicted: string): string {
  return `${equals(actualCol, actual)} and ${equals(predictedCol, predicted)}`;
}

/** Background for a count: white at 0, the accent blue at the matrix's largest count (square root, so small counts show). */
export function shade(count: number, max: number): { background: string; color: string } {
  const t = max > 0 && count > 0 ? Math.sqrt(count / max) : 0;
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return { background: `rgb(${mix(255, 59)}, ${mix(255, 91)}, ${mix(255, 219)})`, color: t > 0.55 ? "#fff" : "#1d2330" };
}

/** The largest count of the matrix. */
export function maxCount(matrix: readonly (readonly number[])[]): number {
  let max = 0;
  for (const row of matrix) for (const v of row) if (v > max) max = v;
  return max;
}
