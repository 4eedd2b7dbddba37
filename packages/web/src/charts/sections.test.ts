import { describe, expect, it } from "vitest";
import { buildSections, sectionOf } from "./sections";

describe("sections", () => {
  it("puts a key in the section named by everything before its last slash", () => {
    expect(sectionOf("train/loss")).toBe("train");
    expect(sectionOf("val/acc/pedestrian")).toBe("val/acc");
  });

  it("puts keys without a slash in the charts section", () => {
    expect(sectionOf("loss")).toBe("charts");
  });

  it("orders sections and keys naturally with the charts section last", () => {
    const s = buildSections(["loss", "val/acc", "train/layer10", "train/layer2", "val/acc/car"]);
    expect(s.map((x) => x.prefix)).toEqual(["train", "val", "val/acc", "charts"]);
    expect(s[0]!.keys).toEqual(["train/layer2", "train/layer10"]);
  });

  it("keeps only keys containing the search text, ignoring case", () => {
    const s = buildSections(["train/loss", "val/loss", "val/acc"], "LOSS");
    expect(s.map((x) => [x.prefix, x.keys])).toEqual([["train", ["train/loss"]], ["val", ["val/loss"]]]);
  });
});
