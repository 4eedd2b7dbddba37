// The behaviour every ArtifactStore engine must show (see ArtifactStore in src/interfaces.ts), as
// tests named as sentences. An engine's test file calls runArtifactStoreContract with a factory for
// fresh stores; `reopen` (when the engine persists) gives a second store on the same data.
import { createHash } from "node:crypto";
import { manifestCanonicalText, type WireRecord } from "@orrery/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { ArtifactRef, ManifestFile, NewArtifactDraft, Store } from "../src/interfaces.js";

export interface ArtifactContractFactory {
  fresh(): Promise<Store>;
  /** Another store on the same data as `store` (a restart, or a second server process). */
  reopen(store: Store): Promise<Store>;
}

const P = { entity: "ada", project: "vision" };
const MODEL: ArtifactRef = { ...P, name: "resnet" };
const T0 = Date.UTC(2026, 0, 1);

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function file(path: string, content = path, size = content.length): ManifestFile {
  return { path, digest: sha(content), size };
}

function draft(manifest: ManifestFile[], over: Partial<NewArtifactDraft> = {}): NewArtifactDraft {
  return {
    name: MODEL.name, type: "model", description: "", metadata: {}, manifest,
    digest: sha(manifestCanonicalText(manifest)), aliases: [], runId: null, ...over,
  };
}

