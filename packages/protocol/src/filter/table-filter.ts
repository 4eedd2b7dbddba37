// Owns the filter grammar of table pages: `<column> <op> <value>` conditions (= != < <= > >=
// contains) joined by and / or, with not and parentheses, column names in `backticks` when they
// hold spaces; a bare value naming a column compares two columns (`label != pred`). Parsing is separate from checking against a table's columns, so the dashboard can
// point at a syntax error before it knows the columns. Errors are FilterSyntaxError (what = "filter")
// with the column of the offending text, exactly as the runs filter reports them. Pure; evaluation
// over a table's cells is the server's (server/src/tables/filter.ts).
import type { CompareOp, Span } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { tokenize, type Token } from "./lexer.js";
import type { TableColumnType } from "../wire/tables.js";

export type TableFilterOp = CompareOp | "contains";

/** A literal as written: `text` is its unquoted source (a bare 0.50 keeps "0.50" for text columns). */
export type TableLiteral =
  | (Span & { kind: "number"; value: number; text: string })
  | (Span & { kind: "string"; value: string; quoted: boolean; text: string })
  | (Span & { kind: "bool"; value: boolean; text: string })
  | (Span & { kind: "null"; text: string });

export type TableFilterNode =
  | (Span & { type: "and" | "or"; items: TableFilterNode[] })
  | (Span & { type: "not"; item: TableFilterNode })
  | (Span & { type: "cond"; column: string; columnSpan: Span; op: TableFilterOp; value: TableLiteral });

/** A column as the filter sees it: the name a condition uses and what the column holds. */
export interface TableFilterColumn { name: string; type: TableColumnType }

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MAX_DEPTH = 64;

/** Parses a table filter; null for an empty (all-space) one. Throws FilterSyntaxError. */
export function parseTableFilter(src: string): TableFilterNode | null {
  const tokens = tokenize(src, "filter");
  if (tokens.length === 1) return null;
  let i = 0;
  const fail = (t: Token, detail: string): never => {
    throw new FilterSyntaxError(src, t.start, Math.max(1, t.end - t.start), detail, "filter");
  };
  const keyword = (t: Token, w: string): boolean => t.kind === "word" && t.parts.length === 1 && !t.parts[0]!.quoted && t.text.toLowerCase() === w;

  const parseOr = (depth: number): TableFilterNode => {
    const items = [parseAnd(depth)];
    while (keyword(tokens[i]!, "or")) { i++; items.push(parseAnd(depth)); }
    return items.length === 1 ? items[0]! : { type: "or", items, start: items[0]!.start, end: items[items.length - 1]!.end };
  };
  const parseAnd = (depth: number): TableFilterNode => {
    const items = [parseUnary(depth)];
    while (keyword(tokens[i]!, "and")) { i++; items.push(parseUnary(depth)); }
    return items.length === 1 ? items[0]! : { type: "and", items, start: items[0]!.start, end: items[items.length - 1]!.end };
  };
  const parseUnary = (depth: number): TableFilterNode => {
    const t = tokens[i]!;
    if (depth > MAX_DEPTH) fail(t, `nested more than ${MAX_DEPTH} levels deep: simplify the expression`);
    if (keyword(t, "not")) {
      i++;
      const item = parseUnary(depth + 1);
      return { type: "not", item, start: t.start, end: item.end };
    }
    if (t.kind === "lparen") {
      i++;
      const inner = parseOr(depth + 1);
      const close = tokens[i]!;
      if (close.kind !== "rparen") fail(close, `expected ")" to close the "(" at column ${t.start + 1}`);
      i++;
      return { ...inner, start: t.start, end: close.end };
    }
    return parseCond();
  };
  const parseCond = (): TableFilterNode => {
    const col = tokens[i]!;
    if (col.kind !== "word") {
      return fail(col, col.kind === "eof" ? "expected a condition like `label = cat` here" : "expected a column name (in `backticks` when it has spaces)");
    }
    i++;
    const opTok = tokens[i]!;
    let op: TableFilterOp;
    if (opTok.kind === "op") op = opTok.op;
    else if (keyword(opTok, "contains")) op = "contains";
    else return fail(opTok, `expected an operator after ${JSON.stringify(col.parts.map((p) => p.text).join(""))}: one of = != < <= > >= contains`);
    i++;
    const value = parseLiteral(tokens[i]!, op);
    i++;
    return {
      type: "cond", column: col.parts.map((p) => p.text).join(""), columnSpan: { start: col.start, end: col.end },
      op, value, start: col.start, end: value.end,
    };
  };
  const parseLiteral = (t: Token, op: TableFilterOp): TableLiteral => {
    if (t.kind === "string") return { kind: "string", value: t.value, quoted: true, text: t.value, start: t.start, end: t.end };
    if (t.kind !== "word") return fail(t, `expected a value after "${op}" (a number, "quoted text", true, false or null)`);
    const text = t.parts.map((p) => p.text).join("");
    if (t.parts.some((p) => p.quoted)) return fail(t, "backticks quote column names; quote text values with \"double quotes\"");
    const lower = text.toLowerCase();
    const span = { start: t.start, end: t.end };
    if (lower === "true" || lower === "false") return { kind: "bool", value: lower === "true", text, ...span };
    if (lower === "null") return { kind: "null", text, ...span };
    if (NUMBER.test(text)) return { kind: "number", value: Number(text), text, ...span };
    if (text === "NaN" || text === "Infinity" || text === "+Infinity" || text === "-Infinity") {
      return { kind: "number", value: text === "NaN" ? NaN : text.startsWith("-") ? -Infinity : Infinity, text, ...span };
    }
    return { kind: "string", value: text, quoted: false, text, ...span };
  };

  const root = parseOr(0);
  const end = tokens[i]!;
  if (end.kind !== "eof") {
    fail(end, end.kind === "rparen" ? `unexpected ")": no "(" is open here` : `expected "and", "or" or the end of the filter`);
  }
  return root;
}

