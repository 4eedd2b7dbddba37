// Owns showing a version's metadata: a key/value table when every value is plain, else a JSON
// tree whose branches open on click (the first level open).
import { useState } from "react";
import { branchSummary, isFlat, leafText } from "./metadata";

export function ArtifactMetadata({ metadata }: { metadata: Record<string, unknown> }) {
  const keys = Object.keys(metadata);
  return (
    <div data-testid="artifact-metadata" className="artifact-metadata" data-shape={keys.length === 0 ? "empty" : isFlat(metadata) ? "table" : "tree"}>
      {keys.length === 0 ? <div className="muted">No metadata.</div> : isFlat(metadata) ? (
        <table className="kv">
          <tbody>
            {keys.map((k) => <tr key={k} data-key={k}><th>{k}</th><td><code className="wrap">{leafText(metadata[k])}</code></td></tr>)}
          </tbody>
        </table>
      ) : <JsonBranch value={metadata} depth={0} />}
    </div>
  );
}

function JsonBranch({ value, depth }: { value: object; depth: number }) {
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return (
    <ul className="tree-level" style={{ paddingLeft: depth ? 16 : 0 }}>
      {entries.map(([k, v]) => <JsonNode key={k} name={k} value={v} depth={depth} />)}
    </ul>
  );
}

function JsonNode({ name, value, depth }: { name: string; value: unknown; depth: number }) {
  const [open, setOpen] = useState(depth === 0);
  if (value === null || typeof value !== "object") {
    return <li data-key={name}><span className="tree-key">{name}</span>: <span className="tree-value">{leafText(value)}</span></li>;
  }
  return (
    <li data-key={name}>
      <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? "▾" : "▸"}</button>{" "}
      <span className="tree-key">{name}</span> {open ? null : <span className="muted">{branchSummary(value)}</span>}
      {open ? <JsonBranch value={value} depth={depth + 1} /> : null}
    </li>
  );
}
