// Owns the confusion matrix of a classification table: counts of (actual, predicted) label pairs
// over the rows where both cells are present. Labels are the class labels (a class id shown through
// the table's classes), numbers as text, or text as logged; they are ordered by class id or number
// when they have one (sklearn's sorted labels for integer classes), then by text.
import { compareText, MAX_CONFUSION_LABELS, OrreryError, type ConfusionMatrix } from "@orrery/protocol";
import type { Cell, DecodedColumn, DecodedTable } from "./decode.js";

function column(t: DecodedTable, name: string, field: "actual" | "predicted"): DecodedColumn {
  const col = t.cols.find((c) => c.name === name);
  if (col === undefined) {
    const names = t.cols.slice(0, 12).map((c) => JSON.stringify(c.name)).join(", ");
    throw new OrreryError("invalid_request", `${field} names the unknown column ${JSON.stringify(name)}: use one of ${names}${t.cols.length > 12 ? ", …" : ""}`, field);
  }
  if (col.type === "image") throw new OrreryError("invalid_request", `${field} column ${JSON.stringify(name)} holds images: name a class, string, number or bool column`, field);
  return col;
}

interface Label { text: string; order: number | undefined }

function labelOf(col: DecodedColumn, c: Cell, byLabel: Map<string, number>): Label | undefined {
  if (c === null || typeof c === "object") return undefined;
  if (typeof c === "boolean") return { text: String(c), order: c ? 1 : 0 };
  if (typeof c === "number") {
    if (col.type === "class") return { text: col.classes[String(c)] ?? String(c), order: c };
    return { text: String(c), order: Number.isNaN(c) ? undefined : c };
  }
  // A label string orders as its class id when the classes name it.
  return { text: c, order: byLabel.get(c) };
}

export function confusionMatrix(t: DecodedTable, actual: string, predicted: string): ConfusionMatrix {
  const a = column(t, actual, "actual");
  const p = column(t, predicted, "predicted");
  const byLabel = new Map<string, number>();
  for (const [id, label] of Object.entries(t.classes)) if (!byLabel.has(label)) byLabel.set(label, Number(id));
  const labels = new Map<string, Label>();
  const pairs: [string, string][] = [];
  for (let r = 0; r < t.rows; r++) {
    const la = labelOf(a, a.values[r]!, byLabel);
    const lp = labelOf(p, p.values[r]!, byLabel);
    if (la === undefined || lp === undefined) continue;
    for (const l of [la, lp]) {
      if (labels.has(l.text)) continue;
      labels.set(l.text, l);
      if (labels.size > MAX_CONFUSION_LABELS) {
        throw new OrreryError("invalid_request", `the columns hold more than ${MAX_CONFUSION_LABELS} distinct labels: a confusion matrix needs class labels, not ${JSON.stringify(actual)} and ${JSON.stringify(predicted)}`, "actual");
      }
    }
    pairs.push([la.text, lp.text]);
  }
  const sorted = [...labels.values()].sort((x, y) => {
    if (x.order !== undefined && y.order !== undefined) return x.order - y.order || compareText(x.text, y.text);
    if (x.order !== undefined) return -1;
    if (y.order !== undefined) return 1;
    return compareText(x.text, y.text);
  });
  const at = new Map(sorted.map((l, i) => [l.text, i]));
  const matrix = sorted.map(() => new Array<number>(sorted.length).fill(0));
  for (const [x, y] of pairs) matrix[at.get(x)!]![at.get(y)!]!++;
  return { labels: sorted.map((l) => l.text), matrix, total: pairs.length };
}
