// Owns the filter grammar (docs/filter-grammar.md): a recursive-descent parser from text to the AST
// in ast.ts, with every error pointing at a column and saying what was expected. It also checks each
// condition against its field (state takes a known state, createdAt a date, tags no ordering), so
// that every expression it accepts can be evaluated. Also parses single fields (sort, columns,
// group-by) with the same path rules.
//
//   filter    := or
//   or        := and ("or" and)*
//   and       := unary ("and" unary)*
//   unary     := "not" unary | "(" or ")" | condition
//   condition := field op value
//              | field ["not"] "in" "(" value ("," value)* ")"
//              | field ["not"] "contains" value
//              | field ["not"] "exists"
//   op        := = | == | != | <> | < | <= | > | >=
//   field     := "config." path | "summary." path | attribute
//   path      := segment ("." segment)*      segment := bare characters | `backtick-quoted`
//   value     := number | "text" | 'text' | bare word | true | false | null
import {
  ATTRIBUTE_ALIASES, ATTRIBUTE_KINDS, RUN_ATTRIBUTES, RUN_STATES,
  type AttributeField, type CompareOp, type Field, type FilterNode, type KeyField, type Literal, type RunAttribute,
  type SortDirection, type SortSpec, type Span,
} from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { tokenize, type Token, type WordPart } from "./lexer.js";

export const FILTER_LIMITS = {
  /** Characters in one filter expression. */
  maxLength: 10_000,
  /** Nesting of parentheses and not. */
  maxDepth: 64,
  /** Values in one in (...) list. */
  maxInValues: 1_000,
  /** Conditions in one filter. */
  maxConditions: 256,
} as const;

