// Owns the shapes a chart draws: lines (one per run or group) and min/max bands, as plain columns.

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Drawn thin and pale beneath the others (the raw line under a smoothed one); not in the tooltip. */
  faint?: boolean;
}

export interface ChartBand {
  color: string;
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}
