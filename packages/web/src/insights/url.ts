// Owns the URL syntax of the Insights section: the panel list (`ins=`), each plot panel's config
// string, and the brushes (`brush=`). Pure, so the syntax is tested without a browser.
//
//   ins=pc:config.lr:log,config.batch_size,summary.val/acc:flip|summary.val/acc~sc:config.lr,summary.val/acc,config.batch_size~imp:summary.val/acc
//   brush=summary.val/acc:0.8:0.95~config.optimizer="adam","sgd"
//
// Panels and brushes are joined by "~" (the workspace's list separator). Keys are written as the
// filter grammar spells fields, so they may hold any character; the few this syntax uses
// (% ~ , | : =) are percent-escaped inside each part, and unescaped when read back.
import type { Brush, InsightKind, InsightPanelSpec, ParcoordsConfig, ScatterConfig } from "./context";

const SEP = "~";
export const INSIGHT_KINDS: readonly InsightKind[] = ["pc", "sc", "imp", "sl"];

/** Escapes the characters this syntax uses, so any key survives a round trip. */
export function escapePart(s: string): string {
  return s.replace(/[%~,|:=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

export function unescapePart(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

// ---- the panel list ----

export function parsePanels(raw: string | null): InsightPanelSpec[] {
  if (!raw) return [];
  const out: InsightPanelSpec[] = [];
  for (const part of raw.split(SEP)) {
    const colon = part.indexOf(":");
    const kind = (colon < 0 ? part : part.slice(0, colon)) as InsightKind;
    // An unknown kind (an older or newer link) is dropped rather than breaking the whole section.
    if (!INSIGHT_KINDS.includes(kind)) continue;
    out.push({ kind, config: colon < 0 ? "" : unescapePart(part.slice(colon + 1)) });
  }
  return out;
}

export function serializePanels(panels: readonly InsightPanelSpec[]): string | null {
  if (!panels.length) return null;
  // Only "%" and "~" need escaping at this level: each config escapes its own separators.
  return panels.map((p) => `${p.kind}:${p.config.replace(/[%~]/g, (c) => (c === "%" ? "%25" : "%7E"))}`).join(SEP);
}

// ---- plot panel configs ----

/** One key with flags, `key:flag:flag`. */
function parseFlagged(part: string): { key: string; flags: string[] } {
  const [key = "", ...flags] = part.split(":");
  return { key: unescapePart(key), flags };
}

export function parseParcoordsConfig(config: string): ParcoordsConfig {
  const bar = config.lastIndexOf("|");
  const axesText = bar < 0 ? config : config.slice(0, bar);
  const color = bar < 0 ? "" : unescapePart(config.slice(bar + 1));
  const keys: string[] = [];
  const log: string[] = [];
  const flip: string[] = [];
  for (const part of axesText.split(",")) {
    const { key, flags } = parseFlagged(part);
    if (!key || keys.includes(key)) continue;
    keys.push(key);
    if (flags.includes("log")) log.push(key);
    if (flags.includes("flip")) flip.push(key);
  }
  return { keys, color, log, flip };
}

export function serializeParcoordsConfig(c: ParcoordsConfig): string {
  const axes = c.keys.map((k) => [escapePart(k), ...(c.log.includes(k) ? ["log"] : []), ...(c.flip.includes(k) ? ["flip"] : [])].join(":"));
  return `${axes.join(",")}${c.color ? `|${escapePart(c.color)}` : ""}`;
}

export function parseScatterConfig(config: string): ScatterConfig {
  const [x = { key: "", flags: [] }, y = { key: "", flags: [] }, color = { key: "", flags: [] }] = config.split(",").map(parseFlagged);
  return { x: x.key, y: y.key, color: color.key, logX: x.flags.includes("log"), logY: y.flags.includes("log") };
}

export function serializeScatterConfig(c: ScatterConfig): string {
  const part = (k: string, log: boolean) => `${escapePart(k)}${log ? ":log" : ""}`;
  return [part(c.x, c.logX), part(c.y, c.logY), ...(c.color ? [escapePart(c.color)] : [])].join(",");
}

// ---- brushes ----

/** Range brushes `key:lo:hi`; category brushes `key=lit,lit` (filter literals, e.g. "adam" or true). */
export function parseBrushes(raw: string | null): Brush[] {
  if (!raw) return [];
  const out: Brush[] = [];
  for (const part of raw.split(SEP)) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      const values = part.slice(eq + 1).split(",").filter(Boolean).map(unescapePart);
      if (values.length) out.push({ key: unescapePart(part.slice(0, eq)), kind: "cats", values });
      continue;
    }
    const [key, lo, hi] = part.split(":");
    const l = Number(lo);
    const h = Number(hi);
    // Hand-edited links with a bad range lose that brush, not the page.
    if (!key || lo === undefined || hi === undefined || lo === "" || hi === "" || !Number.isFinite(l) || !Number.isFinite(h)) continue;
    out.push({ key: unescapePart(key), kind: "range", lo: Math.min(l, h), hi: Math.max(l, h) });
  }
  // One brush per key: the last one written wins.
  return out.filter((b, i) => !out.slice(i + 1).some((o) => o.key === b.key));
}

export function serializeBrushes(brushes: readonly Brush[]): string | null {
  if (!brushes.length) return null;
  return brushes.map((b) => (b.kind === "range"
    ? `${escapePart(b.key)}:${b.lo}:${b.hi}`
    : `${escapePart(b.key)}=${b.values.map(escapePart).join(",")}`)).join(SEP);
}

/** The brushes with `key`'s brush replaced (or removed, with null), keeping the others' order. */
export function withBrush(brushes: readonly Brush[], key: string, brush: Brush | null): Brush[] {
  const i = brushes.findIndex((b) => b.key === key);
  if (!brush) return brushes.filter((b) => b.key !== key);
  if (i < 0) return [...brushes, brush];
  return brushes.map((b, j) => (j === i ? brush : b));
}