const KEYWORDS = new Set(["and", "or", "not", "in", "contains", "exists", "true", "false", "null"]);
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = {
  nan: NaN, infinity: Infinity, "+infinity": Infinity, "-infinity": -Infinity, inf: Infinity, "+inf": Infinity, "-inf": -Infinity,
};
/** ISO-8601 dates the time attributes accept: 2026-01-31, 2026-01-31T12:00, …:00Z, …+02:00. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NULLABLE: ReadonlySet<RunAttribute> = new Set(["group", "jobType", "startedAt", "endedAt", "heartbeatAt", "exitCode", "lastStep"]);

const ATTRIBUTE_LIST = RUN_ATTRIBUTES.join(", ");
const NULLABLE_LIST = [...NULLABLE].join(", ");
const VALUE_KINDS = `a number, "quoted text", a bare word, true, false or null`;

function describe(t: Token): string {
  switch (t.kind) {
    case "eof": return "the end of the filter";
    case "lparen": return '"("';
    case "rparen": return '")"';
    case "comma": return '","';
    case "op": return `"${t.op}"`;
    case "string": return `the text ${JSON.stringify(t.value.length > 30 ? t.value.slice(0, 30) + "…" : t.value)}`;
    case "word": return KEYWORDS.has(t.text.toLowerCase()) ? `the keyword "${t.text}"` : `"${t.text.length > 40 ? t.text.slice(0, 40) + "…" : t.text}"`;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;
  private conditions = 0;

  constructor(private readonly src: string, private readonly tokens: Token[], private readonly what: string) {}

  fail(at: Span, detail: string): never {
    throw new FilterSyntaxError(this.src, at.start, Math.max(1, at.end - at.start), detail, this.what);
  }

  peek(): Token { return this.tokens[this.pos]!; }
  next(): Token { return this.tokens[this.pos++]!; }

  isKeyword(t: Token, kw: string): boolean {
    return t.kind === "word" && t.parts.length === 1 && !t.parts[0]!.quoted && t.text.toLowerCase() === kw;
  }

  parseFilter(): FilterNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== "eof") {
      if (t.kind === "rparen") this.fail(t, `this ")" has no matching "(": remove it or add "(" before the condition it closes`);
      this.fail(t, `expected "and", "or" or the end of the filter after a complete condition, got ${describe(t)}` +
        (t.kind === "word" || t.kind === "string" ? ` (join conditions with "and" or "or"; quote text that contains spaces)` : ""));
    }
    return node;
  }

  private parseOr(): FilterNode {
    const first = this.parseAnd();
    if (!this.isKeyword(this.peek(), "or")) return first;
    const items = [first];
    while (this.isKeyword(this.peek(), "or")) {
      this.next();
      items.push(this.parseAnd());
    }
    return { type: "or", items, start: first.start, end: items[items.length - 1]!.end };
  }

  private parseAnd(): FilterNode {
    const first = this.parseUnary();
    if (!this.isKeyword(this.peek(), "and")) return first;
    const items = [first];
    while (this.isKeyword(this.peek(), "and")) {
      this.next();
      items.push(this.parseUnary());
    }
    return { type: "and", items, start: first.start, end: items[items.length - 1]!.end };
  }

  private parseUnary(): FilterNode {
    const t = this.peek();
    if (++this.depth > FILTER_LIMITS.maxDepth) this.fail(t, `the filter nests more than ${FILTER_LIMITS.maxDepth} levels of parentheses or "not": simplify it`);
    try {
      if (this.isKeyword(t, "not")) {
        this.next();
        const item = this.parseUnary();
        return { type: "not", item, start: t.start, end: item.end };
      }
      if (t.kind === "lparen") {
        this.next();
        if (this.peek().kind === "rparen") this.fail(this.peek(), `expected a condition inside "()", got ")"`);
        const inner = this.parseOr();
        const close = this.peek();
        if (close.kind !== "rparen") {
          if (close.kind === "eof") this.fail(t, `this "(" is not closed: add ")" at the end of the condition it groups`);
          this.fail(close, `expected "and", "or" or ")" after a complete condition, got ${describe(close)}`);
        }
        this.next();
        return { ...inner, start: t.start, end: close.end };
      }
      return this.parseCondition();
    } finally {
      this.depth--;
    }
  }

  private parseCondition(): FilterNode {
    const t = this.peek();
    if (t.kind === "eof") {
      const prev = this.tokens[this.pos - 1];
      this.fail(t, prev === undefined ? "the filter is empty: write a condition such as state = finished"
        : `expected a condition (such as config.lr < 0.01) after ${describe(prev)}, got the end of the filter`);
    }
    if (t.kind !== "word") {
      this.fail(t, `expected a field (config.<key>, summary.<key> or one of ${ATTRIBUTE_LIST}), got ${describe(t)}` +
        (t.kind === "string" ? "; the field comes first, e.g. name = \"text\"" : ""));
    }
    if (KEYWORDS.has(t.text.toLowerCase()) && t.parts.length === 1 && !t.parts[0]!.quoted) {
      this.fail(t, `expected a field (config.<key>, summary.<key> or one of ${ATTRIBUTE_LIST}), got ${describe(t)}`);
    }
    if (++this.conditions > FILTER_LIMITS.maxConditions) this.fail(t, `the filter has more than ${FILTER_LIMITS.maxConditions} conditions: simplify it`);
    this.next();
    const field = fieldFromWord(t, this);
    const opTok = this.peek();
    if (opTok.kind === "op") {
      this.next();
      const value = this.parseValue(opTok, field);
      const node: FilterNode = { type: "compare", field, op: opTok.op, value, start: field.start, end: value.end };
      checkCompare(node, opTok, this);
      return node;
    }
    let negate: Token | undefined;
    if (this.isKeyword(opTok, "not")) {
      negate = this.next();
    }
    const kw = this.peek();
    let node: FilterNode;
    if (this.isKeyword(kw, "in")) {
      this.next();
      node = this.parseIn(field, kw);
    } else if (this.isKeyword(kw, "contains")) {
      this.next();
      const value = this.parseValue(kw, field);
      node = { type: "contains", field, value, start: field.start, end: value.end };
      checkContains(node, this);
    } else if (this.isKeyword(kw, "exists")) {
      this.next();
      node = { type: "exists", field, start: field.start, end: kw.end };
    } else {
      const after = negate ? `"not"` : `the field ${field.kind === "key" ? `${field.scope}.${field.path.join(".")}` : field.name}`;
      this.fail(kw, `expected ${negate ? "in, contains or exists" : "an operator (=, !=, <, <=, >, >=, in, contains, exists)"} after ${after}, got ${describe(kw)}` +
        (kw.kind === "word" && !negate ? "; quote key names with spaces in `backticks`" : ""));
    }
    return negate ? { type: "not", item: node, start: field.start, end: node.end } : node;
  }

  private parseIn(field: Field, kw: Token): FilterNode {
    const open = this.peek();
    if (open.kind !== "lparen") this.fail(open, `expected "(" after in, got ${describe(open)}: write in ("a", "b")`);
    this.next();
    const values: Literal[] = [];
    for (;;) {
      if (this.peek().kind === "rparen" && values.length === 0) this.fail(this.peek(), `expected at least one value in the in (...) list, got ")"`);
      values.push(this.parseValue(values.length === 0 ? open : this.tokens[this.pos - 1]!, field));
      if (values.length > FILTER_LIMITS.maxInValues) this.fail(values[values.length - 1]!, `an in (...) list holds at most ${FILTER_LIMITS.maxInValues} values`);
      const sep = this.peek();
      if (sep.kind === "comma") { this.next(); continue; }
      if (sep.kind === "rparen") {
        this.next();
        const node: FilterNode = { type: "in", field, values, start: field.start, end: sep.end };
        checkIn(node, kw, this);
        return node;
      }
      if (sep.kind === "eof") this.fail(open, `this in ( list is not closed: add ")" after the last value`);
      this.fail(sep, `expected "," or ")" in the in (...) list, got ${describe(sep)}`);
    }
  }

  private parseValue(after: Token, field: Field): Literal {
    const t = this.peek();
    const afterText = after.kind === "op" ? after.op : after.kind === "word" ? after.text : after.kind === "lparen" ? "(" : ",";
    if (t.kind === "eof") this.fail(t, `expected a value (${VALUE_KINDS}) after ${afterText}, got the end of the filter`);
    if (t.kind === "string") {
      this.next();
      return { kind: "string", value: t.value, quoted: true, start: t.start, end: t.end };
    }
    if (t.kind !== "word") this.fail(t, `expected a value (${VALUE_KINDS}) after ${afterText}, got ${describe(t)}`);
    this.next();
    if (t.parts.some((p) => p.quoted)) {
      this.fail(t, `backticks quote key names, not values: write text values in "double quotes"`);
    }
    const lower = t.text.toLowerCase();
    if (lower === "true" || lower === "false") return { kind: "bool", value: lower === "true", start: t.start, end: t.end };
    if (lower === "null") return { kind: "null", start: t.start, end: t.end };
    if (KEYWORDS.has(lower)) this.fail(t, `expected a value (${VALUE_KINDS}) after ${afterText}, got ${describe(t)}; quote it ("${t.text}") to compare with that text`);
    if (NUMBER.test(t.text)) return { kind: "number", value: Number(t.text), start: t.start, end: t.end };
    if (Object.hasOwn(SPECIAL_NUMBERS, lower)) return { kind: "number", value: SPECIAL_NUMBERS[lower]!, start: t.start, end: t.end };
    if (/^(config|summary)\./.test(t.text)) {
      this.fail(t, `comparing a field with another field is not supported; to compare with the text "${t.text}", quote it`);
    }
    return { kind: "string", value: t.text, quoted: false, start: t.start, end: t.end };
  }

  /** Source text of a span, for turning a number the user typed into the text of a text field. */
  slice(s: Span): string { return this.src.slice(s.start, s.end); }
}

