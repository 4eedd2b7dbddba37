import { describe, expect, it } from "vitest";
import { metadataRows, overview } from "./metadata";

const nodeMeta = {
  startedAt: "2026-01-05T10:00:00.000Z", host: "gpu-7", os: "Linux 6.1", runtime: "node", runtimeVersion: "v20.11.0",
  argv: ["/usr/bin/node", "train.js", "--name", "two words"], cwd: "/home/ada/proj",
  sdk: { name: "orrery", version: "0.1.0" },
  git: { commit: "0123456789abcdef0123", branch: "main", dirty: true, diff: "diff --git a/x b/x\n" },
};

describe("overview", () => {
  it("reads what the Node SDK records", () => {
    const o = overview(nodeMeta);
    expect(o.host).toBe("gpu-7");
    expect(o.runtime).toBe("node v20.11.0");
    expect(o.command).toBe("/usr/bin/node train.js --name 'two words'");
    expect(o.sdk).toBe("orrery 0.1.0");
    expect(o.git).toMatchObject({ commit: "0123456789abcdef0123", short: "01234567", branch: "main", dirty: true, hasDiff: true });
  });
  it("knows a diff stored as a blob and a clean tree", () => {
    expect(overview({ git: { commit: "abc", dirty: true, diffBlob: "sha" } }).git?.hasDiff).toBe(true);
    expect(overview({ git: { commit: "abc", dirty: false } }).git).toMatchObject({ dirty: false, hasDiff: false });
  });
  it("reads a program with args and a python version", () => {
    const o = overview({ program: "train.py", args: ["--lr", "0.1"], python: "3.11.4" });
    expect(o.command).toBe("train.py --lr 0.1");
    expect(o.runtime).toBe("python 3.11.4");
  });
  it("leaves out what was not recorded", () => {
    expect(overview({})).toEqual({ host: undefined, os: undefined, command: undefined, runtime: undefined, cwd: undefined, sdk: undefined, git: undefined });
  });
});

describe("metadataRows", () => {
  it("flattens nested objects to dotted keys and leaves the diff out", () => {
    const rows = metadataRows(nodeMeta);
    expect(rows.map(([k]) => k)).toContain("git.commit");
    expect(rows.map(([k]) => k)).toContain("sdk.version");
    expect(rows.map(([k]) => k)).not.toContain("git.diff");
    expect(rows.find(([k]) => k === "argv")?.[1]).toEqual(nodeMeta.argv);
  });
});
