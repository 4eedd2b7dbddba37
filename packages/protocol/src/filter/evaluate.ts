// Owns what a filter means, as a pure function over one run: the reference every engine's query
// must agree with (the SQLite store is tested against it on thousands of generated runs), and what a
// client can use to filter runs it already holds. See docs/filter-grammar.md, "Semantics".
import { ATTRIBUTE_KINDS, type Field, type FilterNode, type Literal, type RunAttribute, type Scope } from "./ast.js";

/** What the evaluator needs to know about a run. */
export interface FilterSubject {
  /**
   * The leaf value at a config or summary path, or undefined when the run has no such key. A leaf
   * is anything but a non-empty object: a number, text, boolean, null, an array, or {}.
   */
  key(scope: Scope, path: readonly string[]): unknown;
  /** id, name, notes, state: text; group, jobType: text or null; tags: text[]; times: epoch ms or null; runtime: seconds. */
  attribute(name: RunAttribute): string | number | null | readonly string[];
}

/**
 * A leaf as the index types it: the wire strings "NaN", "Infinity" and "-Infinity" are numbers
 * (that is how JSON carries them), everything else is itself.
 */
export function normalizeLeaf(v: unknown): unknown {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

/** Orders strings by Unicode code point (SQLite's BINARY collation on UTF-8), not UTF-16 unit. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..DFFF) encode code points above U+FFFF, which sort after U+E000..FFFF.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Lower-cases A-Z only (what SQLite's lower() and LIKE do without ICU), so both sides agree. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function literalEquals(v: unknown, lit: Literal): boolean {
  switch (lit.kind) {
    case "number": return typeof v === "number" && (v === lit.value || (Number.isNaN(v) && Number.isNaN(lit.value)));
    case "string": return typeof v === "string" && v === lit.value;
    case "bool": return typeof v === "boolean" && v === lit.value;
    case "null": return v === null;
  }
}

function ordered(cmp: number, op: string): boolean {
  switch (op) {
    case "<": return cmp < 0;
    case "<=": return cmp <= 0;
    case ">": return cmp > 0;
    default: return cmp >= 0;
  }
}

function orderMatch(v: unknown, op: string, lit: Literal): boolean {
  if (lit.kind === "number") return typeof v === "number" && !Number.isNaN(v) && ordered(v < lit.value ? -1 : v > lit.value ? 1 : 0, op);
  if (lit.kind === "string") return typeof v === "string" && ordered(compareText(v, lit.value), op);
  return false;
}

function keyEquals(v: unknown, lit: Literal): boolean {
  return v !== undefined && literalEquals(v, lit);
}

function keyContains(v: unknown, lit: Literal): boolean {
  if (typeof v === "string") return lit.kind === "string" && asciiLower(v).includes(asciiLower(lit.value));
  if (Array.isArray(v)) return v.some((e) => literalEquals(e, lit));
  return false;
}

function attrEquals(name: RunAttribute, v: string | number | null | readonly string[], lit: Literal): boolean {
  if (ATTRIBUTE_KINDS[name] === "tags") return lit.kind === "string" && (v as readonly string[]).includes(lit.value);
  if (lit.kind === "null") return v === null;
  if (v === null) return false;
  if (lit.kind === "number") return v === lit.value;
  if (lit.kind === "string") return v === lit.value;
  return false;
}

function attrOrder(v: string | number | null | readonly string[], op: string, lit: Literal): boolean {
  if (v === null || Array.isArray(v)) return false;
  if (typeof v === "number") return lit.kind === "number" && ordered(v < lit.value ? -1 : v > lit.value ? 1 : 0, op);
  return lit.kind === "string" && ordered(compareText(v as string, lit.value), op);
}

function attrContains(name: RunAttribute, v: string | number | null | readonly string[], lit: Literal): boolean {
  if (lit.kind !== "string" || v === null) return false;
  if (ATTRIBUTE_KINDS[name] === "tags") return (v as readonly string[]).includes(lit.value);
  return typeof v === "string" && asciiLower(v).includes(asciiLower(lit.value));
}

function attrExists(v: string | number | null | readonly string[]): boolean {
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function value(field: Field, run: FilterSubject): { key: true; v: unknown } | { key: false; name: RunAttribute; v: string | number | null | readonly string[] } {
  if (field.kind === "key") {
    const v = run.key(field.scope, field.path);
    // A non-empty object is not a leaf: only the keys under it exist.
    if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) return { key: true, v: undefined };
    return { key: true, v: normalizeLeaf(v) };
  }
  return { key: false, name: field.name, v: run.attribute(field.name) };
}

/** True when the run matches the filter; a null filter matches every run. */
export function evaluateFilter(node: FilterNode | null, run: FilterSubject): boolean {
  if (node === null) return true;
  switch (node.type) {
    case "and": return node.items.every((n) => evaluateFilter(n, run));
    case "or": return node.items.some((n) => evaluateFilter(n, run));
    case "not": return !evaluateFilter(node.item, run);
    case "exists": {
      const x = value(node.field, run);
      return x.key ? x.v !== undefined : attrExists(x.v);
    }
    case "compare": {
      const x = value(node.field, run);
      if (node.op === "=" || node.op === "!=") {
        const eq = x.key ? keyEquals(x.v, node.value) : attrEquals(x.name, x.v, node.value);
        return node.op === "=" ? eq : !eq;
      }
      return x.key ? orderMatch(x.v, node.op, node.value) : attrOrder(x.v, node.op, node.value);
    }
    case "in": {
      const x = value(node.field, run);
      return node.values.some((lit) => (x.key ? keyEquals(x.v, lit) : attrEquals(x.name, x.v, lit)));
    }
    case "contains": {
      const x = value(node.field, run);
      return x.key ? keyContains(x.v, node.value) : attrContains(x.name, x.v, node.value);
    }
  }
}
