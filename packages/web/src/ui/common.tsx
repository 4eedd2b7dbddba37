// Owns the small shared pieces every page uses: loading and error states (which never block the
// whole page: each part of a page shows its own), the first-run instructions, and the page frame.
import type { ReactNode } from "react";
import { ApiError, setApiKey } from "../api/client";
import { linkProps, paths } from "../state/router";

export function Loading({ what }: { what: string }) {
  return <div className="loading" role="status">Loading {what}…</div>;
}

export function ErrorBox({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  const e = error instanceof ApiError ? error : null;
  if (e?.status === 401) return <KeyPrompt />;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-box" role="alert">
      <strong>Could not load {what}.</strong> {message}
      {e?.field ? <span className="muted"> (field: {e.field})</span> : null}
      {retry ? <button type="button" onClick={retry}>Try again</button> : null}
    </div>
  );
}

function KeyPrompt() {
  return (
    <form
      className="error-box"
      onSubmit={(ev) => {
        ev.preventDefault();
        const input = (ev.currentTarget.elements.namedItem("key") as HTMLInputElement).value.trim();
        setApiKey(input || null);
        location.reload();
      }}
    >
      <strong>This server needs an API key.</strong> Create one with <code>orrery keys create</code> and paste it here:{" "}
      <input name="key" type="password" size={40} aria-label="API key" /> <button type="submit">Use key</button>
    </form>
  );
}

/** What a new user needs to log a first run, shown where runs would be. */
export function FirstRunHelp({ entity, project }: { entity?: string; project?: string }) {
  const proj = project ?? "my-project";
  return (
    <div className="empty">
      <p><strong>No runs yet.</strong> Log your first run with the <code>orrery</code> package:</p>
      <pre>{`import * as orrery from "orrery";
const run = await orrery.init({ project: "${proj}", config: { lr: 0.01 } });
run.log({ "train/loss": 0.42 }); await run.finish();`}</pre>
      <p className="muted">
        Set <code>ORRERY_URL</code> to this server ({location.origin}){entity ? <> and <code>ORRERY_ENTITY={entity}</code></> : null}.
        Or fill a demo project with <code>orrery demo</code>.
      </p>
    </div>
  );
}

export function PageFrame({ crumbs, children, actions }: { crumbs: { label: string; to?: string }[]; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page">
      <header className="topbar">
        <a className="brand" {...linkProps(paths.projects())}>Orrery</a>
        <nav className="crumbs" aria-label="breadcrumbs">
          {crumbs.map((c, i) => (
            <span key={i}>
              <span className="sep">/</span>
              {c.to ? <a {...linkProps(c.to)}>{c.label}</a> : <span>{c.label}</span>}
            </span>
          ))}
        </nav>
        <div className="actions">{actions}</div>
      </header>
      <main>{children}</main>
    </div>
  );
}
