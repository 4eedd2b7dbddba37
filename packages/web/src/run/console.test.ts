import { describe, expect, it } from "vitest";
import type { ConsoleLine } from "@orrery/protocol";
import { appendLines, splitMatches } from "./console";

const line = (n: number): ConsoleLine => ({ n, ts: n, stream: n % 2 ? "stdout" : "stderr", text: `line ${n}` });

describe("appendLines", () => {
  it("adds only lines newer than those held and keeps the newest max", () => {
    const held = [line(1), line(2), line(3)];
    expect(appendLines(held, [line(3), line(4)], 10).map((l) => l.n)).toEqual([1, 2, 3, 4]);
    expect(appendLines(held, [line(4), line(5)], 3).map((l) => l.n)).toEqual([3, 4, 5]);
  });
  it("returns the same array when nothing is new, so React skips a render", () => {
    const held = [line(1)];
    expect(appendLines(held, [line(1)], 10)).toBe(held);
  });
});

describe("splitMatches", () => {
  it("marks every case-insensitive match", () => {
    expect(splitMatches("Loss went up, loss!", "loss")).toEqual([
      { text: "Loss", hit: true }, { text: " went up, ", hit: false }, { text: "loss", hit: true }, { text: "!", hit: false },
    ]);
  });
  it("returns the text whole without a query or a match", () => {
    expect(splitMatches("abc", "")).toEqual([{ text: "abc", hit: false }]);
    expect(splitMatches("abc", "x")).toEqual([{ text: "abc", hit: false }]);
    expect(splitMatches("", "x")).toEqual([{ text: "", hit: false }]);
  });
});
