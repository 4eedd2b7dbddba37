import { describe, expect, it } from "vitest";
import { buildCommand, parseSweepConfig } from "./index.js";

const ctx = { interpreter: "python3", env: { A: "1" }, argsJsonFile: "/tmp/args.json" };
const params = { lr: 0.01, opt: "adam", deep: true, shallow: false, nested: { a: 1 } };

describe("buildCommand", () => {
  it("uses W&B's default command: ${env} ${interpreter} ${program} ${args}", () => {
    const c = parseSweepConfig({ program: "train.py", method: "random", parameters: { lr: { value: 1 } } });
    const r = buildCommand(c, params, ctx);
    expect(r.argv).toEqual(["/usr/bin/env", "python3", "train.py", "--lr=0.01", "--opt=adam", "--deep=True", "--shallow=False", '--nested={"a":1}']);
    expect(r.env).toEqual({ A: "1" });
    expect(JSON.parse(r.argsJson)).toEqual(params);
  });

  it("expands every macro", () => {
    const c = parseSweepConfig({
      program: "train.py",
      method: "random",
      parameters: { lr: { value: 1 } },
      command: ["${interpreter}", "${program}", "${args_no_hyphens}", "--json", "${args_json}", "--file=${args_json_file}", "${args_no_boolean_flags}"],
    });
    expect(buildCommand(c, params, ctx).argv).toEqual([
      "python3", "train.py",
      "lr=0.01", "opt=adam", "deep=True", "shallow=False", 'nested={"a":1}',
      "--json", JSON.stringify(params),
      "--file=/tmp/args.json",
      "--lr=0.01", "--opt=adam", "--deep", '--nested={"a":1}',
    ]);
  });

  it("refuses an unknown macro by name", () => {
    const c = parseSweepConfig({ method: "random", parameters: { lr: { value: 1 } }, command: ["${nope}"] });
    expect(() => buildCommand(c, {}, ctx)).toThrow(/unknown macro \$\{nope\}/);
  });
});
