import { describe, expect, it } from "vitest";
import { maskRgb } from "./classes";
import { classesIn, recolourMask } from "./masks";

/** RGBA as a canvas decodes a grayscale PNG: the class id in r, g and b, opaque. */
const gray = (ids: number[]) => new Uint8ClampedArray(ids.flatMap((v) => [v, v, v, 255]));
const pixel = (rgba: Uint8ClampedArray, i: number) => Array.from(rgba.slice(i * 4, i * 4 + 4));

describe("mask colouring", () => {
  it("finds the class ids a mask holds", () => {
    expect([...classesIn(gray([0, 2, 2, 3]))].sort()).toEqual([0, 2, 3]);
  });
  it("paints each visible class in its colour and leaves the rest transparent", () => {
    const out = recolourMask(gray([0, 1, 2, 3]), new Set([1, 3]));
    expect(pixel(out, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(out, 1)).toEqual([...maskRgb(1), 255]);
    expect(pixel(out, 2)).toEqual([0, 0, 0, 0]);
    expect(pixel(out, 3)).toEqual([...maskRgb(3), 255]);
  });
  it("hides everything when no class is ticked", () => {
    expect(recolourMask(gray([1, 2, 3]), new Set()).every((v) => v === 0)).toBe(true);
  });
});
