// Owns editing a version's aliases: each alias a chip (removable, except `latest`, which the
// server moves), and an input that adds one; an alias held by another version moves here. Changes
// go through PATCH and the page refetches, so a move shows at once everywhere on it.
import { useState } from "react";
import { LATEST_ALIAS } from "@orrery/protocol";
import { api, type ArtifactVersion, type ProjectRef } from "../api/client";
import { aliasProblem } from "./registry";

export function AliasEditor({ project, version, onChanged }: { project: ProjectRef; version: ArtifactVersion; onChanged(v: ArtifactVersion): void }) {
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const patch = async (change: { add?: string[]; remove?: string[] }) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.patchArtifactVersion(project, version.name, version.version, { aliases: change }));
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const typed = draft.trim();
  const problem = typed ? aliasProblem(typed, version.aliases) : null;
  return (
    <div className="alias-editor" data-testid="alias-editor">
      {version.aliases.map((a) => (
        <span key={a} className={`chip alias-chip${a === LATEST_ALIAS ? " latest" : ""}`} data-testid="alias-chip" data-alias={a}
          title={a === LATEST_ALIAS ? "latest always points at the newest version" : undefined}>
          {a}
          {a === LATEST_ALIAS ? null : (
            <button type="button" className="tag-remove" data-testid="alias-remove" aria-label={`Remove alias ${a}`} title="Remove alias"
              disabled={busy} onClick={() => void patch({ remove: [a] })}>×</button>
          )}
        </span>
      ))}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const why = aliasProblem(typed, version.aliases);
          if (why) return setError(why);
          void patch({ add: [typed] }).then((ok) => ok && setDraft(""));
        }}
      >
        <input data-testid="alias-input" value={draft} onChange={(e) => { setDraft(e.target.value); setError(null); }}
          placeholder="add alias, e.g. production" aria-label="Add alias" size={22} maxLength={64} />
        <button type="submit" data-testid="alias-add" disabled={!typed || busy || problem !== null}>Add</button>
      </form>
      {problem && typed ? <span className="muted small">{problem}</span> : null}
      {error ? <span className="bad" role="alert" data-testid="alias-error">{error}</span> : null}
    </div>
  );
}
