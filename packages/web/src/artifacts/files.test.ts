import { describe, expect, it } from "vitest";
import type { ManifestEntry } from "@orrery/protocol";
import { breadcrumbs, extensionOf, folderView, formatBytes, looksLikeText, parentOf, previewPlan, shortDigest } from "./files";

const D = "a".repeat(64);
const entry = (path: string, size: number | null = 10, ref?: string): ManifestEntry => ({ path, digest: D, size, ...(ref ? { ref } : {}) });

describe("the file browser", () => {
  const entries = [
    entry("README.md", 100), entry("data/a.csv", 5), entry("data/deep/b.csv", 7), entry("data/deep/c.csv", 8), entry("images/x.png", 3),
    entry("model.bin", 1000),
  ];

  it("the root shows its folders and its own files, each once", () => {
    const v = folderView(entries, "");
    expect(v.folders).toEqual([
      { path: "data", name: "data", files: 3, size: 20 },
      { path: "images", name: "images", files: 1, size: 3 },
    ]);
    expect(v.files.map((f) => f.path)).toEqual(["README.md", "model.bin"]);
  });

  it("a nested folder shows its sub-folders by full path", () => {
    const v = folderView(entries, "data");
    expect(v.folders).toEqual([{ path: "data/deep", name: "deep", files: 2, size: 15 }]);
    expect(v.files.map((f) => f.path)).toEqual(["data/a.csv"]);
    expect(folderView(entries, "data/deep").files.map((f) => f.path)).toEqual(["data/deep/b.csv", "data/deep/c.csv"]);
  });

  it("a folder whose name is a prefix of another's does not take its files", () => {
    const v = folderView([entry("dat/x"), entry("data/y")], "dat");
    expect(v.files.map((f) => f.path)).toEqual(["dat/x"]);
  });

  it("breadcrumbs lead from the root to the folder", () => {
    expect(breadcrumbs("")).toEqual([{ path: "", label: "files" }]);
    expect(breadcrumbs("data/deep")).toEqual([{ path: "", label: "files" }, { path: "data", label: "data" }, { path: "data/deep", label: "deep" }]);
    expect(parentOf("data/deep/b.csv")).toBe("data/deep");
    expect(parentOf("README.md")).toBe("");
  });
});

describe("preview kinds", () => {
  it("images, tables, JSON and text are told by their extension, in any case", () => {
    expect(["x.png", "x.JPG", "x.jpeg", "x.gif", "x.webp", "icons/x.svg"].map((p) => previewPlan(entry(p)))).toEqual(Array(6).fill("image"));
    expect(["a.csv", "b.TSV"].map((p) => previewPlan(entry(p)))).toEqual(["table", "table"]);
    expect(previewPlan(entry("config.json"))).toBe("json");
    expect(["README.md", "train.py", "notes.txt", "params.yaml", "README", "data/LICENSE"].map((p) => previewPlan(entry(p)))).toEqual(Array(6).fill("text"));
  });

  it("unknown extensions are binary, and references are described without fetching", () => {
    expect(previewPlan(entry("model.safetensors"))).toBe("binary");
    expect(previewPlan(entry("weights"))).toBe("binary");
    expect(previewPlan(entry("big.csv", null, "s3://bucket/big.csv"))).toBe("reference");
  });

  it("an extension is the part after the last dot of the file name only", () => {
    expect(extensionOf("a.b/c")).toBe("");
    expect(extensionOf(".bashrc")).toBe("");
    expect(extensionOf("x.tar.gz")).toBe("gz");
  });

  it("bytes with a NUL are not text", () => {
    expect(looksLikeText(new TextEncoder().encode("hello\nworld"))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x89, 0x50, 0x00, 0x47]))).toBe(false);
  });
});

describe("sizes and digests", () => {
  it("bytes read in binary units with three significant digits", () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(10 * 1024 * 1024), formatBytes(2 ** 31), formatBytes(null)]).toEqual([
      "0 B", "1023 B", "1.50 KB", "10.0 MB", "2.00 GB", "unknown size",
    ]);
  });

  it("a SHA-256 is shortened; any other digest (an ETag, a URI) is shown whole", () => {
    expect(shortDigest("0123456789abcdef".repeat(4))).toBe("0123456789ab");
    expect(shortDigest("etag:abc")).toBe("etag:abc");
  });
});