export function runArtifactStoreContract(engine: string, factory: ArtifactContractFactory): void {
  describe(`ArtifactStore contract: ${engine}`, () => {
    const open: Store[] = [];
    const fresh = async () => { const s = await factory.fresh(); open.push(s); return s; };
    const reopen = async (s: Store) => { const r = await factory.reopen(s); open.push(r); return r; };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    /** Creates and commits a version of MODEL (or input.name) holding these files. */
    async function logVersion(store: Store, manifest: ManifestFile[], over: Partial<NewArtifactDraft> = {}, now = T0) {
      const out = await store.artifacts.createDraft(P, draft(manifest, over), now);
      if (out.kind === "existing") return out.version;
      if (out.kind !== "draft") throw new Error(`unexpected ${out.kind}`);
      const v = await store.artifacts.commitDraft({ ...P, name: over.name ?? MODEL.name }, out.draftId, now);
      return v!;
    }

    describe("drafts", () => {
      it("a new manifest makes a pending draft listing its distinct stored digests, not its references", async () => {
        const store = await fresh();
        const manifest = [file("a.bin", "same"), file("b.bin", "same"), file("c.txt"), { path: "ext/d", digest: "etag:abc", size: 5, ref: "https://x.test/d" }];
        const out = await store.artifacts.createDraft(P, draft(manifest), T0);
        expect(out.kind).toBe("draft");
        if (out.kind !== "draft") return;
        expect(await store.artifacts.draftDigests(MODEL, out.draftId)).toEqual([sha("c.txt"), sha("same")].sort());
        expect(await store.artifacts.draftDigests(MODEL, "nope")).toBeUndefined();
        expect(await store.artifacts.draftDigests({ ...P, name: "other" }, out.draftId)).toBeUndefined();
        expect(await store.artifacts.isDraftDigest(sha("same"))).toBe(true);
        expect(await store.artifacts.isDraftDigest(sha("unknown"))).toBe(false);
        // A draft is not a version yet: nothing is listed.
        expect(await store.artifacts.listVersions(MODEL)).toEqual([]);
        expect(await store.artifacts.getArtifact(MODEL)).toBeUndefined();
        expect(await store.artifacts.listArtifacts(P, {})).toEqual([]);
        expect((await store.meta.getProject(P))?.name).toBe("vision");
      });

      it("logging the same manifest again resumes the pending draft", async () => {
        const store = await fresh();
        const a = await store.artifacts.createDraft(P, draft([file("x")]), T0);
        const b = await store.artifacts.createDraft(P, draft([file("x")], { description: "second try", aliases: ["best"] }), T0 + 5);
        expect(a.kind).toBe("draft");
        expect(b).toEqual(a);
        if (b.kind !== "draft") return;
        const v = await store.artifacts.commitDraft(MODEL, b.draftId, T0 + 10);
        expect(v).toMatchObject({ description: "second try", aliases: ["best", "latest"] });
      });

      it("logging a committed version's content again makes no version, moves the aliases and links the run", async () => {
        const store = await fresh();
        const v0 = await logVersion(store, [file("w.bin")], { runId: "train1" });
        await logVersion(store, [file("w.bin", "other")]);
        const again = await store.artifacts.createDraft(P, draft([file("w.bin")], { aliases: ["best"], runId: "train2" }), T0 + 50);
        expect(again.kind).toBe("existing");
        if (again.kind !== "existing") return;
        expect(again.version).toMatchObject({ index: 0, digest: v0.digest, aliases: ["best"], createdBy: "train1" });
        expect((await store.artifacts.listVersions(MODEL)).map((v) => v.index)).toEqual([1, 0]);
        const runs = await store.artifacts.versionRuns(MODEL, 0);
        expect(runs.producers.map((r) => r.runId)).toEqual(["train1", "train2"]);
        expect(runs.consumers).toEqual([]);
      });

      it("a draft of an artifact that exists with another type is a type conflict and stores nothing", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")]);
        const out = await store.artifacts.createDraft(P, draft([file("b")], { type: "dataset" }), T0);
        expect(out).toEqual({ kind: "type_conflict", existingType: "model" });
        expect(await store.artifacts.isDraftDigest(sha("b"))).toBe(false);
        // The same name in another project is another artifact.
        const other = await store.artifacts.createDraft({ ...P, project: "nlp" }, draft([file("b")], { type: "dataset" }), T0);
        expect(other.kind).toBe("draft");
      });

      it("committing twice returns the same version, and an unknown draft gives undefined", async () => {
        const store = await fresh();
        const out = await store.artifacts.createDraft(P, draft([file("a")]), T0);
        if (out.kind !== "draft") throw new Error("expected a draft");
        const first = await store.artifacts.commitDraft(MODEL, out.draftId, T0 + 1);
        const second = await store.artifacts.commitDraft(MODEL, out.draftId, T0 + 2);
        expect(second).toEqual(first);
        expect(await store.artifacts.commitDraft(MODEL, "nosuchdraft", T0)).toBeUndefined();
        expect(await store.artifacts.draftDigests(MODEL, out.draftId)).toBeUndefined();
        expect(await store.artifacts.isDraftDigest(sha("a"))).toBe(false);
      });

      it("expireDrafts removes drafts untouched since the cutoff; touchDrafts keeps uploading ones", async () => {
        const store = await fresh();
        const a = await store.artifacts.createDraft(P, draft([file("a")]), T0);
        const b = await store.artifacts.createDraft(P, draft([file("b")], { name: "data", type: "dataset" }), T0);
        await store.artifacts.touchDrafts(sha("b"), T0 + 100);
        expect(await store.artifacts.expireDrafts(T0 + 50)).toBe(1);
        expect(await store.artifacts.isDraftDigest(sha("a"))).toBe(false);
        expect(await store.artifacts.isDraftDigest(sha("b"))).toBe(true);
        if (a.kind !== "draft" || b.kind !== "draft") throw new Error("expected drafts");
        expect(await store.artifacts.commitDraft(MODEL, a.draftId, T0 + 60)).toBeUndefined();
        expect(await store.artifacts.commitDraft({ ...P, name: "data" }, b.draftId, T0 + 60)).toMatchObject({ index: 0 });
        // Committed versions never expire.
        expect(await store.artifacts.expireDrafts(T0 + 10_000)).toBe(0);
        expect(await store.artifacts.getVersion({ ...P, name: "data" }, "v0")).toBeDefined();
      });

      it("an expired draft leaves no empty artifact behind, so the name can take another type", async () => {
        const store = await fresh();
        await store.artifacts.createDraft(P, draft([file("a")]), T0);
        await store.artifacts.expireDrafts(T0 + 1);
        expect((await store.artifacts.createDraft(P, draft([file("a")], { type: "dataset" }), T0 + 2)).kind).toBe("draft");
      });
    });

    describe("versions and aliases", () => {
      it("commits are numbered v0, v1, ... and latest follows the newest", async () => {
        const store = await fresh();
        const v0 = await logVersion(store, [file("a")], { description: "first", metadata: { acc: 0.5 }, runId: "r1" }, T0);
        const v1 = await logVersion(store, [file("a"), file("b", "bbbb")], {}, T0 + 1);
        expect(v0).toMatchObject({ name: "resnet", type: "model", index: 0, description: "first", metadata: { acc: 0.5 }, size: 1, fileCount: 1, createdBy: "r1", createdAt: T0 });
        expect(v1).toMatchObject({ index: 1, aliases: ["latest"], size: 5, fileCount: 2 });
        expect((await store.artifacts.getVersion(MODEL, "v0"))!.aliases).toEqual([]);
        expect((await store.artifacts.getVersion(MODEL, "latest"))!.index).toBe(1);
        expect(await store.artifacts.getVersion(MODEL, "v9")).toBeUndefined();
        expect(await store.artifacts.getVersion(MODEL, "nosuchalias")).toBeUndefined();
        const art = (await store.artifacts.getArtifact(MODEL))!;
        expect(art).toMatchObject({ name: "resnet", type: "model", versionCount: 2, aliases: [{ alias: "latest", index: 1 }] });
        expect(art.latest?.index).toBe(1);
        expect(art.latest?.aliases).toEqual(["latest"]);
      });

      it("version numbers are never reused after a delete", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")]);
        await logVersion(store, [file("b")]);
        expect(await store.artifacts.deleteVersion(MODEL, 1, false, T0 + 5)).toEqual({ kind: "deleted" });
        const next = await logVersion(store, [file("c")], {}, T0 + 6);
        expect(next.index).toBe(2);
        const after = await reopen(store);
        expect((await after.artifacts.listVersions(MODEL)).map((v) => v.index)).toEqual([2, 0]);
      });

      it("an alias points at one version at a time, and every move is in the history", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")], { aliases: ["production"] }, T0);
        await logVersion(store, [file("b")], {}, T0 + 1);
        const moved = await store.artifacts.patchVersion(MODEL, 1, { addAliases: ["production", "staging"], runId: "deployer" }, T0 + 2);
        expect(moved!.aliases).toEqual(["latest", "production", "staging"]);
        expect((await store.artifacts.getVersion(MODEL, "v0"))!.aliases).toEqual([]);
        expect((await store.artifacts.getVersion(MODEL, "production"))!.index).toBe(1);
        const history = await store.artifacts.aliasHistory(MODEL, 100);
        expect(history).toEqual([
          { alias: "staging", from: null, to: 1, at: T0 + 2, runId: "deployer" },
          { alias: "production", from: 0, to: 1, at: T0 + 2, runId: "deployer" },
          { alias: "latest", from: 0, to: 1, at: T0 + 1, runId: null },
          { alias: "production", from: null, to: 0, at: T0, runId: null },
          { alias: "latest", from: null, to: 0, at: T0, runId: null },
        ]);
        expect(await store.artifacts.aliasHistory(MODEL, 2)).toEqual(history.slice(0, 2));
        // Adding an alias already there records nothing.
        await store.artifacts.patchVersion(MODEL, 1, { addAliases: ["staging"] }, T0 + 3);
        expect(await store.artifacts.aliasHistory(MODEL, 100)).toHaveLength(5);
      });

      it("patch sets description and metadata, removes aliases of this version only, and never touches latest", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")], { aliases: ["best"] }, T0);
        await logVersion(store, [file("b")], { aliases: ["candidate"] }, T0 + 1);
        const v = await store.artifacts.patchVersion(
          MODEL, 0, { description: "baseline", metadata: { f1: 0.9 }, removeAliases: ["best", "candidate", "latest"], addAliases: ["latest"] }, T0 + 2,
        );
        expect(v).toMatchObject({ index: 0, description: "baseline", metadata: { f1: 0.9 }, aliases: [] });
        expect((await store.artifacts.getVersion(MODEL, "v1"))!.aliases).toEqual(["candidate", "latest"]);
        expect((await store.artifacts.aliasHistory(MODEL, 1))[0]).toEqual({ alias: "best", from: 0, to: null, at: T0 + 2, runId: null });
        expect(await store.artifacts.patchVersion(MODEL, 7, { description: "x" }, T0)).toBeUndefined();
      });

      it("listArtifacts filters by type and by name, and reports the latest version", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")], { name: "resnet" });
        await logVersion(store, [file("b")], { name: "imagenet-subset", type: "dataset" });
        await logVersion(store, [file("c")], { name: "ResNext" });
        await store.artifacts.createDraft(P, draft([file("d")], { name: "pending-only" }), T0);
        const all = await store.artifacts.listArtifacts(P, {});
        expect(all.map((a) => a.name)).toEqual(["ResNext", "imagenet-subset", "resnet"]);
        expect((await store.artifacts.listArtifacts(P, { type: "model" })).map((a) => a.name)).toEqual(["ResNext", "resnet"]);
        expect((await store.artifacts.listArtifacts(P, { search: "resn" })).map((a) => a.name)).toEqual(["ResNext", "resnet"]);
        expect(await store.artifacts.listArtifacts({ ...P, project: "none" }, {})).toEqual([]);
        expect(all[1]).toMatchObject({ type: "dataset", versionCount: 1, latest: { index: 0, aliases: ["latest"] } });
      });
    });

    describe("deleting versions", () => {
      it("a version with user aliases is kept unless forced; with force the aliases go (recorded)", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")], { aliases: ["production"] });
        await logVersion(store, [file("b")]);
        expect(await store.artifacts.deleteVersion(MODEL, 0, false, T0 + 1)).toEqual({ kind: "has_aliases", aliases: ["production"] });
        expect(await store.artifacts.getVersion(MODEL, "v0")).toBeDefined();
        expect(await store.artifacts.deleteVersion(MODEL, 0, true, T0 + 2)).toEqual({ kind: "deleted" });
        expect(await store.artifacts.getVersion(MODEL, "production")).toBeUndefined();
        expect((await store.artifacts.aliasHistory(MODEL, 1))[0]).toMatchObject({ alias: "production", from: 0, to: null });
        expect(await store.artifacts.deleteVersion(MODEL, 0, true, T0 + 3)).toEqual({ kind: "missing" });
      });

      it("deleting the latest version moves latest to the highest one left", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")]);
        await logVersion(store, [file("b")]);
        await logVersion(store, [file("c")]);
        await store.artifacts.deleteVersion(MODEL, 1, false, T0 + 1);
        expect(await store.artifacts.deleteVersion(MODEL, 2, false, T0 + 2)).toEqual({ kind: "deleted" });
        expect((await store.artifacts.getVersion(MODEL, "latest"))!.index).toBe(0);
        expect((await store.artifacts.aliasHistory(MODEL, 1))[0]).toMatchObject({ alias: "latest", from: 2, to: 0 });
        expect((await store.artifacts.getArtifact(MODEL))!.versionCount).toBe(1);
      });

      it("the artifact goes with its last version", async () => {
        const store = await fresh();
        await logVersion(store, [file("a")], { runId: "r1" });
        await store.artifacts.deleteVersion(MODEL, 0, false, T0 + 1);
        expect(await store.artifacts.getArtifact(MODEL)).toBeUndefined();
        expect(await store.artifacts.listArtifacts(P, {})).toEqual([]);
        expect(await store.artifacts.aliasHistory(MODEL, 10)).toEqual([]);
        expect(await store.artifacts.runArtifacts({ ...P, runId: "r1" })).toEqual({ used: [], produced: [] });
      });

      it("deleting a version leaves the files of other versions, and their digests stay referenced", async () => {
        const store = await fresh();
        await logVersion(store, [file("shared.bin", "shared"), file("only0", "zero")]);
        await logVersion(store, [file("shared.bin", "shared"), file("only1", "one")]);
        await store.artifacts.deleteVersion(MODEL, 0, false, T0 + 1);
        const page = await store.artifacts.manifestPage(MODEL, 1, { limit: 10 });
        expect(page.entries.map((e) => e.path)).toEqual(["only1", "shared.bin"]);
        expect(await store.artifacts.manifestPage(MODEL, 0, { limit: 10 })).toEqual({ entries: [], total: 0 });
        const kept = await store.artifacts.referencedDigests([sha("shared"), sha("zero"), sha("one")]);
        expect([...kept].sort()).toEqual([sha("shared"), sha("one")].sort());
      });
    });

    describe("manifests", () => {
      const files = ["z.txt", "data/b.csv", "data/a.csv", "data/sub/c.csv", "data-x", "datb", "é.txt", "images/1.png"].map((p) => file(p));

      it("pages come in UTF-8 byte order with the prefix's total, and resume after the cursor path", async () => {
        const store = await fresh();
        await logVersion(store, [...files, { path: "remote/model.pt", digest: "s3://bucket/model.pt", size: null, ref: "s3://bucket/model.pt" }]);
        const all = await store.artifacts.manifestPage(MODEL, 0, { limit: 100 });
        expect(all.entries.map((e) => e.path)).toEqual([
          "data-x", "data/a.csv", "data/b.csv", "data/sub/c.csv", "datb", "images/1.png", "remote/model.pt", "z.txt", "é.txt",
        ]);
        expect(all.total).toBe(9);
        expect(all.entries[6]).toEqual({ path: "remote/model.pt", digest: "s3://bucket/model.pt", size: null, ref: "s3://bucket/model.pt" });
        expect(all.entries[0]).toEqual(file("data-x"));

        const first = await store.artifacts.manifestPage(MODEL, 0, { prefix: "data/", limit: 2 });
        expect(first).toEqual({ entries: [file("data/a.csv"), file("data/b.csv")], total: 3 });
        const second = await store.artifacts.manifestPage(MODEL, 0, { prefix: "data/", after: "data/b.csv", limit: 2 });
        expect(second).toEqual({ entries: [file("data/sub/c.csv")], total: 3 });
        const before = await store.artifacts.manifestPage(MODEL, 0, { prefix: "data/", after: "a", limit: 10 });
        expect(before.entries).toHaveLength(3);
        expect((await store.artifacts.manifestPage(MODEL, 0, { prefix: "é", limit: 10 })).entries.map((e) => e.path)).toEqual(["é.txt"]);
        expect(await store.artifacts.manifestPage(MODEL, 0, { prefix: "nothing/", limit: 10 })).toEqual({ entries: [], total: 0 });
      });

      it("manifestEntry finds one file by exact path", async () => {
        const store = await fresh();
        await logVersion(store, files);
        expect(await store.artifacts.manifestEntry(MODEL, 0, "data/sub/c.csv")).toEqual(file("data/sub/c.csv"));
        expect(await store.artifacts.manifestEntry(MODEL, 0, "data/sub")).toBeUndefined();
        expect(await store.artifacts.manifestEntry(MODEL, 3, "z.txt")).toBeUndefined();
      });
    });

    describe("lineage links", () => {
      it("using a version links the run once, as a consumer", async () => {
        const store = await fresh();
        await store.appendBatch({ ...P, runId: "eval1" }, [{ seq: 1, ts: T0, type: "run", name: "evaluate" } as WireRecord], T0);
        await logVersion(store, [file("a")], { runId: "train1" });
        expect(await store.artifacts.useVersion(MODEL, 0, "eval1", T0 + 5)).toBe(true);
        expect(await store.artifacts.useVersion(MODEL, 0, "eval1", T0 + 9)).toBe(true);
        expect(await store.artifacts.useVersion(MODEL, 4, "eval1", T0 + 9)).toBe(false);
        const runs = await store.artifacts.versionRuns(MODEL, 0);
        expect(runs.consumers).toEqual([{ runId: "eval1", name: "evaluate", state: "running", at: T0 + 5 }]);
        // train1 never reached the server: its link stands, without a name.
        expect(runs.producers).toEqual([{ runId: "train1", name: null, state: null, at: T0 }]);
      });

      it("runArtifacts lists what a run used and produced", async () => {
        const store = await fresh();
        const data = await logVersion(store, [file("d")], { name: "imagenet", type: "dataset" });
        await store.artifacts.useVersion({ ...P, name: "imagenet" }, data.index, "train1", T0 + 1);
        await logVersion(store, [file("w")], { runId: "train1", aliases: ["best"] }, T0 + 2);
        const links = await store.artifacts.runArtifacts({ ...P, runId: "train1" });
        expect(links.used.map((l) => [l.version.name, l.version.index, l.at])).toEqual([["imagenet", 0, T0 + 1]]);
        expect(links.produced).toHaveLength(1);
        expect(links.produced[0]!.version).toMatchObject({ name: "resnet", index: 0, aliases: ["best", "latest"] });
        expect(await store.artifacts.runArtifacts({ ...P, runId: "nobody" })).toEqual({ used: [], produced: [] });
      });

      it("linksOfRuns and linksOfVersions return one hop in both directions", async () => {
        const store = await fresh();
        const D = { ...P, name: "imagenet" };
        await logVersion(store, [file("d")], { name: "imagenet", type: "dataset", runId: "prep" });
        await store.artifacts.useVersion(D, 0, "train", T0);
        await logVersion(store, [file("w")], { runId: "train" });
        await store.artifacts.useVersion(MODEL, 0, "eval", T0);
        const sort = (xs: { runId: string; name: string; index: number; direction: string }[]) =>
          xs.map((x) => `${x.runId} ${x.direction} ${x.name}:v${x.index}`).sort();
        expect(sort(await store.artifacts.linksOfRuns(P, ["train", "eval", "train"]))).toEqual([
          "eval input resnet:v0", "train input imagenet:v0", "train output resnet:v0",
        ]);
        expect(sort(await store.artifacts.linksOfVersions(P, [{ name: "imagenet", index: 0 }, { name: "imagenet", index: 0 }]))).toEqual([
          "prep output imagenet:v0", "train input imagenet:v0",
        ]);
        expect(await store.artifacts.linksOfRuns({ ...P, project: "other" }, ["train"])).toEqual([]);
        expect(await store.artifacts.linksOfVersions(P, [])).toEqual([]);
      });
    });

    describe("referenced digests", () => {
      it("keeps digests of committed files, of pending drafts and of runs' git diffs; not of references", async () => {
        const store = await fresh();
        await logVersion(store, [file("a", "committed"), { path: "r", digest: sha("ref"), size: 3, ref: "file:///data/r" }]);
        await store.artifacts.createDraft(P, draft([file("b", "drafted")]), T0);
        const diff = `diff --git a/x b/x\n${"+line\n".repeat(10_000)}`;
        await store.appendBatch({ ...P, runId: "r1" }, [{ seq: 1, ts: T0, type: "run", metadata: { git: { commit: "abc", diff } } } as WireRecord], T0);
        const diffBlob = ((await store.meta.getRun({ ...P, runId: "r1" }))!.metadata as { git: { diffBlob: string } }).git.diffBlob;
        expect(diffBlob).toBe(sha(diff));
        const asked = [sha("committed"), sha("drafted"), diffBlob, sha("ref"), sha("orphan")];
        const kept = await store.artifacts.referencedDigests(asked);
        expect([...kept].sort()).toEqual([sha("committed"), sha("drafted"), diffBlob].sort());
        expect(await store.artifacts.referencedDigests([])).toEqual(new Set());
        await store.artifacts.expireDrafts(T0 + 1);
        expect(await store.artifacts.referencedDigests([sha("drafted")])).toEqual(new Set());
      });
    });
  });
}
