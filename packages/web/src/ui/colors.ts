// Owns run colours: a run's colour comes from its id alone, so it is the same on every page load,
// in every chart and table, for everyone who opens the same link.
const PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
  "#bcbd22", "#3b5bdb", "#e8590c", "#2b8a3e", "#c2255c", "#5f3dc4", "#0b7285", "#a61e4d",
  "#5c940d", "#d9480f", "#1864ab", "#862e9c",
];

function hash(s: string): number {
  // FNV-1a: cheap and well spread for short ids.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(runId: string): string {
  return PALETTE[hash(runId) % PALETTE.length]!;
}

/** The colour with an alpha, for faint raw lines under smoothed ones and for bands. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255).toString(16).padStart(2, "0");
  return `${hex}${a}`;
}