/**
 * The column a condition's value names, if any: a bare (unquoted) word that is a column's name
 * compares two columns (`label != pred`); quote it ("pred") to mean the text.
 */
export function columnRef<C extends TableFilterColumn>(v: TableLiteral, byName: ReadonlyMap<string, C>): C | undefined {
  return v.kind === "string" && !v.quoted ? byName.get(v.value) : undefined;
}

/**
 * Checks a parsed filter against a table's columns: every column exists, and each operator and
 * value suits the column's type. Throws FilterSyntaxError pointing at the offending part.
 */
export function checkTableFilter(src: string, node: TableFilterNode, columns: readonly TableFilterColumn[]): void {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const fail = (s: Span, detail: string): never => {
    throw new FilterSyntaxError(src, s.start, Math.max(1, s.end - s.start), detail, "filter");
  };
  const visit = (n: TableFilterNode): void => {
    if (n.type === "not") { visit(n.item); return; }
    if (n.type !== "cond") { n.items.forEach(visit); return; }
    const col = byName.get(n.column);
    if (col === undefined) {
      const names = columns.slice(0, 12).map((c) => (/^[\p{L}\p{N}_\-/.:+@]+$/u.test(c.name) ? c.name : `\`${c.name}\``));
      fail(n.columnSpan, `unknown column ${JSON.stringify(n.column)}: the columns are ${names.join(", ")}${columns.length > 12 ? ", …" : ""}`);
    }
    const v = n.value;
    const { op } = n;
    const other = columnRef(v, byName);
    if (other !== undefined) {
      const text = (t: TableColumnType): boolean => t === "string" || t === "class";
      const same = col!.type === other.type || (text(col!.type) && text(other.type));
      if (!same || col!.type === "image") {
        fail(n, `${JSON.stringify(col!.name)} (${col!.type}) and ${JSON.stringify(other.name)} (${other.type}) cannot be compared: quote "${other.name}" to mean the text`);
      }
      if (op === "contains" && !text(col!.type)) fail(n, "contains needs text columns");
      if ((col!.type === "bool" || col!.type === "class" || other.type === "class") && op !== "=" && op !== "!=" && op !== "contains") {
        fail(n, `${JSON.stringify(col!.name)} and ${JSON.stringify(other.name)} compare with = or != only`);
      }
      return;
    }
    if (v.kind === "null") {
      if (op !== "=" && op !== "!=") fail(v, `null only compares with = or != (missing cells)`);
      return;
    }
    switch (col!.type) {
      case "number":
        if (op === "contains") fail(n, `contains needs a text column; ${JSON.stringify(col!.name)} holds numbers: compare with = != < <= > >=`);
        if (v.kind !== "number") fail(v, `${JSON.stringify(col!.name)} holds numbers: compare it with a number`);
        return;
      case "string":
        return;
      case "bool":
        if (op !== "=" && op !== "!=") fail(n, `${JSON.stringify(col!.name)} holds true/false: use = or !=`);
        if (v.kind !== "bool") fail(v, `${JSON.stringify(col!.name)} holds true/false: compare it with true or false`);
        return;
      case "class":
        if (op !== "=" && op !== "!=" && op !== "contains") fail(n, `${JSON.stringify(col!.name)} holds class labels: use =, != or contains`);
        return;
      case "image":
        fail(n, `${JSON.stringify(col!.name)} holds images: only \`${col!.name} = null\` and \`!= null\` apply`);
    }
  };
  visit(node);
}
