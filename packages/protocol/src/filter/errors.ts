// Owns how a bad filter (or sort, column, group-by field) is reported: the position, what was
// expected, and a message that quotes the expression with a caret under the offending column.

/** Longest excerpt of the expression shown in a message; longer ones are cut around the error. */
const EXCERPT_CHARS = 72;

export class FilterSyntaxError extends Error {
  /** 1-based column of the first offending character (UTF-16 code units). */
  readonly column: number;
  constructor(
    readonly source: string,
    /** 0-based offset of the offending text. */
    readonly offset: number,
    /** Length of the offending text (at least 1 for the caret). */
    readonly length: number,
    /** What went wrong and what was expected, without the position (e.g. `expected a value after "<"`). */
    readonly detail: string,
    /** Which input the source came from, for the message: "filter", "sort", "columns", "by", "aggregate". */
    readonly what: string = "filter",
  ) {
    super(formatMessage(source, offset, length, detail, what));
    this.name = "FilterSyntaxError";
    this.column = offset + 1;
  }
}

function formatMessage(source: string, offset: number, length: number, detail: string, what: string): string {
  const column = offset + 1;
  let from = 0;
  let to = source.length;
  if (source.length > EXCERPT_CHARS) {
    from = Math.max(0, Math.min(offset - Math.floor(EXCERPT_CHARS / 2), source.length - EXCERPT_CHARS));
    to = Math.min(source.length, from + EXCERPT_CHARS);
  }
  const head = from > 0 ? "…" : "";
  const tail = to < source.length ? "…" : "";
  const excerpt = head + source.slice(from, to).replace(/[\r\n\t]/g, " ") + tail;
  const caretAt = head.length + Math.max(0, offset - from);
  const carets = "^".repeat(Math.max(1, Math.min(length, to - offset, 40)));
  return `${what} ${JSON.stringify(source.length > 200 ? source.slice(0, 200) + "…" : source)} has an error at column ${column}: ${detail}\n` +
    `  ${excerpt}\n  ${" ".repeat(caretAt)}${carets}`;
}
