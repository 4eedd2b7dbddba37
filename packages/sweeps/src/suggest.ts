// Owns the single entry point the controller calls for new parameter sets: dispatches on method.
import type { SweepConfig } from "./config.js";
import { bayesSuggest } from "./bayes.js";
import type { Trial } from "./encode.js";
import { gridSize, nextGridPoints } from "./grid.js";
import type { Rng } from "./rng.js";
import { sampleParams, searchSpace } from "./space.js";
import { tpeSuggest } from "./tpe.js";

/**
 * `n` new flat param sets. `trials` is everything so far, including running/pending ones (their
 * params count as pending points) and warm-start trials from prior sweeps. Grid returns the next
 * unused grid points (from `opts.gridIndex` when given) and [] once the grid is exhausted.
 */
export function suggest(config: SweepConfig, trials: Trial[], n: number, rng: Rng, opts: { gridIndex?: number } = {}): Record<string, unknown>[] {
  if (n <= 0) return [];
  switch (config.method) {
    case "grid":
      return nextGridPoints(config, trials.map((t) => t.params), n, opts.gridIndex ?? 0);
    case "random": {
      const space = searchSpace(config);
      return Array.from({ length: n }, () => sampleParams(space, rng));
    }
    case "bayes":
      return bayesSuggest(config, trials, n, rng);
    case "tpe":
      return tpeSuggest(config, trials, n, rng);
  }
}

export { gridSize };
