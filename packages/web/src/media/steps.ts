// Owns stepping through a key's logged steps: which step to show for an asked one (the server's
// rule, so the slider and the reply agree), and moving to a neighbouring step that has images.

/** The asked step if it has images, else the last one at or before it, else the first; null when there are none. */
export function pickStep(steps: readonly number[], asked: number | null): number | null {
  if (steps.length === 0) return null;
  if (asked === null) return steps[steps.length - 1]!;
  let best: number | null = null;
  for (const s of steps) {
    if (s <= asked) best = s;
    else break;
  }
  return best ?? steps[0]!;
}

/** The position of the shown step in the ascending step list (0 when absent). */
export function stepIndex(steps: readonly number[], step: number | null): number {
  if (step === null) return 0;
  const i = steps.indexOf(step);
  return i < 0 ? 0 : i;
}

/** The step `delta` positions away from `step`, clamped to the ends. */
export function stepBy(steps: readonly number[], step: number | null, delta: number): number | null {
  if (steps.length === 0) return null;
  const i = Math.min(steps.length - 1, Math.max(0, stepIndex(steps, pickStep(steps, step)) + delta));
  return steps[i]!;
}
