// Owns warm starting: which trials of earlier sweeps can seed this sweep's model. Fetching them is
// the server's job; it passes the survivors to suggest() as finished trials.
import type { Trial } from "./encode.js";
import { categoryIndex, toUnit, type SearchSpace } from "./space.js";

/**
 * Keeps prior trials that have a value and fit this space: dims the prior sweep did not have are
 * filled with this space's constant or centre value; a trial with a value outside a dim's range
 * (or an unknown category) is dropped. Params are returned flat, restricted to this space's dims.
 */
export function warmStartTrials(space: SearchSpace, prior: Trial[]): Trial[] {
  const out: Trial[] = [];
  for (const t of prior) {
    if (typeof t.value !== "number" || !Number.isFinite(t.value) || t.state === "running" || t.state === "pending") continue;
    const params: Record<string, unknown> = {};
    let ok = true;
    let shared = 0;
    for (const d of space.dims) {
      const has = d.name in t.params;
      if (d.kind === "constant") {
        params[d.name] = d.spec.value;
        continue;
      }
      if (!has) {
        params[d.name] = centre(space, d.name);
        continue;
      }
      const v = t.params[d.name];
      if (d.kind === "categorical" ? categoryIndex(d, v) < 0 : toUnit(d, v) === null) {
        ok = false;
        break;
      }
      params[d.name] = v;
      shared++;
    }
    // A prior trial sharing no searched dim says nothing about this space.
    if (ok && (shared > 0 || space.free.length === 0)) out.push({ params, value: t.value, state: "finished" });
  }
  return out;
}

function centre(space: SearchSpace, name: string): unknown {
  const d = space.dims.find((x) => x.name === name)!;
  if (d.kind === "categorical") return d.spec.values![0];
  const s = d.spec;
  switch (s.distribution) {
    case "int_uniform":
      return Math.round((s.min! + s.max!) / 2);
    case "uniform":
    case "q_uniform":
      return (s.min! + s.max!) / 2;
    case "normal":
    case "q_normal":
      return s.mu;
    case "log_normal":
    case "q_log_normal":
      return Math.exp(s.mu!);
    case "beta":
    case "q_beta":
      return 0.5;
    case "log_uniform":
    case "q_log_uniform":
      return Math.exp((s.min! + s.max!) / 2);
    case "inv_log_uniform":
      return Math.exp(-(s.min! + s.max!) / 2);
    default:
      return Math.sqrt(s.min! * s.max!);
  }
}
