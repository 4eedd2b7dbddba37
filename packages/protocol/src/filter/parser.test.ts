// The filter grammar: what it accepts (as ASTs), what it refuses (with the column and what was
// expected), how it prints back, and what an expression means for one run.
import { describe, expect, it } from "vitest";
import {
  evaluateFilter, FilterSyntaxError, formatField, formatFilter, parseField, parseFieldList, parseFilter, parseSort,
  splitList, type FilterNode, type FilterSubject,
} from "./index.js";

/** The AST without source spans, for comparing shapes. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "start" && k !== "end") out[k] = shape(v);
  return out;
}

const key = (scope: "config" | "summary", ...path: string[]) => ({ kind: "key", scope, path });
const attr = (name: string) => ({ kind: "attribute", name });
const num = (value: number) => ({ kind: "number", value });
const str = (value: string, quoted = false) => ({ kind: "string", value, quoted });

function fail(src: string): FilterSyntaxError {
  try {
    parseFilter(src);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${src}`);
}

describe("filter grammar: accepted expressions", () => {
  it("parses the three-condition example from the design", () => {
    expect(shape(parseFilter("config.optimizer.lr < 0.01 and summary.val/acc > 0.9 and state = finished"))).toEqual({
      type: "and",
      items: [
        { type: "compare", field: key("config", "optimizer", "lr"), op: "<", value: num(0.01) },
        { type: "compare", field: key("summary", "val/acc"), op: ">", value: num(0.9) },
        { type: "compare", field: attr("state"), op: "=", value: str("finished") },
      ],
    });
  });

  it("binds not tighter than and, and and tighter than or; parentheses override", () => {
    expect(shape(parseFilter("not config.a = 1 or config.b = 2 and config.c = 3"))).toEqual({
      type: "or",
      items: [
        { type: "not", item: { type: "compare", field: key("config", "a"), op: "=", value: num(1) } },
        { type: "and", items: [
          { type: "compare", field: key("config", "b"), op: "=", value: num(2) },
          { type: "compare", field: key("config", "c"), op: "=", value: num(3) },
        ] },
      ],
    });
    expect(shape(parseFilter("(config.a = 1 or config.b = 2) and not (config.c = 3)"))).toMatchObject({ type: "and", items: [{ type: "or" }, { type: "not" }] });
  });

  it("reads keywords in any case and every comparison operator", () => {
    const ops = ["=", "==", "!=", "<>", "<", "<=", ">", ">="];
    const want = ["=", "=", "!=", "!=", "<", "<=", ">", ">="];
    ops.forEach((op, i) => expect(shape(parseFilter(`config.x ${op} 1`))).toMatchObject({ op: want[i] }));
    expect(shape(parseFilter("config.x=1 AND config.y>2 Or NOT config.z<=3"))).toMatchObject({ type: "or" });
  });

  it("reads numbers in every JSON form plus NaN and infinities", () => {
    const values = ["0", "-5", "+5", "1.5", ".5", "5.", "1e-3", "1E+3", "-2.5e10", "NaN", "nan", "Infinity", "-Infinity", "inf", "-inf"];
    const want = [0, -5, 5, 1.5, 0.5, 5, 1e-3, 1e3, -2.5e10, NaN, NaN, Infinity, -Infinity, Infinity, -Infinity];
    values.forEach((v, i) => expect((parseFilter(`summary.x = ${v}`) as { value: { value: number } }).value.value).toBe(want[i]));
  });

  it("reads quoted text with escapes, bare words, booleans and null", () => {
    const value = (src: string) => shape((parseFilter(src) as { value: unknown }).value);
    expect(value(`config.x = "a \\"b\\" \\\\ \\n \\u00e9"`)).toEqual(str('a "b" \\ \n é', true));
    expect(value(`config.x = 'it\\'s'`)).toEqual(str("it's", true));
    expect(value("config.x = adam-v2.1/b")).toEqual(str("adam-v2.1/b"));
    expect(value("config.x = TRUE")).toEqual({ kind: "bool", value: true });
    expect(value("config.x = false")).toEqual({ kind: "bool", value: false });
    expect(value("config.x = null")).toEqual({ kind: "null" });
    expect(value("config.x = \"and\"")).toEqual(str("and", true));
  });

  it("reads in, not in, contains, not contains, exists and not exists", () => {
    expect(shape(parseFilter("config.opt in (adam, \"sgd\", 3)"))).toEqual({
      type: "in", field: key("config", "opt"), values: [str("adam"), str("sgd", true), num(3)],
    });
    expect(shape(parseFilter("config.opt not in (a)"))).toEqual({ type: "not", item: { type: "in", field: key("config", "opt"), values: [str("a")] } });
    expect(shape(parseFilter("tags contains x"))).toEqual({ type: "contains", field: attr("tags"), value: str("x") });
    expect(shape(parseFilter("name not contains mlp"))).toEqual({ type: "not", item: { type: "contains", field: attr("name"), value: str("mlp") } });
    expect(shape(parseFilter("config.lr exists"))).toEqual({ type: "exists", field: key("config", "lr") });
    expect(shape(parseFilter("config.lr not exists"))).toEqual({ type: "not", item: { type: "exists", field: key("config", "lr") } });
  });

  it("reads key paths with / - . and backtick-quoted segments", () => {
    const field = (src: string) => shape((parseFilter(`${src} exists`) as { field: unknown }).field);
    expect(field("summary.val/acc")).toEqual(key("summary", "val/acc"));
    expect(field("config.lr-decay.warm_up")).toEqual(key("config", "lr-decay", "warm_up"));
    expect(field("config.`my key`.x")).toEqual(key("config", "my key", "x"));
    expect(field("config.`a.b`")).toEqual(key("config", "a.b"));
    expect(field("config.`back\\`tick`")).toEqual(key("config", "back`tick"));
    expect(field("config.``")).toEqual(key("config", ""));
    expect(field("config.layers.0")).toEqual(key("config", "layers", "0"));
    expect(field("config.température")).toEqual(key("config", "température"));
  });

  it("reads every run attribute and its aliases", () => {
    for (const a of ["id", "name", "state", "group", "jobType", "tags", "notes", "createdAt", "startedAt", "endedAt", "heartbeatAt", "runtime", "exitCode", "lastStep"]) {
      expect((parseFilter(`${a} exists`) as { field: unknown }).field).toMatchObject(attr(a));
    }
    expect((parseFilter("job_type = train") as { field: unknown }).field).toMatchObject(attr("jobType"));
    expect((parseFilter("created_at > 0") as { field: unknown }).field).toMatchObject(attr("createdAt"));
  });

  it("turns dates into epoch milliseconds and numbers typed for text fields into their text", () => {
    expect((parseFilter("createdAt > 2026-01-31") as { value: unknown }).value).toMatchObject(num(Date.UTC(2026, 0, 31)));
    expect((parseFilter(`startedAt <= "2026-01-31T12:00:00Z"`) as { value: unknown }).value).toMatchObject(num(Date.UTC(2026, 0, 31, 12)));
    expect((parseFilter("endedAt < 1767225600000") as { value: unknown }).value).toMatchObject(num(1767225600000));
    expect((parseFilter("id = 0012") as { value: unknown }).value).toMatchObject(str("0012"));
    expect((parseFilter("name in (1e3, x)") as { values: unknown[] }).values).toMatchObject([str("1e3"), str("x")]);
  });

  it("treats an empty or blank filter as no filter", () => {
    expect(parseFilter("")).toBeNull();
    expect(parseFilter("  \n\t ")).toBeNull();
  });

  it("prints an expression back as text that parses to the same tree", () => {
    for (const src of [
      "config.optimizer.lr < 0.01 and summary.val/acc > 0.9 and state = finished",
      "not (config.a = 1 or config.`b c` in (x, \"y z\", NaN)) and tags contains \"q\"",
      "(config.a exists or summary.b not exists) and not (name contains mlp)",
      "config.x = -Infinity or config.y != null or config.z = false",
    ]) {
      const ast = parseFilter(src)!;
      const unquoted = (n: unknown) => JSON.parse(JSON.stringify(shape(n), (k, v: unknown) => (k === "quoted" ? undefined : v)));
      expect(unquoted(parseFilter(formatFilter(ast)))).toEqual(unquoted(ast));
    }
    expect(formatField(parseField("config.`a.b`.c"))).toBe("config.`a.b`.c");
  });
});

describe("filter grammar: refused expressions say where and what was expected", () => {
  it.each([
    ["config.optimizer.lr <", 22, /expected a value .* after <, got the end of the filter/],
    ["config.optimizer.lr < and", 23, /expected a value .* got the keyword "and"; quote it/],
    ["config.lr 0.01", 11, /expected an operator \(=, !=, <, <=, >, >=, in, contains, exists\) after the field config.lr, got "0.01"/],
    ["state = bogus", 9, /state is one of running, finished, failed, crashed; got bogus/],
    ["stat = finished", 1, /unknown field "stat".*did you mean state\?/],
    ["optimizer.lr < 0.01", 1, /unknown field "optimizer.lr": write config.optimizer.lr or summary.optimizer.lr/],
    ["Config.lr = 1", 1, /key fields start with "config." or "summary." in lower case/],
    ["config = 1", 1, /name a key after "config."/],
    ["config.lr < 0.01 and", 21, /expected a condition .* after the keyword "and", got the end of the filter/],
    ["and config.lr < 1", 1, /expected a field .* got the keyword "and"/],
    ["(config.lr < 1", 1, /this "\(" is not closed/],
    ["config.lr < 1)", 14, /this "\)" has no matching "\("/],
    ["()", 2, /expected a condition inside "\(\)"/],
    ["config.lr < 1 config.b = 2", 15, /expected "and", "or" or the end of the filter after a complete condition, got "config.b" \(join conditions/],
    ["config.lr < 1 && config.b = 2", 15, /unexpected "&&": write "and"/],
    ["config.lr < 1 || config.b = 2", 15, /unexpected "\|\|": write "or"/],
    ["!config.lr", 1, /unexpected "!": write "not"/],
    ["config.x = 'abc", 12, /quoted text starting here is not closed/],
    ["config.`abc = 1", 8, /backtick-quoted key starting here is not closed/],
    ["config.x = \"a\\qb\"", 14, /unknown escape "\\q"/],
    ["config.x = \"\\u12\"", 13, /"\\u" must be followed by four hex digits/],
    ["config..x = 1", 8, /empty key segment/],
    ["config.x. = 1", 9, /a field cannot end with "."/],
    ["config.`a`b = 1", 11, /expected "." after a backtick-quoted segment/],
    ["config.a`b` = 1", 9, /put a "." between "a" and the backtick-quoted segment/],
    ["config.x < true", 12, /true and false cannot be ordered/],
    ["config.x >= null", 13, /null cannot be ordered/],
    ["summary.loss < NaN", 16, /NaN is not ordered: use = NaN or != NaN/],
    ["config.x in ()", 14, /at least one value in the in \(\.\.\.\) list/],
    ["config.x in (1, 2", 13, /this in \( list is not closed/],
    ["config.x in 1", 13, /expected "\(" after in, got "1"/],
    ["config.x in (1 2)", 16, /expected "," or "\)" in the in \(\.\.\.\) list, got "2"/],
    ["config.x not = 1", 14, /expected in, contains or exists after "not", got "="/],
    ["config.x = config.y", 12, /comparing a field with another field is not supported/],
    ["config.x = `y`", 12, /backticks quote key names, not values/],
    ["tags < 3", 6, /tags cannot be ordered: use tags contains "x"/],
    ["state > finished", 7, /state cannot be ordered/],
    ["state = null", 9, /state is never null/],
    ["createdAt > yesterday", 13, /createdAt is a time: "yesterday" is not a date/],
    ["createdAt > true", 13, /createdAt is a time/],
    ["runtime > fast", 11, /runtime is a number of seconds; got fast/],
    ["runtime = NaN", 11, /runtime is never NaN/],
    ["name = true", 8, /name holds text: quote "true"/],
    ["runtime contains 5", 18, /contains works on text fields .*runtime is a number/],
    ["config.x contains null", 19, /contains needs text .* not null/],
    ["config.x = [1]", 12, /unexpected "\[": lists are written in parentheses/],
    ["name contains mlp*", 18, /there are no wildcards/],
    ["config.x = a;b", 13, /unexpected character ";"/],
    ["id = 1 and", 11, /after the keyword "and", got the end of the filter/],
  ])("%s: column %i", (src, column, message) => {
    const e = fail(src as string);
    expect(e.column).toBe(column);
    expect(e.detail).toMatch(message as RegExp);
    expect(e.message).toContain(`filter ${JSON.stringify(src)} has an error at column ${column}`);
    // The message quotes the expression and puts a caret under the column.
    const lines = e.message.split("\n");
    expect(lines[1]).toBe(`  ${src}`);
    expect(lines[2]!.indexOf("^")).toBe(2 + (column as number) - 1);
  });

  it("refuses filters that are too long, too deep or too big", () => {
    expect(fail("config.x = 1 and ".repeat(700) + "config.y = 1").detail).toMatch(/longer than 10000 characters/);
    expect(fail("(".repeat(70) + "config.x = 1" + ")".repeat(70)).detail).toMatch(/more than 64 levels/);
    expect(fail("not ".repeat(70) + "config.x = 1").detail).toMatch(/more than 64 levels/);
    expect(fail(`config.x in (${Array.from({ length: 1001 }, (_, i) => i).join(",")})`).detail).toMatch(/at most 1000 values/);
    expect(fail(Array.from({ length: 257 }, (_, i) => `config.k${i} = 1`).join(" or ")).detail).toMatch(/more than 256 conditions/);
  });

  it("cuts a long expression around the error in the message", () => {
    const src = `config.a = 1 and ${"config.b = 2 and ".repeat(20)}config.c <`;
    const e = fail(src);
    const excerpt = e.message.split("\n")[1]!;
    expect(excerpt.length).toBeLessThan(90);
    expect(excerpt).toMatch(/^ {2}….*config\.c <$/);
    expect(e.message.split("\n")[2]!.trimEnd().endsWith("^")).toBe(true);
  });
});

describe("sort, columns and other field lists", () => {
  it("parses a sort field with its direction, defaulting by kind", () => {
    expect(shape(parseSort("summary.val/acc:desc"))).toEqual({ field: key("summary", "val/acc"), direction: "desc" });
    expect(shape(parseSort("config.lr:ASC"))).toEqual({ field: key("config", "lr"), direction: "asc" });
    expect(parseSort("config.lr").direction).toBe("desc");
    expect(parseSort("name").direction).toBe("asc");
    expect(parseSort("createdAt").direction).toBe("desc");
    expect(shape(parseSort("config.`a:b`:asc"))).toEqual({ field: key("config", "a:b"), direction: "asc" });
  });

  it("refuses a bad sort with its column", () => {
    expect(() => parseSort("summary.acc:up")).toThrow(/sort "summary.acc:up" has an error at column 13: expected asc or desc after ":", got "up"/);
    expect(() => parseSort("a.b")).toThrow(/unknown field "a.b"/);
    expect(() => parseSort("config.a,config.b")).toThrow(/sort takes one field/);
    expect(() => parseSort("")).toThrow(/empty item in the sort list/);
    expect(() => parseSort("config.a b")).toThrow(/expected only a field, got "b" after it/);
  });

  it("splits column lists at commas outside backticks and keeps each item's text", () => {
    expect(parseFieldList("config.lr, summary.`a,b`.c ,group", "columns").map((c) => [c.text, shape(c.field)])).toEqual([
      ["config.lr", key("config", "lr")],
      ["summary.`a,b`.c", key("summary", "a,b", "c")],
      ["group", attr("group")],
    ]);
    expect(() => parseFieldList("config.lr,,config.b", "columns")).toThrow(/columns "config.lr,,config.b" has an error at column 11: empty item/);
    expect(() => parseFieldList("config.lr,bogus", "columns")).toThrow(/columns ".*" has an error at column 11: unknown field "bogus"/);
    expect(splitList("summary.acc:mean, runtime", "aggregate", true)).toEqual([
      { start: 0, end: 11, suffix: { text: "mean", start: 12 } },
      { start: 18, end: 25 },
    ]);
  });
});

describe("filter semantics", () => {
  const run = (config: Record<string, unknown>, attrs: Record<string, unknown> = {}): FilterSubject => ({
    key: (scope, path) => {
      let o: unknown = scope === "config" ? config : {};
      for (const seg of path) {
        if (o === null || typeof o !== "object" || Array.isArray(o) || !Object.hasOwn(o, seg)) return undefined;
        o = (o as Record<string, unknown>)[seg];
      }
      return o;
    },
    attribute: (name) => (attrs[name] ?? null) as string | number | null,
  });
  const matches = (filter: string, subject: FilterSubject) => evaluateFilter(parseFilter(filter) as FilterNode, subject);

  it("compares typed values: numbers with numbers, text with text", () => {
    expect(matches("config.x < 5", run({ x: 3 }))).toBe(true);
    expect(matches("config.x < 5", run({ x: "3" }))).toBe(false);
    expect(matches("config.x = 3", run({ x: "3" }))).toBe(false);
    expect(matches("config.x > \"B\"", run({ x: "a" }))).toBe(true);
    expect(matches("config.x > \"b\"", run({ x: "B" }))).toBe(false);
    expect(matches("config.x = true", run({ x: true }))).toBe(true);
    expect(matches("config.x = null", run({ x: null }))).toBe(true);
    expect(matches("config.x = null", run({}))).toBe(false);
  });

  it("treats != as not =, so runs without the key match it", () => {
    expect(matches("config.x != 1", run({}))).toBe(true);
    expect(matches("config.x != 1", run({ x: 1 }))).toBe(false);
    expect(matches("config.x != 1", run({ x: "1" }))).toBe(true);
  });

  it("reads NaN and infinities from their wire strings", () => {
    expect(matches("summary.x = NaN", { ...run({}), key: () => "NaN" })).toBe(true);
    expect(matches("config.x > 1e308", run({ x: "Infinity" }))).toBe(true);
    expect(matches("config.x < 0", run({ x: "NaN" }))).toBe(false);
    expect(matches("config.x != NaN", run({ x: "NaN" }))).toBe(false);
  });

  it("contains finds text case-insensitively for A-Z and members of lists", () => {
    expect(matches("config.x contains ADAM", run({ x: "AdamW" }))).toBe(true);
    expect(matches("config.x contains 64", run({ x: [64, 32] }))).toBe(true);
    expect(matches("config.x contains \"64\"", run({ x: [64, 32] }))).toBe(false);
    expect(matches("config.x contains 64", run({ x: "resnet64" }))).toBe(false);
    expect(matches("config.x contains É", run({ x: "é" }))).toBe(false);
    expect(matches("tags contains mlp", run({}, { tags: ["mlp-2"] }))).toBe(false);
    expect(matches("tags contains mlp", run({}, { tags: ["mlp"] }))).toBe(true);
  });

  it("a key that holds an object is not a leaf: only its leaves exist", () => {
    expect(matches("config.opt exists", run({ opt: { lr: 1 } }))).toBe(false);
    expect(matches("config.opt.lr exists", run({ opt: { lr: 1 } }))).toBe(true);
    expect(matches("config.opt exists", run({ opt: {} }))).toBe(true);
  });

  it("nullable run fields compare with null, and exists means not null", () => {
    expect(matches("group = null", run({}, { group: null }))).toBe(true);
    expect(matches("group exists", run({}, { group: null }))).toBe(false);
    expect(matches("group != g1", run({}, { group: null }))).toBe(true);
    expect(matches("group < \"z\"", run({}, { group: null }))).toBe(false);
    expect(matches("tags exists", run({}, { tags: [] }))).toBe(false);
  });
});
