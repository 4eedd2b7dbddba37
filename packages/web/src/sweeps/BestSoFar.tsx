// Owns the best-so-far chart: each finished trial's metric as points (x = trial number) and the
// best value found up to each trial as a line, drawn by the shared LineChart.
import { useMemo } from "react";
import { LineChart, type ChartLine } from "../charts/LineChart";
import { bestSoFar, type FlatTrial } from "./trials";
import type { Goal } from "./wire";

const VALUE_COLOR = "#9aa3b5";
const BEST_COLOR = "#3b5bdb";

export function BestSoFar({ trials, metric }: { trials: FlatTrial[]; metric: { name: string; goal: Goal } }) {
  const lines = useMemo((): ChartLine[] => {
    const s = bestSoFar(trials, metric.goal);
    return [
      { id: "trial", label: metric.name, color: VALUE_COLOR, x: s.x, y: s.values },
      { id: "best", label: `best (${metric.goal === "maximize" ? "max" : "min"})`, color: BEST_COLOR, x: s.x, y: s.best },
    ];
  }, [trials, metric.goal, metric.name]);
  return (
    <div data-testid="best-so-far" className="sweep-card">
      <LineChart
        title={`${metric.name}: best so far by trial`} lines={lines} xKind="number" xAxis="trial" smoothed={false} testKey="best-so-far"
        formatX={(x) => (Number.isInteger(x) ? `trial ${x}` : "")}
      />
    </div>
  );
}
