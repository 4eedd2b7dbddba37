// Owns the run's metadata table (dotted keys, values as text) and the git diff viewer, which loads
// the diff only when asked (it can be a megabyte).
import { useState } from "react";
import { api, type ProjectRef, type Run } from "../api/client";
import { formatValue } from "../api/values";
import { ErrorBox, Loading } from "../ui/common";
import { gitInfo, metadataRows } from "./metadata";

export function MetadataView({ project, run }: { project: ProjectRef; run: Run }) {
  const rows = metadataRows(run.metadata);
  const git = gitInfo(run.metadata);
  return (
    <div className="metadata">
      {rows.length === 0 ? <div className="muted">No metadata was recorded for this run.</div> : (
        <table className="kv" data-testid="metadata-table">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}><th>{k}</th><td><code className="wrap">{formatValue(v)}</code></td></tr>
            ))}
          </tbody>
        </table>
      )}
      {git?.dirty || git?.hasDiff ? <DiffViewer project={project} runId={run.id} truncated={git.diffTruncated} /> : null}
    </div>
  );
}

function DiffViewer({ project, runId, truncated }: { project: ProjectRef; runId: string; truncated: boolean }) {
  const [state, setState] = useState<{ open: boolean; text?: string; error?: unknown; loading?: boolean }>({ open: false });
  const load = () => {
    setState({ open: true, loading: true });
    api.diff(project, runId).then(
      (text) => setState({ open: true, text }),
      (error: unknown) => setState({ open: true, error }),
    );
  };
  return (
    <div className="diff-viewer">
      <button type="button" data-testid="show-diff" aria-expanded={state.open} onClick={() => (state.open ? setState({ open: false }) : load())}>
        {state.open ? "Hide git diff" : "Show git diff"}
      </button>
      {state.open && state.loading ? <Loading what="git diff" /> : null}
      {state.open && state.error ? <ErrorBox error={state.error} what="the git diff" retry={load} /> : null}
      {state.open && state.text !== undefined ? (
        state.text ? (
          <>
            {truncated ? <div className="muted">The diff was larger than 1 MiB; only its start was kept.</div> : null}
            <pre data-testid="git-diff" className="git-diff">
              {state.text.split("\n").map((l, i) => (
                <span key={i} className={diffClass(l)}>{l}{"\n"}</span>
              ))}
            </pre>
          </>
        ) : <div className="muted" data-testid="git-diff">No diff was captured for this run.</div>
      ) : null}
    </div>
  );
}

function diffClass(line: string): string | undefined {
  if (line.startsWith("+") && !line.startsWith("+++")) return "add";
  if (line.startsWith("-") && !line.startsWith("---")) return "del";
  if (line.startsWith("@@")) return "hunk";
  return undefined;
}
