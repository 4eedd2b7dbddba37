// Owns choosing how artifact metadata is shown: a flat object of plain values as a key/value table,
// anything nested as a JSON tree; and the text of one plain value.

export function isFlat(metadata: Record<string, unknown>): boolean {
  return Object.values(metadata).every((v) => v === null || typeof v !== "object");
}

/** How a plain value reads in the table or a tree leaf: strings quoted only when empty. */
export function leafText(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return v === "" ? '""' : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** A nested value's summary when closed: "{3 keys}" or "[10 items]". */
export function branchSummary(v: object): string {
  if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? "" : "s"}]`;
  const n = Object.keys(v).length;
  return `{${n} key${n === 1 ? "" : "s"}}`;
}
