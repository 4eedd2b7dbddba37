// Owns a version's description: shown as text, edited in place and saved with PATCH.
import { useState } from "react";
import { api, type ArtifactVersion, type ProjectRef } from "../api/client";

export function DescriptionEditor({ project, version, onChanged }: { project: ProjectRef; version: ArtifactVersion; onChanged(v: ArtifactVersion): void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (draft === null) return;
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.patchArtifactVersion(project, version.name, version.version, { description: draft }));
      setDraft(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="artifact-description" data-testid="artifact-description">
      {draft === null ? (
        <>
          {version.description ? <p className="wrap">{version.description}</p> : <p className="muted">No description.</p>}
          <button type="button" data-testid="description-edit" onClick={() => setDraft(version.description)}>Edit description</button>
        </>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <textarea data-testid="description-input" value={draft} onChange={(e) => setDraft(e.target.value)} rows={4} aria-label="Description" />
          <div className="row-gap">
            <button type="submit" className="primary" data-testid="description-save" disabled={busy}>Save</button>
            <button type="button" onClick={() => setDraft(null)} disabled={busy}>Cancel</button>
            {error ? <span className="bad" role="alert">{error}</span> : null}
          </div>
        </form>
      )}
    </div>
  );
}
