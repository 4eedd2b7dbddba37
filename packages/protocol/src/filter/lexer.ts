// Owns splitting a filter into tokens: parentheses, commas, comparison operators, quoted strings
// and "words". A word is a run of bare characters and backtick-quoted pieces with no space between
// them (`config.optimizer.lr`, `val/acc`, 1e-3, finished, config.`my key`.x); the parser decides
// whether a word is a field, a keyword, a number or a bare string.
import type { CompareOp } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";

/** Characters a bare word may contain: letters, digits and _ - / . : + @ */
const BARE = /[\p{L}\p{N}_\-/.:+@]/u;

/** One piece of a word: bare text, or the content of a backtick-quoted piece (escapes resolved). */
export interface WordPart { text: string; quoted: boolean; start: number; end: number }

export type Token =
  | { kind: "lparen" | "rparen" | "comma" | "eof"; start: number; end: number }
  | { kind: "op"; op: CompareOp; start: number; end: number }
  | { kind: "string"; value: string; start: number; end: number }
  | { kind: "word"; text: string; parts: WordPart[]; start: number; end: number };

/** Tokens of src[from, to); offsets stay relative to the whole of src, so errors point into it. */
export function tokenize(src: string, what = "filter", from = 0, to = src.length): Token[] {
  const tokens: Token[] = [];
  const fail = (offset: number, length: number, detail: string): never => {
    throw new FilterSyntaxError(src, offset, length, detail, what);
  };
  let i = from;
  const n = to;
  while (i < n) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { i++; continue; }
    const start = i;
    switch (c) {
      case "(": tokens.push({ kind: "lparen", start, end: ++i }); continue;
      case ")": tokens.push({ kind: "rparen", start, end: ++i }); continue;
      case ",": tokens.push({ kind: "comma", start, end: ++i }); continue;
      case "=":
        i += src[i + 1] === "=" ? 2 : 1;
        tokens.push({ kind: "op", op: "=", start, end: i });
        continue;
      case "!":
        if (src[i + 1] === "=") { i += 2; tokens.push({ kind: "op", op: "!=", start, end: i }); continue; }
        return fail(i, 1, `unexpected "!": write "not" to negate, or "!=" for "not equal"`);
      case "<":
        if (src[i + 1] === "=") { i += 2; tokens.push({ kind: "op", op: "<=", start, end: i }); continue; }
        if (src[i + 1] === ">") { i += 2; tokens.push({ kind: "op", op: "!=", start, end: i }); continue; }
        tokens.push({ kind: "op", op: "<", start, end: ++i });
        continue;
      case ">":
        if (src[i + 1] === "=") { i += 2; tokens.push({ kind: "op", op: ">=", start, end: i }); continue; }
        tokens.push({ kind: "op", op: ">", start, end: ++i });
        continue;
      case "&":
        return fail(i, src[i + 1] === "&" ? 2 : 1, `unexpected "${src[i + 1] === "&" ? "&&" : "&"}": write "and" to combine conditions`);
      case "|":
        return fail(i, src[i + 1] === "|" ? 2 : 1, `unexpected "${src[i + 1] === "|" ? "||" : "|"}": write "or" to combine conditions`);
      case '"':
      case "'": {
        const { value, end } = readQuoted(src, i, n, c, fail);
        tokens.push({ kind: "string", value, start, end });
        i = end;
        continue;
      }
    }
    if (c === "`" || BARE.test(c) || isSurrogateLetter(src, i)) {
      const parts: WordPart[] = [];
      let bareStart = -1;
      const flushBare = (at: number): void => {
        if (bareStart >= 0) parts.push({ text: src.slice(bareStart, at), quoted: false, start: bareStart, end: at });
        bareStart = -1;
      };
      while (i < n) {
        const d = src[i]!;
        if (d === "`") {
          flushBare(i);
          const { value, end } = readQuoted(src, i, n, "`", fail);
          parts.push({ text: value, quoted: true, start: i, end });
          i = end;
        } else if (BARE.test(d) && i < n) {
          if (bareStart < 0) bareStart = i;
          i++;
        } else if (isSurrogateLetter(src, i)) {
          if (bareStart < 0) bareStart = i;
          i += 2;
        } else {
          break;
        }
      }
      flushBare(i);
      tokens.push({ kind: "word", text: src.slice(start, i), parts, start, end: i });
      continue;
    }
    const shown = c === "[" || c === "]" ? `"${c}": lists are written in parentheses, e.g. in ("a", "b")` :
      c === "*" || c === "%" || c === "?" ? `"${c}": there are no wildcards; use contains "text" for a substring` :
      c === "\\" ? `"\\": backslashes escape only inside "quoted text" and \`quoted keys\`` :
      `character "${c}": quote text with "double quotes" and unusual key names with \`backticks\``;
    return fail(i, 1, `unexpected ${shown}`);
  }
  tokens.push({ kind: "eof", start: n, end: n });
  return tokens;
}

/** True when src[i..i+1] is a surrogate pair forming a letter or digit (astral-plane names). */
function isSurrogateLetter(src: string, i: number): boolean {
  const cp = src.codePointAt(i);
  return cp !== undefined && cp > 0xffff && BARE.test(String.fromCodePoint(cp));
}

/** Reads a quoted piece starting at the quote character; returns its value and the offset after it. */
function readQuoted(
  src: string, open: number, n: number, quote: string, fail: (offset: number, length: number, detail: string) => never,
): { value: string; end: number } {
  let out = "";
  let i = open + 1;
  while (i < n) {
    const c = src[i]!;
    if (c === quote) return { value: out, end: i + 1 };
    if (c === "\\") {
      const e = src[i + 1];
      switch (e) {
        case "\\": case '"': case "'": case "`": case "/": out += e; i += 2; continue;
        case "n": out += "\n"; i += 2; continue;
        case "t": out += "\t"; i += 2; continue;
        case "r": out += "\r"; i += 2; continue;
        case "u": {
          const hex = src.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, Math.min(6, n - i), `"\\u" must be followed by four hex digits, e.g. \\u00e9`);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        case undefined:
          break;
        default:
          fail(i, 2, `unknown escape "\\${e}": inside quotes use \\\\, \\${quote}, \\n, \\t or \\uXXXX`);
      }
      break;
    }
    out += c;
    i++;
  }
  const name = quote === "`" ? "backtick-quoted key" : "quoted text";
  return fail(open, n - open, `${name} starting here is not closed: add the closing ${quote}`);
}