/** Builds a field from a word token: splits the path, then resolves config/summary or an attribute. */
function fieldFromWord(t: Token & { kind: "word" }, p: { fail(at: Span, detail: string): never }): Field {
  const segments = splitPath(t.parts, t, p);
  const first = segments[0]!;
  if (!first.quoted && (first.text === "config" || first.text === "summary")) {
    if (segments.length === 1) p.fail(t, `name a key after "${first.text}.", e.g. ${first.text}.${first.text === "config" ? "optimizer.lr" : "val/acc"}`);
    const field: KeyField = { kind: "key", scope: first.text, path: segments.slice(1).map((s) => s.text), start: t.start, end: t.end };
    return field;
  }
  if (segments.length === 1 && !first.quoted) {
    const name = resolveAttribute(first.text);
    if (name !== undefined) {
      const field: AttributeField = { kind: "attribute", name, start: t.start, end: t.end };
      return field;
    }
  }
  const lowerFirst = first.text.toLowerCase();
  if (lowerFirst === "config" || lowerFirst === "summary" || lowerFirst === "cfg" || lowerFirst === "configs") {
    p.fail(t, `unknown field "${t.text}": key fields start with "config." or "summary." in lower case`);
  }
  if (segments.length > 1 || first.quoted) {
    p.fail(t, `unknown field "${t.text}": write config.${t.text} or summary.${t.text} to name a key`);
  }
  const guess = closestAttribute(first.text);
  p.fail(t, `unknown field "${t.text}": expected config.<key>, summary.<key> or one of ${ATTRIBUTE_LIST}` +
    (guess ? ` (did you mean ${guess}?)` : ""));
}

