import { describe, expect, it } from "vitest";
import { parseFilter } from "@orrery/protocol";
import { andFilter, filterLiteral, groupCondition, quickCondition, valueLiteral } from "./filterText";

describe("filter text", () => {
  it("keeps numbers and keywords bare and quotes other text", () => {
    expect(filterLiteral("0.01")).toBe("0.01");
    expect(filterLiteral(" 1e-3 ")).toBe("1e-3");
    expect(filterLiteral("NaN")).toBe("NaN");
    expect(filterLiteral("true")).toBe("true");
    expect(filterLiteral("adam")).toBe('"adam"');
    expect(filterLiteral('say "hi"')).toBe('"say \\"hi\\""');
  });

  it("builds quick conditions the server's parser accepts", () => {
    for (const text of [
      quickCondition("config.optimizer.lr", "<", "0.01"),
      quickCondition("summary.val/acc", ">=", "0.9"),
      quickCondition("tags", "contains", "baseline"),
      quickCondition("name", "not contains", "mlp v2"),
      quickCondition("config.`a.b`", "exists", ""),
      quickCondition("state", "=", "finished"),
      quickCondition("createdAt", ">", "2026-01-31"),
    ]) expect(() => parseFilter(text), text).not.toThrow();
    expect(quickCondition("summary.loss", "not exists", "ignored")).toBe("summary.loss not exists");
  });

  it("ands a condition into existing text, parenthesizing a top-level or", () => {
    expect(andFilter("", "state = finished")).toBe("state = finished");
    expect(andFilter("a = 1", "")).toBe("a = 1");
    expect(andFilter("config.x = 1 and config.y = 2", "state = running")).toBe("config.x = 1 and config.y = 2 and state = running");
    expect(andFilter("config.x = 1 or config.y = 2", "state = running")).toBe("(config.x = 1 or config.y = 2) and state = running");
    expect(andFilter("(config.x = 1 or config.y = 2)", "state = running")).toBe("(config.x = 1 or config.y = 2) and state = running");
    expect(andFilter('name = "a or b"', "state = running")).toBe('name = "a or b" and state = running');
    expect(andFilter("config.x = order", "state = running")).toBe("config.x = order and state = running");
  });

  it("selects a group by its value, and the null group by a missing or null value", () => {
    expect(groupCondition("config.optimizer", "adam")).toBe('config.optimizer = "adam"');
    expect(groupCondition("config.layers", 4)).toBe("config.layers = 4");
    expect(groupCondition("config.flag", false)).toBe("config.flag = false");
    expect(groupCondition("group", null)).toBe("group = null");
    expect(groupCondition("config.optimizer", null)).toBe("(config.optimizer not exists or config.optimizer = null)");
    for (const t of [groupCondition("config.x", null), groupCondition("jobType", null), groupCondition("state", "running"), groupCondition("config.x", "NaN")]) {
      expect(() => parseFilter(t), t).not.toThrow();
    }
    expect(valueLiteral(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
  });
});
