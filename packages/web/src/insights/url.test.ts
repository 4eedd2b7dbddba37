import { describe, expect, it } from "vitest";
import {
  escapePart, parseBrushes, parsePanels, parseParcoordsConfig, parseScatterConfig, serializeBrushes, serializePanels,
  serializeParcoordsConfig, serializeScatterConfig, unescapePart, withBrush,
} from "./url";
import type { Brush, ParcoordsConfig } from "./context";

describe("the insights URL syntax", () => {
  it("escapes only the characters the syntax uses, and reads them back", () => {
    const key = "config.`a,b|c:d=e~f%g`";
    expect(escapePart(key)).not.toMatch(/[,|:=~]/);
    expect(unescapePart(escapePart(key))).toBe(key);
    expect(escapePart("summary.val/acc")).toBe("summary.val/acc");
  });

  it("keeps a panel list through the URL, each config intact", () => {
    const panels = [
      { kind: "pc" as const, config: "config.lr:log,summary.val/acc|summary.val/acc" },
      { kind: "sc" as const, config: "config.lr,summary.val/acc,config.batch_size" },
      { kind: "imp" as const, config: "summary.val/acc" },
      { kind: "sl" as const, config: "val/acc~weird" },
    ];
    const raw = serializePanels(panels)!;
    const p = new URLSearchParams({ ins: raw });
    expect(parsePanels(new URLSearchParams(p.toString()).get("ins"))).toEqual(panels);
    expect(serializePanels([])).toBeNull();
  });

  it("drops panels of unknown kinds and keeps the rest", () => {
    expect(parsePanels("zz:abc~imp:summary.loss~~")).toEqual([{ kind: "imp", config: "summary.loss" }]);
    expect(parsePanels("sl")).toEqual([{ kind: "sl", config: "" }]);
  });

  it("writes parallel-coordinates axes with their log and flip flags and the colour key", () => {
    const c: ParcoordsConfig = { keys: ["config.lr", "config.`a,b`", "summary.val/acc"], color: "summary.val/acc", log: ["config.lr"], flip: ["summary.val/acc"] };
    const text = serializeParcoordsConfig(c);
    expect(text).toBe("config.lr:log,config.`a%2Cb`,summary.val/acc:flip|summary.val/acc");
    expect(parseParcoordsConfig(text)).toEqual(c);
  });

  it("reads a parallel-coordinates config without a colour, ignoring repeated axes", () => {
    expect(parseParcoordsConfig("a,b,a")).toEqual({ keys: ["a", "b"], color: "", log: [], flip: [] });
    expect(parseParcoordsConfig("")).toEqual({ keys: [], color: "", log: [], flip: [] });
  });

  it("writes a scatter config as x, y and colour with log flags", () => {
    const c = { x: "config.lr", y: "summary.val/acc", color: "config.batch_size", logX: true, logY: false };
    expect(serializeScatterConfig(c)).toBe("config.lr:log,summary.val/acc,config.batch_size");
    expect(parseScatterConfig(serializeScatterConfig(c))).toEqual(c);
    expect(parseScatterConfig("runtime,createdAt")).toEqual({ x: "runtime", y: "createdAt", color: "", logX: false, logY: false });
  });

  it("keeps range and category brushes through the URL", () => {
    const brushes: Brush[] = [
      { key: "summary.val/acc", kind: "range", lo: 0.8, hi: 0.95 },
      { key: "config.optimizer", kind: "cats", values: ['"adam"', '"s,g:d"', "true"] },
      { key: "createdAt", kind: "range", lo: 1767225600000, hi: 1767312000000 },
      { key: "config.lr", kind: "range", lo: 1e-7, hi: 0.1 },
    ];
    const raw = serializeBrushes(brushes)!;
    const p = new URLSearchParams(new URLSearchParams({ brush: raw }).toString());
    expect(parseBrushes(p.get("brush"))).toEqual(brushes);
  });

  it("drops malformed brushes, orders a reversed range, and keeps the last brush of a key", () => {
    expect(parseBrushes("a:1~b:x:2~c::3~d:5:1~a:2:3~e=")).toEqual([
      { key: "d", kind: "range", lo: 1, hi: 5 },
      { key: "a", kind: "range", lo: 2, hi: 3 },
    ]);
  });

  it("replaces, adds and removes one key's brush", () => {
    const a: Brush = { key: "a", kind: "range", lo: 0, hi: 1 };
    const b: Brush = { key: "b", kind: "range", lo: 0, hi: 1 };
    const a2: Brush = { key: "a", kind: "range", lo: 2, hi: 3 };
    expect(withBrush([a, b], "a", a2)).toEqual([a2, b]);
    expect(withBrush([b], "a", a)).toEqual([b, a]);
    expect(withBrush([a, b], "a", null)).toEqual([b]);
  });
});

describe("readable panel links", () => {
  it("leaves a plain config unescaped in the panel list", () => {
    expect(serializePanels([{ kind: "sc", config: "config.lr,summary.val/acc,config.batch_size" }])).toBe("sc:config.lr,summary.val/acc,config.batch_size");
    const odd = serializeParcoordsConfig({ keys: ["config.`a,b%`"], color: "", log: [], flip: [] });
    expect(parsePanels(serializePanels([{ kind: "pc", config: odd }]))).toEqual([{ kind: "pc", config: odd }]);
    expect(parseParcoordsConfig(parsePanels(serializePanels([{ kind: "pc", config: odd }]))[0]!.config).keys).toEqual(["config.`a,b%`"]);
  });
});
