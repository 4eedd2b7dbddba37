// Owns grid search: the size of the grid and its points in a fixed order (declaration order of the
// parameters, the last one varying fastest, like itertools.product).
import type { SweepConfig } from "./config.js";
import { gridValues, searchSpace, type SearchSpace } from "./space.js";

/** Number of grid points, or null when some parameter has infinitely many values. */
export function gridSize(config: Pick<SweepConfig, "parameters">): number | null {
  let n = 1;
  for (const d of searchSpace(config).dims) {
    const v = gridValues(d);
    if (!v) return null;
    n *= v.length;
  }
  return n;
}

/** The i-th grid point (flat params). */
export function gridPoint(space: SearchSpace, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let rest = index;
  for (let j = space.dims.length - 1; j >= 0; j--) {
    const vals = gridValues(space.dims[j])!;
    out[space.dims[j].name] = vals[rest % vals.length];
    rest = Math.floor(rest / vals.length);
  }
  // Keep declaration order in the object.
  return Object.fromEntries(space.dims.map((d) => [d.name, out[d.name]]));
}

export const paramsKey = (space: SearchSpace, params: Record<string, unknown>): string =>
  JSON.stringify(space.dims.map((d) => params[d.name] ?? null));

/**
 * The next `n` grid points no trial has used yet, scanning from `start` (the controller's cursor)
 * and wrapping once so points skipped earlier (e.g. a lost trial's) are still found.
 */
export function nextGridPoints(config: SweepConfig, used: Record<string, unknown>[], n: number, start = 0): Record<string, unknown>[] {
  const size = gridSize(config);
  if (size === null) throw new Error("grid search needs every parameter to be finite (validated by parseSweepConfig)");
  const space = searchSpace(config);
  const seen = new Set(used.map((p) => paramsKey(space, p)));
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < size && out.length < n; k++) {
    const p = gridPoint(space, (start + k) % size);
    const key = paramsKey(space, p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}
