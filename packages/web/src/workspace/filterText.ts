// Owns writing filter text in the server's grammar (docs/filter-grammar.md) from UI actions: a
// per-column quick condition, ANDing it into the filter box, and the condition selecting one group.
// Pure, so the text it builds is tested against the protocol's own parser.

export const QUICK_OPS = ["=", "!=", "<", "<=", ">", ">=", "contains", "not contains", "exists", "not exists"] as const;
export type QuickOp = (typeof QUICK_OPS)[number];

/** Ops that take no value. */
export function opTakesValue(op: QuickOp): boolean {
  return op !== "exists" && op !== "not exists";
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = new Set(["nan", "infinity", "-infinity", "inf", "-inf"]);
const KEYWORDS = new Set(["true", "false", "null"]);

/** A literal as filter text: numbers and true/false/null as typed, anything else quoted. */
export function filterLiteral(raw: string): string {
  const v = raw.trim();
  if (NUMBER.test(v) || SPECIAL.has(v.toLowerCase()) || KEYWORDS.has(v.toLowerCase())) return v;
  return quoteText(v);
}

/** Always-quoted text (the grammar's escapes are JSON's, minus \b and \f). */
export function quoteText(v: string): string {
  return JSON.stringify(v).replace(/\\b/g, "\\u0008").replace(/\\f/g, "\\u000c");
}

/** A typed value (as it came from the server) as filter text. */
export function valueLiteral(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  if (typeof v === "boolean") return String(v);
  // The wire spells non-finite numbers as these strings, and so does the grammar.
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return v;
  return quoteText(typeof v === "string" ? v : JSON.stringify(v));
}

export function quickCondition(field: string, op: QuickOp, raw: string): string {
  if (!opTakesValue(op)) return `${field} ${op}`;
  return `${field} ${op} ${filterLiteral(raw)}`;
}

// A top-level "or" would swallow the new condition into one branch, so such text gets parentheses.
// Words inside quotes or backticks are not keywords, which a rough tokenizer is enough to tell.
function hasTopLevelOr(text: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && /[\s)]/.test(text[i - 1] ?? " ") && /^or\b/i.test(text.slice(i, i + 3)) && /[\s(]/.test(text[i + 2] ?? "")) return true;
  }
  return false;
}

/** `a and b`, keeping each side's meaning (empty sides drop out). */
export function andFilter(a: string, b: string): string {
  const x = a.trim();
  const y = b.trim();
  if (!x) return y;
  if (!y) return x;
  const wrap = (s: string) => (hasTopLevelOr(s) ? `(${s})` : s);
  return `${wrap(x)} and ${wrap(y)}`;
}

/**
 * The condition matching one group of a group-by. The server puts runs without the key and runs
 * whose value is null in the same null group, so that group needs both cases.
 */
export function groupCondition(by: string, value: unknown): string {
  if (value === null || value === undefined) {
    if (by === "group" || by === "jobType") return `${by} = null`;
    return `(${by} not exists or ${by} = null)`;
  }
  return `${by} = ${valueLiteral(value)}`;
}
