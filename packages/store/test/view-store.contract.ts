// The behaviour every ViewStore engine must show (see ViewStore in src/interfaces.ts), as tests
// named as sentences. An engine's test file calls runViewStoreContract with a factory for fresh
// stores; `reopen` (when the engine persists) gives a second store on the same data.
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../src/interfaces.js";

export interface ViewContractFactory {
  fresh(): Promise<Store>;
  /** Another store on the same data as `store` (a restart, or a second server process). */
  reopen(store: Store): Promise<Store>;
}

const P = { entity: "ada", project: "vision" };
const OTHER = { entity: "ada", project: "audio" };
const T0 = Date.UTC(2026, 0, 1);

/** A store whose projects P and OTHER exist (views never create projects). */
async function withProjects(store: Store): Promise<Store> {
  for (const p of [P, OTHER]) {
    await store.appendBatch({ ...p, runId: "r1" }, [{ seq: 1, ts: T0, type: "run", name: "first" }], T0);
  }
  return store;
}

export function runViewStoreContract(engine: string, factory: ViewContractFactory): void {
  describe(`ViewStore contract: ${engine}`, () => {
    const open: Store[] = [];
    const fresh = async () => { const s = await factory.fresh(); open.push(s); return withProjects(s); };
    const reopen = async (s: Store) => { const r = await factory.reopen(s); open.push(r); return r; };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    it("a new view keeps its name, note and state, with a short URL-safe id", async () => {
      const store = await fresh();
      const v = await store.views.createView(P, { name: "best lr", note: "**why**", state: "filter=a&sel=r1" }, T0);
      expect(v).toEqual({ id: v!.id, name: "best lr", note: "**why**", state: "filter=a&sel=r1", createdAt: T0, updatedAt: T0 });
      expect(v!.id).toMatch(/^[a-z0-9]{8}$/);
      expect(await store.views.getView({ ...P, viewId: v!.id })).toEqual(v);
    });

    it("a view for a project that does not exist is not created", async () => {
      const store = await fresh();
      expect(await store.views.createView({ entity: "ada", project: "nope" }, { name: "x", note: "", state: "" }, T0)).toBeUndefined();
      expect(await store.meta.getProject({ entity: "ada", project: "nope" })).toBeUndefined();
    });

    it("views are listed per project, most recently updated first", async () => {
      const store = await fresh();
      const a = (await store.views.createView(P, { name: "a", note: "", state: "" }, T0))!;
      const b = (await store.views.createView(P, { name: "b", note: "", state: "" }, T0 + 10))!;
      const c = (await store.views.createView(P, { name: "c", note: "", state: "" }, T0 + 10))!;
      await store.views.createView(OTHER, { name: "elsewhere", note: "", state: "" }, T0 + 20);
      expect((await store.views.listViews(P)).map((v) => v.name)).toEqual(["c", "b", "a"]);
      await store.views.updateView({ ...P, viewId: a.id }, { state: "group=x" }, T0 + 30);
      expect((await store.views.listViews(P)).map((v) => v.id)).toEqual([a.id, c.id, b.id]);
      expect((await store.views.listViews(OTHER)).map((v) => v.name)).toEqual(["elsewhere"]);
      expect(await store.views.listViews({ entity: "ada", project: "nope" })).toEqual([]);
    });

    it("an update changes only the fields given and moves updatedAt", async () => {
      const store = await fresh();
      const v = (await store.views.createView(P, { name: "n", note: "old note", state: "q=a" }, T0))!;
      const ref = { ...P, viewId: v.id };
      const u = await store.views.updateView(ref, { state: "q=b" }, T0 + 5);
      expect(u).toEqual({ ...v, state: "q=b", updatedAt: T0 + 5 });
      const w = await store.views.updateView(ref, { name: "renamed", note: "" }, T0 + 6);
      expect(w).toEqual({ ...v, name: "renamed", note: "", state: "q=b", updatedAt: T0 + 6 });
      expect(await store.views.updateView({ ...P, viewId: "missing1" }, { name: "x" }, T0)).toBeUndefined();
    });

    it("a view is not found through another project", async () => {
      const store = await fresh();
      const v = (await store.views.createView(P, { name: "n", note: "", state: "" }, T0))!;
      const wrong = { ...OTHER, viewId: v.id };
      expect(await store.views.getView(wrong)).toBeUndefined();
      expect(await store.views.updateView(wrong, { name: "x" }, T0)).toBeUndefined();
      expect(await store.views.deleteView(wrong)).toBe(false);
      expect((await store.views.getView({ ...P, viewId: v.id }))?.name).toBe("n");
    });

    it("a deleted view is gone, and deleting it again reports false", async () => {
      const store = await fresh();
      const v = (await store.views.createView(P, { name: "n", note: "", state: "" }, T0))!;
      const ref = { ...P, viewId: v.id };
      expect(await store.views.deleteView(ref)).toBe(true);
      expect(await store.views.getView(ref)).toBeUndefined();
      expect(await store.views.listViews(P)).toEqual([]);
      expect(await store.views.deleteView(ref)).toBe(false);
    });

    it("long notes and states survive a reopen unchanged", async () => {
      const store = await fresh();
      const note = `# Why\n\n${"é🚀 ".repeat(20_000)}`;
      const state = `filter=${"a%20".repeat(20_000)}`;
      const v = (await store.views.createView(P, { name: "big", note, state }, T0))!;
      await store.close();
      const again = await reopen(store);
      expect(await again.views.getView({ ...P, viewId: v.id })).toEqual(v);
    });
  });
}
