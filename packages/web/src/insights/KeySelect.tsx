// Owns the key picker the plot panels share: config keys, summary keys and run fields in groups.
import type { KeyOption } from "./keys";

interface Props {
  testId: string;
  label: string;
  value: string;
  options: KeyOption[];
  /** Offer an empty choice ("none"). */
  allowNone?: boolean;
  onChange(key: string): void;
}

const GROUPS: { id: KeyOption["group"]; label: string }[] = [
  { id: "config", label: "config" }, { id: "summary", label: "summary" }, { id: "run", label: "run" },
];

export function KeySelect({ testId, label, value, options, allowNone, onChange }: Props) {
  // A key from a link that the first page of keys did not list is still shown as chosen.
  const known = value === "" || options.some((o) => o.value === value);
  return (
    <label className="ins-select">
      <span className="muted">{label}</span>
      <select data-testid={testId} value={value} onChange={(ev) => onChange(ev.currentTarget.value)}>
        {allowNone || value === "" ? <option value="">{allowNone ? "none" : "choose…"}</option> : null}
        {known ? null : <option value={value}>{value}</option>}
        {GROUPS.map((g) => {
          const opts = options.filter((o) => o.group === g.id);
          return opts.length ? (
            <optgroup key={g.id} label={g.label}>
              {opts.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </optgroup>
          ) : null;
        })}
      </select>
    </label>
  );
}
