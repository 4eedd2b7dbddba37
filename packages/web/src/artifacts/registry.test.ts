import { describe, expect, it } from "vitest";
import type { ArtifactSummary } from "@orrery/protocol";
import { aliasEventText, aliasProblem, groupByType, registryAliases, versionIndex } from "./registry";
import { branchSummary, isFlat, leafText } from "./metadata";

const summary = (name: string, type: string): ArtifactSummary => ({
  name, type, description: "", versionCount: 1, latest: "v0", aliases: [], size: 0, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
});

describe("the artifact list", () => {
  it("groups by type: models, then datasets, then other types by name; names sorted inside", () => {
    const groups = groupByType([summary("z", "dataset"), summary("tok", "vocab"), summary("b", "model"), summary("a", "model"), summary("e", "eval")]);
    expect(groups.map((g) => g.type)).toEqual(["model", "dataset", "eval", "vocab"]);
    expect(groups[0]!.artifacts.map((a) => a.name)).toEqual(["a", "b"]);
  });
});

describe("the model registry", () => {
  it("puts production and staging in their columns (null when unset) and the other aliases after", () => {
    const r = registryAliases([
      { alias: "latest", version: "v2" }, { alias: "production", version: "v1" }, { alias: "best", version: "v2" }, { alias: "a-b", version: "v0" },
    ]);
    expect(r.stages).toEqual([{ alias: "production", version: "v1" }, { alias: "staging", version: null }]);
    expect(r.others.map((a) => a.alias)).toEqual(["a-b", "best"]);
    expect(r.latest).toBe("v2");
  });

  it("tells an alias move as a sentence", () => {
    expect(aliasEventText({ alias: "production", from: "v0", to: "v1" })).toBe("production moved v0 → v1");
    expect(aliasEventText({ alias: "staging", from: null, to: "v0" })).toBe("staging set on v0");
    expect(aliasEventText({ alias: "best", from: "v2", to: null })).toBe("best removed from v2");
  });

  it("reads version numbers only from vN", () => {
    expect([versionIndex("v0"), versionIndex("v12"), versionIndex("latest"), versionIndex("v1x")]).toEqual([0, 12, null, null]);
  });
});

describe("metadata", () => {
  it("is a table when every value is plain, a tree when any is nested", () => {
    expect(isFlat({ lr: 0.1, name: "x", ok: true, none: null })).toBe(true);
    expect(isFlat({ lr: 0.1, layers: [1, 2] })).toBe(false);
    expect(isFlat({})).toBe(true);
  });

  it("plain values and closed branches read briefly", () => {
    expect([leafText("a"), leafText(""), leafText(1e-3), leafText(true), leafText(null)]).toEqual(["a", '""', "0.001", "true", "null"]);
    expect([branchSummary([1]), branchSummary([1, 2]), branchSummary({ a: 1, b: 2 })]).toEqual(["[1 item]", "[2 items]", "{2 keys}"]);
  });
});

describe("adding an alias", () => {
  it("refuses what the server would refuse, saying why", () => {
    expect(aliasProblem("production", ["latest"])).toBeNull();
    expect(aliasProblem("latest", [])).toMatch(/newest version/);
    expect(aliasProblem("v3", [])).toMatch(/means version 3/);
    expect(aliasProblem("best", ["best"])).toMatch(/already has best/);
    expect(aliasProblem("has space", [])).toMatch(/letters, digits/);
    expect(aliasProblem("", [])).toBe("type an alias");
  });
});
