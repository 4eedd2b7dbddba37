// Owns the run overview: state with a live dot, times and runtime, host, command, runtime version,
// git commit (dirty marker) and the editable tags and notes (saved with PATCH).
import { useState } from "react";
import { api, type ProjectRef, type Run } from "../api/client";
import { formatDuration } from "../api/values";
import { fullTime, relativeTime } from "./format";
import { overview } from "./metadata";

export function RunStateBadge({ state }: { state: Run["state"] }) {
  return (
    <span className={`state state-${state}`} data-testid="run-state" data-state={state}>
      {state === "running" ? <span className="live-dot" aria-hidden /> : null}
      {state}
    </span>
  );
}

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">—</span>;
  return <span title={fullTime(iso)}>{fullTime(iso)} <span className="muted">({relativeTime(iso)})</span></span>;
}

export function Overview({ project, run, onRun }: { project: ProjectRef; run: Run; onRun(run: Run): void }) {
  const o = overview(run.metadata);
  const rows: [string, React.ReactNode][] = [
    ["State", <><RunStateBadge state={run.state} />{run.exitCode !== null ? <span className="muted"> (exit code {run.exitCode})</span> : null}</>],
    ["Created", <Time iso={run.createdAt} />],
    ["Started", <Time iso={run.startedAt} />],
    ["Ended", <Time iso={run.endedAt} />],
    ["Runtime", formatDuration(run.runtime) || "—"],
    ["Last step", run.lastStep === null ? "—" : run.lastStep.toLocaleString("en")],
  ];
  if (run.state === "running" || run.state === "crashed") rows.push(["Last heartbeat", <Time iso={run.heartbeatAt} />]);
  if (run.group) rows.push(["Group", run.group]);
  if (run.jobType) rows.push(["Job type", run.jobType]);
  if (o.host) rows.push(["Host", o.host]);
  if (o.os) rows.push(["OS", o.os]);
  if (o.command) rows.push(["Command", <code className="wrap">{o.command}</code>]);
  if (o.cwd) rows.push(["Directory", <code>{o.cwd}</code>]);
  if (o.runtime) rows.push(["Runtime version", o.runtime]);
  if (o.sdk) rows.push(["SDK", o.sdk]);
  if (o.git) {
    rows.push([
      "Git",
      <>
        <code data-testid="git-commit" title={o.git.commit}>{o.git.short}</code>
        {o.git.dirty ? <span className="tag dirty" data-testid="git-dirty" title="The working tree had uncommitted changes when the run started">dirty</span> : null}
        {o.git.branch ? <span className="muted"> on {o.git.branch}</span> : null}
        {o.git.remote ? <span className="muted"> · {o.git.remote}</span> : null}
      </>,
    ]);
  }
  return (
    <div data-testid="run-overview" className="run-overview">
      <table className="kv">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}><th>{k}</th><td>{v}</td></tr>
          ))}
          <tr><th>Tags</th><td><TagsEditor project={project} run={run} onRun={onRun} /></td></tr>
        </tbody>
      </table>
      <NotesEditor project={project} run={run} onRun={onRun} />
    </div>
  );
}

type SaveState = { status: "idle" } | { status: "saving" } | { status: "saved" } | { status: "failed"; message: string };

function SaveNote({ s }: { s: SaveState }) {
  if (s.status === "saving") return <span className="muted">Saving…</span>;
  if (s.status === "saved") return <span className="ok" role="status">Saved</span>;
  if (s.status === "failed") return <span className="bad" role="alert">Failed: {s.message}</span>;
  return null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function TagsEditor({ project, run, onRun }: { project: ProjectRef; run: Run; onRun(run: Run): void }) {
  const [draft, setDraft] = useState("");
  const [save, setSave] = useState<SaveState>({ status: "idle" });
  const patch = async (tags: string[]) => {
    setSave({ status: "saving" });
    try {
      onRun(await api.patchRun(project, run.id, { tags }));
      setSave({ status: "saved" });
      return true;
    } catch (e) {
      setSave({ status: "failed", message: message(e) });
      return false;
    }
  };
  return (
    <div data-testid="tags" className="tags-editor">
      {run.tags.map((t) => (
        <span className="tag" key={t} data-tag={t}>
          {t}
          <button type="button" className="tag-remove" aria-label={`Remove tag ${t}`} title="Remove tag"
            disabled={save.status === "saving"} onClick={() => void patch(run.tags.filter((x) => x !== t))}>×</button>
        </span>
      ))}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const tag = draft.trim();
          if (!tag || run.tags.includes(tag)) return setDraft("");
          void patch([...run.tags, tag]).then((ok) => ok && setDraft(""));
        }}
      >
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="add tag" aria-label="Add tag" size={12} maxLength={128} data-testid="tag-input" />
        <button type="submit" disabled={!draft.trim() || save.status === "saving"}>Add</button>
      </form>{" "}
      <SaveNote s={save} />
    </div>
  );
}

function NotesEditor({ project, run, onRun }: { project: ProjectRef; run: Run; onRun(run: Run): void }) {
  // null: not edited, so the notes follow the server (another tab may change them).
  const [draft, setDraft] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ status: "idle" });
  const value = draft ?? run.notes;
  return (
    <form
      className="notes"
      onSubmit={async (e) => {
        e.preventDefault();
        setSave({ status: "saving" });
        try {
          onRun(await api.patchRun(project, run.id, { notes: value }));
          setDraft(null);
          setSave({ status: "saved" });
        } catch (err) {
          setSave({ status: "failed", message: message(err) });
        }
      }}
    >
      <label className="section-title" htmlFor="run-notes">Notes</label>
      <textarea
        id="run-notes" data-testid="notes-input" rows={3} value={value} maxLength={65536} placeholder="What was this run for? What did you learn?"
        onChange={(e) => {
          setDraft(e.target.value);
          if (save.status !== "saving") setSave({ status: "idle" });
        }}
      />
      <div className="toolbar">
        <button type="submit" data-testid="notes-save" className="primary" disabled={save.status === "saving"}>Save notes</button>
        {draft !== null && draft !== run.notes && save.status === "idle" ? <span className="muted">Unsaved changes</span> : null}
        <SaveNote s={save} />
      </div>
    </form>
  );
}
