// Owns the contract between the workspace's Insights section (InsightsSection.tsx) and every insight
// panel: what a panel is told about the workspace (PanelContext) and the panel kinds and their
// one-string configs that live in the URL's `ins=` parameter (parsing lives in insights/url.ts).
import type { ProjectRef, RunKey } from "../api/client";
import type { ChartRun } from "../workspace/PanelGrid";

export type { ChartRun, ProjectRef, RunKey };

/** What every insight panel gets from the workspace. */
export interface PanelContext {
  project: ProjectRef;
  /** The effective filter: the user's filter AND the brushes (server grammar); "" for none. */
  filter: string;
  /** Free text matched against run names and tags. */
  search: string;
  /** The charted runs, with their colours. */
  runs: ChartRun[];
  /** Config and summary keys of the project (keys without their config./summary. prefix, as listed by runs/keys). */
  keys: { config: RunKey[]; summary: RunKey[] };
  /** The user's filter alone, without the brushes (panels that draw the brushes themselves fetch with it). */
  userFilter: string;
  /** The brushes in force (also folded into `filter`). */
  brushes: Brush[];
  /** Sets (or, with null, clears) the brush on `key`; written to the URL. */
  setBrush(key: string, brush: Brush | null): void;
  /** Opens a run's page. */
  openRun(runId: string): void;
}

/** Panel kinds, as they appear in the URL (`pc:...`, `sc:...`, `imp:...`, `sl:...`). */
export type InsightKind = "pc" | "sc" | "imp" | "sl";

/** One panel: its kind and its config string (the part after `kind:` in the URL, kind-specific). */
export interface InsightPanelSpec { kind: InsightKind; config: string }

/** Props every panel component takes: ctx, its config string, and a way to change it (rewrites the URL). */
export interface InsightPanelProps {
  ctx: PanelContext;
  config: string;
  onConfig(next: string): void;
}

/** Parallel coordinates config: axes (field keys like config.lr, summary.val/acc, runtime) and a colour key. */
export interface ParcoordsConfig {
  keys: string[];
  color: string;
  /** Axes drawn with a log scale. */
  log: string[];
  /** Axes drawn flipped (high values at the bottom). */
  flip: string[];
}

/** Scatter config: x, y and colour keys (colour may be ""), and log toggles per axis. */
export interface ScatterConfig { x: string; y: string; color: string; logX: boolean; logY: boolean }

/** A brush on one axis: a numeric range [lo, hi] or a set of categories. Lives in the URL's `brush=`. */
export type Brush =
  | { key: string; kind: "range"; lo: number; hi: number }
  | { key: string; kind: "cats"; values: string[] };
