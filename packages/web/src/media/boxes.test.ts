import { describe, expect, it } from "vitest";
import { boxTag, displaySize, filterBoxes, scaleBox, tagPosition } from "./boxes";
import type { MediaBox } from "./wire";

const BOXES: MediaBox[] = [
  { x: 0, y: 0, w: 10, h: 10, class: 1, score: 0.9 },
  { x: 5, y: 5, w: 10, h: 10, class: 2, score: 0.4 },
  { x: 8, y: 2, w: 4, h: 4, class: 3, score: 0.15 },
  { x: 1, y: 1, w: 2, h: 2, class: 2 },
];

describe("filterBoxes", () => {
  it("keeps every box with no class hidden and a zero threshold", () => {
    expect(filterBoxes(BOXES, new Set(), 0)).toHaveLength(4);
  });
  it("hides the boxes of an unticked class", () => {
    expect(filterBoxes(BOXES, new Set([2]), 0).map((b) => b.class)).toEqual([1, 3]);
  });
  it("hides boxes scored below the threshold, keeping those that reach it", () => {
    expect(filterBoxes(BOXES, new Set(), 0.4).map((b) => b.score)).toEqual([0.9, 0.4, undefined]);
  });
  it("never hides a box logged without a score by the threshold", () => {
    expect(filterBoxes(BOXES, new Set(), 1)).toEqual([BOXES[3]]);
  });
});

describe("box geometry", () => {
  it("scales small images up and large ones down, keeping the aspect ratio", () => {
    expect(displaySize({ width: 64, height: 48 })).toEqual({ width: 320, height: 240 });
    expect(displaySize({ width: 960, height: 480 })).toEqual({ width: 480, height: 240 });
    expect(displaySize({ width: 400, height: 300 })).toEqual({ width: 400, height: 300 });
  });
  it("scales a box from image pixels to displayed pixels", () => {
    expect(scaleBox({ x: 8, y: 4, w: 16, h: 8 }, { width: 64, height: 48 }, { width: 256, height: 192 })).toEqual({ x: 32, y: 16, w: 64, h: 32 });
  });
  it("clips a box that runs past the image's edges", () => {
    expect(scaleBox({ x: -4, y: 40, w: 10, h: 20 }, { width: 64, height: 48 }, { width: 64, height: 48 })).toEqual({ x: 0, y: 40, w: 6, h: 8 });
  });
  it("drops a box wholly outside the image", () => {
    expect(scaleBox({ x: 70, y: 0, w: 5, h: 5 }, { width: 64, height: 48 }, { width: 64, height: 48 })).toBeNull();
  });
  it("tags a box with its label and score, or the label alone", () => {
    expect(boxTag("car", 0.912)).toBe("car 0.91");
    expect(boxTag("car", null)).toBe("car");
  });
  it("puts the tag above the box, or inside it at the image's top edge", () => {
    const img = { width: 100, height: 100 };
    expect(tagPosition({ x: 5, y: 30, w: 10, h: 10 }, { width: 40, height: 14 }, img)).toEqual({ x: 5, y: 16 });
    expect(tagPosition({ x: 5, y: 4, w: 10, h: 10 }, { width: 40, height: 14 }, img)).toEqual({ x: 5, y: 4 });
  });
  it("keeps the tag of a box at the right edge inside the image", () => {
    expect(tagPosition({ x: 90, y: 30, w: 10, h: 10 }, { width: 40, height: 14 }, { width: 100, height: 100 })).toEqual({ x: 60, y: 16 });
  });
});
