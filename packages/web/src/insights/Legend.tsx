// Owns the colour legend of the plot panels: a viridis ramp with its two ends' values, or the
// category swatches.
import { css, RAMP, type ColorScale } from "./scale";

const GRADIENT = `linear-gradient(to right, ${[0, 64, 128, 192, 255].map((i) => css(RAMP[i]!)).join(", ")})`;

export function Legend({ legend }: { legend: ColorScale["legend"] }) {
  if (legend.kind === "none") return null;
  if (legend.kind === "ramp") {
    return (
      <span className="ins-legend" data-testid="insight-legend" data-key={legend.key}>
        <span className="muted">{legend.lo}</span>
        <span className="ins-ramp" style={{ background: GRADIENT }} title={legend.key} />
        <span className="muted">{legend.hi}</span>
      </span>
    );
  }
  return (
    <span className="ins-legend" data-testid="insight-legend" data-key={legend.key}>
      {legend.entries.map((e) => (
        <span key={e.label} className="ins-swatch"><i style={{ background: e.color }} />{e.label}</span>
      ))}
    </span>
  );
}
