// Owns adding a run to the comparison: type an id, or search the project's runs by name or tag and
// pick one of the suggestions (the newest matching runs).
import { useEffect, useState } from "react";
import { api, type ProjectRef, type RunRow } from "../api/client";

const SUGGESTIONS = 20;

export function RunPicker({ project, exclude, onAdd, disabled }: { project: ProjectRef; exclude: readonly string[]; onAdd(id: string): void; disabled?: boolean }) {
  const [text, setText] = useState("");
  const [options, setOptions] = useState<Pick<RunRow, "id" | "name" | "state">[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    const t = setTimeout(() => {
      // A columns= list makes the server answer with light rows instead of whole runs (no configs).
      api.runs(project, { search: text.trim() || undefined, limit: SUGGESTIONS + exclude.length, columns: "summary._step" }, ctl.signal).then(
        (page) => {
          setOptions(page.runs.filter((r) => !exclude.includes(r.id)).slice(0, SUGGESTIONS));
          setError(null);
        },
        (e: unknown) => {
          if (!ctl.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      );
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [project.entity, project.project, text, exclude.join(",")]);

  const submit = (value: string) => {
    const v = value.trim();
    if (!v) return;
    const byName = options.find((o) => o.name === v);
    onAdd(byName ? byName.id : v);
    setText("");
  };
  return (
    <form className="inline run-picker" onSubmit={(e) => { e.preventDefault(); submit(text); }}>
      <input
        data-testid="add-run" list="compare-run-options" value={text} onChange={(e) => setText(e.target.value)} disabled={disabled}
        placeholder="Add a run: id, or search by name" aria-label="Add a run by id or name" size={32}
      />
      <datalist id="compare-run-options">
        {options.map((o) => <option key={o.id} value={o.id}>{`${o.name} (${o.state})`}</option>)}
      </datalist>
      <button type="submit" data-testid="add-run-button" disabled={disabled || !text.trim()}>Add</button>
      {error ? <span className="bad"> Could not list runs: {error}</span> : null}
      {options.length && !disabled ? (
        <span className="suggestions">
          {options.slice(0, 5).map((o) => (
            <button type="button" key={o.id} className="suggestion" data-testid="run-suggestion" data-run-id={o.id} onClick={() => onAdd(o.id)} title={`Add ${o.name} (${o.id})`}>
              + {o.name}
            </button>
          ))}
        </span>
      ) : null}
    </form>
  );
}
