// Owns the run's system-metric charts (CPU, memory, GPU…): one line chart per key over wall time,
// refreshed every few seconds while the run is running.
import { useEffect, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { decodeColumn } from "../api/values";
import { LineChart } from "../charts/LineChart";
import { ErrorBox, Loading } from "../ui/common";
import type { SeriesResponse } from "@orrery/protocol";

const REFRESH_MS = 5_000;
const MAX_POINTS = 600;

type Series = SeriesResponse["series"];

export function SystemPanels({ project, runId, color, running }: { project: ProjectRef; runId: string; color: string; running: boolean }) {
  const [series, setSeries] = useState<Series | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const { keys } = await api.systemKeys(project, runId);
        const reply = keys.length ? await api.system(project, runId, { keys, maxPoints: MAX_POINTS }) : { series: [] };
        if (!live) return;
        setSeries(reply.series);
        setError(null);
      } catch (e) {
        if (live) setError(e);
      }
      if (live && running) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [project.entity, project.project, runId, running, attempt]);

  return (
    <div data-testid="system-panels" className="system-panels">
      {error ? <ErrorBox error={error} what="system metrics" retry={() => setAttempt((a) => a + 1)} /> : null}
      {series === null && !error ? <Loading what="system metrics" /> : null}
      {series?.length === 0 ? <div className="muted">No system metrics were recorded for this run.</div> : null}
      {series?.length ? (
        <div className="system-grid">
          {series.map((s) => (
            <LineChart
              key={s.key}
              title={s.key}
              testKey={s.key}
              xKind="time"
              height={180}
              lines={[{ id: runId, label: s.key, color, x: Float64Array.from(s.x, (ms) => ms / 1000), y: decodeColumn(s.y) }]}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
}
