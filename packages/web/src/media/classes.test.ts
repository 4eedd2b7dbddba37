import { describe, expect, it } from "vitest";
import { boxClasses, classColor, classLabel, classRgb, maskClasses, maskColor, maskGroups } from "./classes";
import type { MediaImage } from "./wire";

const image = (boxes: MediaImage["boxes"] | null, classes: MediaImage["classes"] | null): MediaImage => ({
  index: 0, format: "png", width: 10, height: 10, url: "/x", caption: null, boxes: boxes ?? [], classes: classes ?? {}, masks: [],
});

describe("class labels and colours", () => {
  it("labels a class from the first map that names it, else by its id", () => {
    expect(classLabel(1, { 1: "car" }, { 1: "auto" })).toBe("car");
    expect(classLabel(2, { 1: "car" }, { 2: "pedestrian" })).toBe("pedestrian");
    expect(classLabel(7, null, undefined)).toBe("class 7");
  });
  it("gives each small class id its own colour, the same every time", () => {
    const colours = new Set([0, 1, 2, 3, 4, 5].map(classColor));
    expect(colours.size).toBe(6);
    expect(classColor(3)).toBe(classColor(3));
    expect(classColor(1)).toMatch(/^#[0-9a-f]{6}$/);
    expect(classRgb(-1)).toHaveLength(3);
  });
  it("paints mask classes from another palette than box classes, so class 1 of each differ", () => {
    expect(maskColor(1)).not.toBe(classColor(1));
    expect(new Set([0, 1, 2, 3].map(maskColor)).size).toBe(4);
    expect(maskClasses({ 1: "road" }, null)[0]!.color).toBe(maskColor(1));
  });
  it("lists the classes a step's boxes use, once each, by id", () => {
    const imgs = [
      image([{ x: 0, y: 0, w: 1, h: 1, class: 3 }, { x: 0, y: 0, w: 1, h: 1, class: 1 }], { 1: "car", 3: "cyclist" }),
      image([{ x: 0, y: 0, w: 1, h: 1, class: 1 }, { x: 0, y: 0, w: 1, h: 1, class: 9 }], null),
    ];
    expect(boxClasses(imgs).map((c) => [c.id, c.label])).toEqual([[1, "car"], [3, "cyclist"], [9, "class 9"]]);
  });
  it("takes a mask's classes from its own labels, else the image's, else its pixels without the background", () => {
    expect(maskClasses({ 2: "road", 1: "sky" }, { 5: "x" }).map((c) => c.label)).toEqual(["sky", "road"]);
    expect(maskClasses({}, { 5: "x" }).map((c) => c.id)).toEqual([5]);
    expect(maskClasses(null, null, [0, 4, 2, 4]).map((c) => [c.id, c.label])).toEqual([[2, "class 2"], [4, "class 4"]]);
  });
  it("groups a step's masks by name with the union of their classes", () => {
    const imgs: MediaImage[] = [
      { ...image(null, { 1: "car" }), masks: [{ name: "truth", url: "/a", classes: { 1: "car", 2: "road" } }, { name: "pred", url: "/b", classes: {} }] },
      { ...image(null, null), masks: [{ name: "truth", url: "/c", classes: { 3: "sky" } }] },
    ];
    const groups = maskGroups(imgs, new Map([["pred", new Set([0, 1])]]));
    expect(groups.map((g) => [g.name, g.classes.map((c) => c.label)])).toEqual([["truth", ["car", "road", "sky"]], ["pred", ["car"]]]);
  });
});
