// Owns bench/RESULTS.md as a set of blocks, one per benchmark section, between
// `<!-- section:NAME -->` and `<!-- /section:NAME -->` markers. Each block carries its own date,
// machine and command line, and a run rewrites only the blocks of the sections it ran.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT } from "./common.mjs";

export const RESULTS = join(ROOT, "bench/RESULTS.md");

const PREAMBLE = `# Benchmark results

Each section below is rewritten only by a run that includes it, so sections can carry different
dates. Naive baseline (main sections): one SQLite row per metric point with an index on (run, key,
step); run config and summary as JSON columns queried with json_extract; same durability settings
(WAL, synchronous=FULL). Ratio = how many times better Orrery is.
`;

/** The "when, where, how" lines every block starts with. */
export function provenance(command, minutes) {
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}; Node.js ${process.version}`,
    `- Command: \`${command}\`${minutes === undefined ? "" : `, ${minutes.toFixed(1)} minutes`}`,
  ].join("\n");
}

export const cell = (v) => String(v ?? "").replace(/\|/g, "\\|");

// Rows of the single-table format used before sections existed, by the start of their `what`.
const LEGACY = [
  ["log", ["run.log() cost"]],
  ["python", ["orrery.log() cost"]],
  ["ingest", ["ingest through"]],
  ["series", ["chart query", "storage per metric point", "the same 10,000,000-point chart query"]],
  ["runs", ["runs table", "server memory"]],
  ["config", ["one run with 1,000,000 config keys"]],
  ["browser", ["dashboard:"]],
];
const MAIN_HEADER = "| what | Orrery | target (DESIGN section 3) | naive baseline | ratio | notes |\n| --- | --- | --- | --- | --- | --- |";

/** Splits a pre-sections RESULTS.md into blocks so its rows survive the first sectioned run. */
function migrateLegacy(text) {
  const date = /- Date: (.*)/.exec(text)?.[1] ?? "unknown";
  const machine = /- Machine: (.*)/.exec(text)?.[1] ?? "unknown";
  const node = /- Node.js (.*)/.exec(text)?.[1];
  const command = /- Command: (.*)/.exec(text)?.[1] ?? "unknown";
  const rows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| what") && !l.startsWith("| ---"));
  const blocks = new Map();
  for (const row of rows) {
    const what = row.slice(2);
    const name = LEGACY.find(([, prefixes]) => prefixes.some((p) => what.startsWith(p)))?.[0] ?? "other";
    if (!blocks.has(name)) blocks.set(name, []);
    blocks.get(name).push(row);
  }
  let out = PREAMBLE;
  for (const [name, rs] of blocks) {
    const head = `- Date: ${date}\n- Machine: ${machine}${node ? `; Node.js ${node}` : ""}\n- Command: ${command}`;
    out += `\n${wrap(name, `## ${name}\n\n${head}\n\n${MAIN_HEADER}\n${rs.join("\n")}`)}\n`;
  }
  return out;
}

const wrap = (name, body) => `<!-- section:${name} -->\n${body.trimEnd()}\n<!-- /section:${name} -->`;

/** Replaces (or appends) the block of section `name` with `body` (markdown, without markers). */
export function writeSection(name, body) {
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : PREAMBLE;
  if (!text.includes("<!-- section:")) text = text.trim() && text !== PREAMBLE ? migrateLegacy(text) : PREAMBLE;
  const re = new RegExp(`<!-- section:${name} -->[\\s\\S]*?<!-- /section:${name} -->`);
  const block = wrap(name, body);
  text = re.test(text) ? text.replace(re, () => block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, text);
}

/** A block for the main sections: heading, provenance and the what/Orrery/target/naive table. */
export function mainSectionBody(name, rows, command, minutes) {
  const table = rows.map((r) => `| ${cell(r.what)} | ${cell(r.value)} | ${cell(r.target)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.extra)} |`).join("\n");
  return `## ${name}\n\n${provenance(command, minutes)}\n\n${MAIN_HEADER}\n${table}`;
}