interface Segment { text: string; quoted: boolean }

function splitPath(parts: WordPart[], t: Span, p: { fail(at: Span, detail: string): never }): Segment[] {
  const out: Segment[] = [];
  // `pending` is the bare text of the segment being read; `afterQuoted` is set right after a quoted
  // segment, which must be followed by a dot or the end of the word.
  let pending: string | null = null;
  let pendingStart = t.start;
  let afterQuoted = false;
  for (const part of parts) {
    if (part.quoted) {
      if (pending !== null && pending !== "") p.fail(part, `put a "." between "${pending}" and the backtick-quoted segment`);
      if (afterQuoted) p.fail(part, `put a "." between two backtick-quoted segments`);
      out.push({ text: part.text, quoted: true });
      pending = null;
      afterQuoted = true;
      continue;
    }
    let i = 0;
    const s = part.text;
    if (afterQuoted) {
      if (s[0] !== ".") p.fail(part, `expected "." after a backtick-quoted segment, got "${s[0]}"`);
      i = 1;
      afterQuoted = false;
      pending = "";
      pendingStart = part.start + 1;
    } else if (pending === null) {
      pending = "";
      pendingStart = part.start;
    }
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === ".") {
        if (pending === "") p.fail({ start: part.start + i, end: part.start + i + 1 }, `empty key segment: remove the extra "." (or quote a key that is really empty as \`\`)`);
        out.push({ text: pending!, quoted: false });
        pending = "";
        pendingStart = part.start + i + 1;
      } else {
        pending += c;
      }
    }
  }
  if (pending !== null) {
    if (pending === "") p.fail({ start: Math.max(t.start, pendingStart - 1), end: pendingStart }, `a field cannot end with ".": name the key after it`);
    out.push({ text: pending, quoted: false });
  }
  return out;
}

function resolveAttribute(text: string): RunAttribute | undefined {
  if ((RUN_ATTRIBUTES as readonly string[]).includes(text)) return text as RunAttribute;
  if (Object.hasOwn(ATTRIBUTE_ALIASES, text)) return ATTRIBUTE_ALIASES[text];
  return undefined;
}

