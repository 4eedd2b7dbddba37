// Owns saving the workspace as a view: the toolbar's "Save view" button and its dialog (name and
// markdown note), and editing an open view's name and note with the same form. The state saved is
// the workspace URL's query string (views/state.ts); the caller moves the URL to the view.
import { useEffect, useRef, useState } from "react";
import { api, type ProjectRef, type View } from "../api/client";
import { viewStateFrom } from "./state";

const MAX_NAME = 200;

interface FormProps {
  title: string;
  initial: { name: string; note: string };
  submitLabel: string;
  onSubmit(name: string, note: string): Promise<void>;
  onCancel(): void;
}

function ViewForm({ title, initial, submitLabel, onSubmit, onCancel }: FormProps) {
  const [name, setName] = useState(initial.name);
  const [note, setNote] = useState(initial.note);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => { if (e.key === "Escape") onCancel(); };
    document.addEventListener("keydown", esc);
    return () => document.removeEventListener("keydown", esc);
  }, [onCancel]);
  const blank = name.trim() === "";
  return (
    <form
      ref={ref} className="popover view-dialog" role="dialog" aria-label={title} data-testid="view-dialog"
      onSubmit={(e) => {
        e.preventDefault();
        if (blank || busy) return;
        setBusy(true);
        setError(null);
        onSubmit(name.trim(), note).catch((err: unknown) => {
          setError(err instanceof Error ? err.message : String(err));
          setBusy(false);
        });
      }}
    >
      <strong>{title}</strong>
      <label>
        Name
        <input autoFocus data-testid="view-name" value={name} maxLength={MAX_NAME} placeholder="e.g. lr sweep, best 5 runs"
          onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Note <span className="muted small">(markdown: **bold**, [links](https://…), lists)</span>
        <textarea data-testid="view-note" rows={6} value={note} placeholder="What this view shows and why"
          onChange={(e) => setNote(e.target.value)} />
      </label>
      {error ? <div className="error-box" role="alert" data-testid="view-save-error">{error}</div> : null}
      <div className="view-dialog-buttons">
        <button type="submit" className="primary" data-testid="view-save-confirm" disabled={blank || busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        <button type="button" data-testid="view-save-cancel" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** The toolbar button that saves the workspace as a new view. */
export function SaveViewButton({ project, onSaved }: { project: ProjectRef; onSaved(view: View): void }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="view-save">
      <button type="button" data-testid="view-save" aria-expanded={open} onClick={() => setOpen(!open)}>Save view</button>
      {open ? (
        <ViewForm
          title="Save this workspace as a view" initial={{ name: "", note: "" }} submitLabel="Save"
          onCancel={() => setOpen(false)}
          onSubmit={async (name, note) => {
            const view = await api.createView(project, { name, note, state: viewStateFrom(location.search) });
            setOpen(false);
            onSaved(view);
          }}
        />
      ) : null}
    </div>
  );
}

/** Editing an open view's name and note (its state is overwritten by "Update view" instead). */
export function EditViewDialog({ project, view, onDone, onCancel }: { project: ProjectRef; view: View; onDone(view: View): void; onCancel(): void }) {
  return (
    <ViewForm
      title={`Edit view “${view.name}”`} initial={{ name: view.name, note: view.note }} submitLabel="Save changes" onCancel={onCancel}
      onSubmit={async (name, note) => onDone(await api.patchView(project, view.id, { name, note }))}
    />
  );
}
