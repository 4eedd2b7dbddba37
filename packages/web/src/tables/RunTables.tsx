// Owns the run page's "Tables" section: one server-paged view per table key the run logged (as
// `type: "table"` records), nothing at all when it logged none. Tables kept in the summary (the
// older way, drawn by run/SummaryTable) are not listed here.
import { ApiError, api, type ProjectRef } from "../api/client";
import { ErrorBox } from "../ui/common";
import { TableView } from "./TableView";
import { useKeptPage } from "./useKeptPage";

export function RunTables({ project, runId, lastSeq }: { project: ProjectRef; runId: string; lastSeq?: number }) {
  // lastSeq re-reads the keys while a live run logs more records; the views shown stay mounted.
  const load = useKeptPage((signal) => api.tableKeys(project, runId, signal), JSON.stringify([project, runId, lastSeq]));
  const keys = load.data?.keys ?? [];
  if (load.error && keys.length === 0) {
    // A server from before tables has no such route: same as a run without tables.
    if (load.error instanceof ApiError && load.error.status === 404) return null;
    return <ErrorBox error={load.error} what="the run's tables" />;
  }
  if (keys.length === 0) return null;
  return (
    <section id="tables" className="run-section" data-testid="tables-section">
      <h2 className="section-title">Tables <span className="muted">({keys.length})</span></h2>
      {keys.map((k) => <TableView key={k.key} project={project} runId={runId} info={k} />)}
    </section>
  );
}
