import { describe, expect, it } from "vitest";
import { cellText, classLabel, columnRef, equals, isImageCell, lastPageOffset, nextSort, pageInfo, parseSort } from "./cells";
import type { TableColumn } from "./wire";

const num: TableColumn = { name: "score", type: "number" };
const cls: TableColumn = { name: "label", type: "class" };
const str: TableColumn = { name: "caption", type: "string" };
const classes = { "0": "car", "1": "pedestrian" };

describe("cell text", () => {
  it("formats numbers, including the wire's NaN and Infinity strings", () => {
    expect(cellText(0.912345678, num, null)).toBe("0.91235");
    expect(cellText(100000, num, null)).toBe("100000");
    expect(cellText("NaN", num, null)).toBe("NaN");
    expect(cellText("-Infinity", num, null)).toBe("-∞");
  });

  it("shows class ids as their labels and keeps labels and unknown ids as they are", () => {
    expect(cellText(1, cls, classes)).toBe("pedestrian");
    expect(cellText("cyclist", cls, classes)).toBe("cyclist");
    expect(classLabel(7, classes)).toBe("7");
    expect(classLabel("0", classes)).toBe("car");
  });

  it("leaves null and image cells empty and strings untouched", () => {
    expect(cellText(null, str, null)).toBe("");
    expect(cellText({ image: "/x" }, str, null)).toBe("");
    expect(cellText("a car", str, null)).toBe("a car");
    expect(cellText(true, { name: "ok", type: "bool" }, null)).toBe("true");
  });

  it("recognizes image cells only by their url", () => {
    expect(isImageCell({ image: "/api/v1/x" })).toBe(true);
    expect(isImageCell("img")).toBe(false);
    expect(isImageCell(null)).toBe(false);
  });
});

describe("paging", () => {
  it("captions the rows shown with thousands separators", () => {
    expect(pageInfo(0, 100, 100_000)).toBe("1–100 of 100,000");
    expect(pageInfo(99_900, 100, 100_000)).toBe("99,901–100,000 of 100,000");
    expect(pageInfo(0, 0, 0)).toBe("0 of 0");
  });

  it("finds the last page's offset", () => {
    expect(lastPageOffset(100_000, 100)).toBe(99_900);
    expect(lastPageOffset(101, 100)).toBe(100);
    expect(lastPageOffset(0, 100)).toBe(0);
  });
});

describe("sorting", () => {
  it("sorts numbers biggest first, then flips, then clears", () => {
    expect(nextSort("", num)).toBe("score:desc");
    expect(nextSort("score:desc", num)).toBe("score:asc");
    expect(nextSort("score:asc", num)).toBe("");
  });

  it("sorts text A to Z first and starts over on another column", () => {
    expect(nextSort("score:desc", str)).toBe("caption:asc");
    expect(nextSort("caption:asc", str)).toBe("caption:desc");
  });

  it("parses col:dir and refuses anything else", () => {
    expect(parseSort("a:b:desc")).toEqual({ col: "a:b", dir: "desc" });
    expect(parseSort("score")).toBeNull();
    expect(parseSort("score:up")).toBeNull();
  });
});

describe("filter text", () => {
  it("names plain columns bare and quotes the rest in backticks", () => {
    expect(columnRef("score")).toBe("score");
    expect(columnRef("true label")).toBe("`true label`");
    expect(columnRef("and")).toBe("`and`");
    expect(columnRef("a`b")).toBe("`a\\`b`");
  });

  it("writes equality with numbers bare and text quoted", () => {
    expect(equals("id", 42)).toBe("id = 42");
    expect(equals("label", "pedestrian")).toBe('label = "pedestrian"');
    expect(equals("label", 'say "hi"')).toBe('label = "say \\"hi\\""');
  });
});