function closestAttribute(text: string): string | undefined {
  const lower = text.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(text.length / 3)) + 1;
  for (const a of RUN_ATTRIBUTES) {
    if (a.toLowerCase() === lower) return a;
    const d = editDistance(lower, a.toLowerCase());
    if (d < bestD) { bestD = d; best = a; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

type Failer = { fail(at: Span, detail: string): never; slice(s: Span): string };

function fieldName(f: Field): string {
  return f.kind === "key" ? `${f.scope}.${f.path.join(".")}` : f.name;
}

/**
 * Checks a literal against what an attribute holds and normalizes it in place: a number typed for a
 * text field becomes its text, a date becomes epoch milliseconds. Keys take any literal.
 */
function checkLiteral(field: Field, lit: Literal, p: Failer, ordering: boolean): void {
  if (field.kind === "key") {
    if (ordering) {
      if (lit.kind === "null" || lit.kind === "bool") p.fail(lit, `${lit.kind === "null" ? "null" : "true and false"} cannot be ordered: use = or != with it`);
      if (lit.kind === "number" && Number.isNaN(lit.value)) p.fail(lit, `NaN is not ordered: use = NaN or != NaN`);
    }
    return;
  }
  const kind = ATTRIBUTE_KINDS[field.name];
  const name = field.name;
  if (lit.kind === "null") {
    if (ordering) p.fail(lit, `null cannot be ordered: use ${name} = null or ${name} != null`);
    if (!NULLABLE.has(name)) p.fail(lit, `${name} is never null: remove the condition, or use ${NULLABLE_LIST} with null`);
    return;
  }
  switch (kind) {
    case "text":
    case "nullableText":
    case "tags":
      if (lit.kind === "number") {
        // A number typed for a text field is the text the user typed (id = 0012 keeps its zeros).
        const m = lit as unknown as Record<string, unknown>;
        m.kind = "string";
        m.value = p.slice(lit);
        m.quoted = false;
      } else if (lit.kind === "bool") {
        p.fail(lit, `${name} holds text: quote "${lit.value}" to compare with that text`);
      }
      return;
    case "state":
      if (lit.kind !== "string" || !(RUN_STATES as readonly string[]).includes(lit.value)) {
        p.fail(lit, `state is one of ${RUN_STATES.join(", ")}; got ${p.slice(lit)}`);
      }
      return;
    case "time": {
      if (lit.kind === "number") {
        if (!Number.isFinite(lit.value)) p.fail(lit, `${name} is a time: give a date such as "2026-01-31" or epoch milliseconds`);
        return;
      }
      if (lit.kind !== "string") p.fail(lit, `${name} is a time: give a date such as "2026-01-31" or epoch milliseconds`);
      const ms = ISO_DATE.test(lit.value) ? Date.parse(lit.value.replace(" ", "T")) : NaN;
      if (!Number.isFinite(ms)) p.fail(lit, `${name} is a time: "${lit.value}" is not a date; write it like "2026-01-31" or "2026-01-31T12:00:00Z"`);
      const m = lit as unknown as Record<string, unknown>;
      m.kind = "number";
      m.value = ms;
      delete m.quoted;
      return;
    }
    case "number":
      if (lit.kind !== "number") p.fail(lit, `${name} is a number${name === "runtime" ? " of seconds" : ""}; got ${p.slice(lit)}`);
      if (Number.isNaN(lit.value)) p.fail(lit, `${name} is never NaN: compare it with a number`);
      return;
  }
}

function checkCompare(node: FilterNode & { type: "compare" }, opTok: Span, p: Failer): void {
  const ordering = node.op !== "=" && node.op !== "!=";
  const f = node.field;
  if (f.kind === "attribute") {
    const kind = ATTRIBUTE_KINDS[f.name];
    if (ordering && (kind === "tags" || kind === "state")) {
      p.fail(opTok, `${f.name} cannot be ordered: use ${kind === "tags" ? `tags contains "x"` : "state = finished or state in (finished, failed)"}`);
    }
  }
  checkLiteral(f, node.value, p, ordering);
}

function checkIn(node: FilterNode & { type: "in" }, _kw: Token, p: Failer): void {
  for (const v of node.values) checkLiteral(node.field, v, p, false);
}

function checkContains(node: FilterNode & { type: "contains" }, p: Failer): void {
  const f = node.field;
  const v = node.value;
  if (f.kind === "attribute") {
    const kind = ATTRIBUTE_KINDS[f.name];
    if (kind !== "text" && kind !== "nullableText" && kind !== "tags") {
      p.fail(v, `contains works on text fields (name, notes, group, jobType, id), tags, and config/summary keys; ${f.name} is ${kind === "state" ? "a state: use state = " + (v.kind === "string" ? v.value : "finished") : kind === "time" ? "a time: use < or >" : "a number: use =, < or >"}`);
    }
  }
  if (v.kind === "null") p.fail(v, `contains needs text (or a number or true/false to find in a list), not null: use ${fieldName(f)} = null`);
  if (v.kind === "number" && Number.isNaN(v.value)) p.fail(v, `contains needs text or a number, not NaN`);
  checkLiteral(f, v, p, false);
}

/** Parses a filter expression. Returns null for an empty (all-whitespace) filter. */
export function parseFilter(src: string): FilterNode | null {
  if (src.length > FILTER_LIMITS.maxLength) {
    throw new FilterSyntaxError(src, FILTER_LIMITS.maxLength, 1, `the filter is longer than ${FILTER_LIMITS.maxLength} characters: shorten it`);
  }
  const tokens = tokenize(src, "filter");
  if (tokens.length === 1) return null;
  return new Parser(src, tokens, "filter").parseFilter();
}

/**
 * Parses one field (`config.optimizer.lr`, `summary.val/acc`, `createdAt`) filling the whole of
 * `src[start, end)`; `what` names the parameter for messages ("sort", "columns", "by").
 */
export function parseField(src: string, what = "field", start = 0, end = src.length): Field {
  const tokens = tokenize(src, what, start, end);
  const p = new Parser(src, tokens, what);
  const t = tokens[0]!;
  if (t.kind === "eof") p.fail({ start, end: start + 1 }, `expected a field (config.<key>, summary.<key> or one of ${ATTRIBUTE_LIST}), got nothing`);
  if (t.kind !== "word") return p.fail(t, `expected a field (config.<key>, summary.<key> or one of ${ATTRIBUTE_LIST}), got ${describe(t)}`);
  const field = fieldFromWord(t, p);
  const rest = tokens[1]!;
  if (rest.kind !== "eof") p.fail(rest, `expected only a field, got ${describe(rest)} after it; quote key names with spaces in \`backticks\``);
  return field;
}

export interface ListItem { start: number; end: number; suffix?: { text: string; start: number } }

/**
 * Splits a comma-separated list (commas inside backticks do not split). With `suffixes`, a trailing
 * ":word" (letters only, outside backticks) is split off each item: sort direction, aggregate.
 */
export function splitList(src: string, what: string, suffixes: boolean): ListItem[] {
  const items: ListItem[] = [];
  let start = 0;
  let inTick = false;
  let colon = -1;
  const push = (end: number): void => {
    let s = start;
    let e = end;
    while (s < e && src[s] === " ") s++;
    while (e > s && src[e - 1] === " ") e--;
    if (s === e) throw new FilterSyntaxError(src, Math.min(start, Math.max(0, src.length - 1)), 1, `empty item in the ${what} list: remove the extra ","`, what);
    const suffix = colon >= s && colon < e ? src.slice(colon + 1, e) : undefined;
    if (suffixes && suffix !== undefined && /^\s*[A-Za-z]+\s*$/.test(suffix)) {
      let fe = colon;
      while (fe > s && src[fe - 1] === " ") fe--;
      items.push({ start: s, end: fe, suffix: { text: suffix.trim(), start: colon + 1 + (suffix.length - suffix.trimStart().length) } });
    } else {
      items.push({ start: s, end: e });
    }
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "`") inTick = !inTick;
    else if (c === "\\" && inTick) i++;
    else if (!inTick && c === ":") colon = i;
    else if (!inTick && c === ",") { push(i); start = i + 1; colon = -1; }
  }
  if (inTick) throw new FilterSyntaxError(src, src.lastIndexOf("`"), 1, "backtick-quoted key starting here is not closed: add the closing `", what);
  push(src.length);
  return items;
}

/** Parses a comma-separated list of fields (columns=, by=). */
export function parseFieldList(src: string, what: string): { field: Field; text: string }[] {
  return splitList(src, what, false).map((item) => ({
    field: parseField(src, what, item.start, item.end),
    text: src.slice(item.start, item.end),
  }));
}

/** Parses `field[:asc|:desc]`; the direction defaults to asc for text attributes, desc otherwise. */
export function parseSort(src: string): SortSpec {
  const items = splitList(src, "sort", true);
  if (items.length > 1) throw new FilterSyntaxError(src, items[1]!.start, 1, "sort takes one field: sort by one key at a time", "sort");
  const item = items[0]!;
  const field = parseField(src, "sort", item.start, item.end);
  let direction: SortDirection;
  if (item.suffix !== undefined) {
    const d = item.suffix.text.toLowerCase();
    if (d !== "asc" && d !== "desc") {
      throw new FilterSyntaxError(src, item.suffix.start, Math.max(1, item.suffix.text.length), `expected asc or desc after ":", got "${item.suffix.text}"`, "sort");
    }
    direction = d;
  } else {
    direction = field.kind === "attribute" && ["text", "nullableText", "state"].includes(ATTRIBUTE_KINDS[field.name]) ? "asc" : "desc";
  }
  return { field, direction };
}

/** A field's canonical text: bare where the grammar allows, `backticks` around other segments. */
export function formatField(f: Field): string {
  if (f.kind === "attribute") return f.name;
  return `${f.scope}.${formatPath(f.path)}`;
}

const BARE_SEGMENT = /^[\p{L}\p{N}_\-/:+@]+$/u;

/** Path segments as filter text: `optimizer.lr`, or `layers`.`0.weight` where a segment needs quoting. */
export function formatPath(path: readonly string[]): string {
  return path.map((s) => (BARE_SEGMENT.test(s) ? s : "`" + s.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`")).join(".");
}

/** Prints an AST back as filter text that parses to the same tree. */
export function formatFilter(node: FilterNode): string {
  const lit = (l: Literal): string => {
    switch (l.kind) {
      case "number": return Number.isNaN(l.value) ? "NaN" : l.value === Infinity ? "Infinity" : l.value === -Infinity ? "-Infinity" : String(l.value);
      case "string": return JSON.stringify(l.value);
      case "bool": return String(l.value);
      case "null": return "null";
    }
  };
  const wrap = (n: FilterNode, parent: "and" | "or" | "not"): string => {
    const s = formatFilter(n);
    if (n.type === "or" && parent !== "or") return `(${s})`;
    if (n.type === "and" && parent === "not") return `(${s})`;
    return s;
  };
  switch (node.type) {
    case "and": return node.items.map((n) => wrap(n, "and")).join(" and ");
    case "or": return node.items.map((n) => wrap(n, "or")).join(" or ");
    case "not": return `not ${node.item.type === "compare" || node.item.type === "in" || node.item.type === "contains" || node.item.type === "exists" ? `(${formatFilter(node.item)})` : wrap(node.item, "not")}`;
    case "compare": return `${formatField(node.field)} ${node.op} ${lit(node.value)}`;
    case "in": return `${formatField(node.field)} in (${node.values.map(lit).join(", ")})`;
    case "contains": return `${formatField(node.field)} contains ${lit(node.value)}`;
    case "exists": return `${formatField(node.field)} exists`;
  }
}
