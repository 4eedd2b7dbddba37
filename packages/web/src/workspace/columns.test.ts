import { describe, expect, it } from "vitest";
import type { RunKey } from "@orrery/protocol";
import { columnField, defaultColumns, nextSort, orderColumns, parseSortParam } from "./columns";

const key = (field: string): RunKey => {
  const [scope, ...rest] = field.split(".");
  return { field, scope: scope as "config" | "summary", path: rest.join(".").split("."), runs: 1, types: { number: 1 } };
};

describe("columns", () => {
  it("defaults to the first summary metrics that are not reserved, then the first config keys", () => {
    const keys = ["config.a", "config.b", "config.c", "config.d", "config.e", "summary._runtime", "summary._step", "summary.loss", "summary.val/acc"].map(key);
    expect(defaultColumns(keys)).toEqual(["summary.loss", "summary.val/acc", "config.a", "config.b", "config.c", "config.d"]);
    expect(defaultColumns([])).toEqual([]);
  });

  it("puts pinned columns first in pin order", () => {
    expect(orderColumns(["a", "b", "c", "d"], ["c", "a", "zz"])).toEqual(["c", "a", "b", "d"]);
  });

  it("maps run columns to server fields", () => {
    expect(columnField("created")).toBe("createdAt");
    expect(columnField("name")).toBe("name");
    expect(columnField("summary.val/acc")).toBe("summary.val/acc");
  });

  it("parses sorts, splitting at the last colon", () => {
    expect(parseSortParam("summary.val/acc:desc")).toEqual({ field: "summary.val/acc", dir: "desc" });
    expect(parseSortParam("config.`a:b`:asc")).toEqual({ field: "config.`a:b`", dir: "asc" });
    expect(parseSortParam("")).toBeNull();
  });

  it("cycles a header's sort through its natural direction, the other one and back to the default", () => {
    expect(nextSort("", "summary.loss")).toBe("summary.loss:desc");
    expect(nextSort("summary.loss:desc", "summary.loss")).toBe("summary.loss:asc");
    expect(nextSort("summary.loss:asc", "summary.loss")).toBe("");
    expect(nextSort("", "name")).toBe("name:asc");
    expect(nextSort("name:asc", "name")).toBe("name:desc");
    expect(nextSort("", "createdAt")).toBe("createdAt:asc");
    expect(nextSort("createdAt:asc", "createdAt")).toBe("");
  });
});
