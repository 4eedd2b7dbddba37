// A Python script with Debian's scikit-learn logs a predictions table (id, true label, predicted
// label, confidence) for the digits test split to a real server; the table routes page it back
// row for row, filter the mistakes, and the confusion route matches sklearn's confusion_matrix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningServer } from "@orrery/server";
import { api, tempDir, testServer } from "./helpers.js";
import { runPython } from "./python-helpers.js";

const SCRIPT = `
import json
import orrery
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
model = LogisticRegression(max_iter=500).fit(X_train, y_train)
proba = model.predict_proba(X_test)
pred = proba.argmax(axis=1)

run = orrery.init(project="digits-tables", id="clf", console=False, system_metrics_interval=0)
table = orrery.Table(columns=["id", "label", "pred", "confidence"], classes={i: str(i) for i in range(10)},
                     column_types={"label": "class", "pred": "class"})
for i in range(len(y_test)):
    table.add_data(i, y_test[i], pred[i], proba[i].max())
run.log({"val/acc": float((pred == y_test).mean()), "val/preds": table})
run.finish()
print(json.dumps({"n": int(len(y_test)), "labels": [int(l) for l in y_test], "preds": [int(p) for p in pred],
                  "confusion": confusion_matrix(y_test, pred).tolist()}))
`;

interface Expected { n: number; labels: number[]; preds: number[]; confusion: number[][] }
interface Page { total: number; step: number; columns: { name: string; type: string }[]; rows: (number | string | null)[][]; index: number[] }

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let expected: Expected;
const T = "/api/v1/projects/examples/digits-tables/runs/clf/tables/val%2Fpreds";

beforeAll(async () => {
  data = tempDir();
  server = await testServer(data.path);
  const script = join(data.path, "digits_tables.py");
  writeFileSync(script, SCRIPT);
  const res = await runPython([script], {
    ORRERY_URL: server.url, ORRERY_DIR: join(data.path, "spool"), ORRERY_ENTITY: "examples", ORRERY_MODE: "online",
  });
  if (res.code !== 0) throw new Error(`script exited with ${res.code}\n${res.stdout}\n${res.stderr}`);
  expected = JSON.parse(res.stdout.trim().split("\n").pop()!) as Expected;
}, 120_000);

afterAll(async () => {
  await server?.close();
  data?.cleanup();
});

describe("a Python predictions table on a real server", () => {
  it("is listed under its key with the test split's rows and typed columns", async () => {
    const { body } = await api<{ keys: { key: string; rows: number; steps: number[]; columns: { name: string; type: string }[] }[] }>(
      server.url, "/api/v1/projects/examples/digits-tables/runs/clf/tables/keys",
    );
    expect(body.keys).toEqual([{
      key: "val/preds", steps: [0], rows: expected.n,
      columns: [{ name: "id", type: "number" }, { name: "label", type: "class" }, { name: "pred", type: "class" }, { name: "confidence", type: "number" }],
    }]);
  });

  it("pages back every row as logged", async () => {
    const rows: Page["rows"] = [];
    for (let offset = 0; offset < expected.n; offset += 100) {
      const { status, body } = await api<Page>(server.url, `${T}?offset=${offset}&limit=100`);
      expect(status).toBe(200);
      expect(body.total).toBe(expected.n);
      rows.push(...body.rows);
    }
    expect(rows.map((r) => r[0])).toEqual(expected.labels.map((_, i) => i));
    expect(rows.map((r) => r[1])).toEqual(expected.labels);
    expect(rows.map((r) => r[2])).toEqual(expected.preds);
  });

  it("filters the mistakes and sorts them by confidence", async () => {
    const mistakes = expected.labels.filter((l, i) => l !== expected.preds[i]).length;
    const { body } = await api<Page>(server.url, `${T}?filter=${encodeURIComponent("label != pred")}&sort=confidence:desc&limit=1000`);
    expect(body.total).toBe(mistakes);
    const conf = body.rows.map((r) => r[3] as number);
    expect(conf).toEqual([...conf].sort((a, b) => b - a));
  });

  it("gives sklearn's confusion matrix", async () => {
    const { status, body } = await api<{ labels: string[]; matrix: number[][]; total: number }>(
      server.url, `${T}/confusion?actual=label&predicted=pred`,
    );
    expect(status).toBe(200);
    expect(body.labels).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(body.matrix).toEqual(expected.confusion);
    expect(body.total).toBe(expected.n);
  });
});
