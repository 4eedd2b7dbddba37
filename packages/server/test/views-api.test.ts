// The saved-view API on a real server (ephemeral port, real SQLite files): create, read, list
// (most recently updated first), update, delete, the 404s, and the field every bad input is
// refused with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/ada/views-demo";
const T0 = Date.UTC(2026, 0, 1);
let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface ViewBody { id: string; name: string; note: string; state: string; createdAt: string; updatedAt: string }
interface ErrorBody { error: string; message: string; field?: string }

const create = (body: unknown, path = `${P}/views`) => postJson(server.url, path, body) as Promise<{ status: number; body: ViewBody & ErrorBody }>;
const patch = (id: string, body: unknown) => api<ViewBody & ErrorBody>(server.url, `${P}/views/${id}`, {
  method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
});
const list = async () => (await api<{ views: ViewBody[] }>(server.url, `${P}/views`)).body.views;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  // The project exists once a run is logged to it.
  const res = await postJson(server.url, `${P}/runs/r1/records`, { records: [{ seq: 1, ts: T0, type: "run", name: "first" }] });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe("saving and reading views", () => {
  it("a saved view comes back with its id, name, note, state and times", async () => {
    const { status, body } = await create({ name: "  best runs  ", note: "**lr** sweep, see [docs](https://example.com)", state: "filter=config.lr%20%3E%200.01&sel=r1" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "best runs", note: "**lr** sweep, see [docs](https://example.com)", state: "filter=config.lr%20%3E%200.01&sel=r1" });
    expect(body.id).toMatch(/^[a-z0-9]{8}$/);
    expect(body.createdAt).toBe(body.updatedAt);
    expect(Date.parse(body.createdAt)).toBeGreaterThan(T0);
    const got = await api<ViewBody>(server.url, `${P}/views/${body.id}`);
    expect(got).toEqual({ status: 200, body });
  });

  it("note and state default to empty", async () => {
    const { status, body } = await create({ name: "bare" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "bare", note: "", state: "" });
  });

  it("a leading ? and a view= parameter are dropped from the state", async () => {
    const { body } = await create({ name: "from a url", state: "?view=abc12345&group=config.opt&view&sel=r1~r2" });
    expect(body.state).toBe("group=config.opt&sel=r1~r2");
  });

  it("views are listed most recently updated first, and an update moves a view to the top", async () => {
    const a = (await create({ name: "order a" })).body;
    await new Promise((r) => setTimeout(r, 5));
    const b = (await create({ name: "order b" })).body;
    let names = (await list()).map((v) => v.name);
    expect(names.indexOf("order b")).toBeLessThan(names.indexOf("order a"));
    await new Promise((r) => setTimeout(r, 5));
    const u = await patch(a.id, { state: "group=state" });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ id: a.id, name: "order a", state: "group=state" });
    expect(Date.parse(u.body.updatedAt)).toBeGreaterThan(Date.parse(u.body.createdAt));
    names = (await list()).map((v) => v.name);
    expect(names[0]).toBe("order a");
    expect(names.indexOf("order a")).toBeLessThan(names.indexOf(b.name));
  });

  it("an update changes only the fields it names", async () => {
    const v = (await create({ name: "partial", note: "keep me", state: "q=x" })).body;
    const renamed = await patch(v.id, { name: "renamed" });
    expect(renamed.body).toMatchObject({ name: "renamed", note: "keep me", state: "q=x" });
    const noted = await patch(v.id, { note: "" });
    expect(noted.body).toMatchObject({ name: "renamed", note: "", state: "q=x" });
  });

  it("a deleted view answers 404 afterwards and leaves the list", async () => {
    const v = (await create({ name: "doomed" })).body;
    const del = await api(server.url, `${P}/views/${v.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await list()).map((x) => x.id)).not.toContain(v.id);
    const again = await api<ErrorBody>(server.url, `${P}/views/${v.id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ error: "not_found", field: "viewId" });
  });

  it("the OpenAPI document names the View schema", async () => {
    const doc = await api<{ components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> }>(server.url, "/api/v1/openapi.json");
    expect(Object.keys(doc.body.components.schemas)).toEqual(expect.arrayContaining(["View", "ViewList"]));
    expect(Object.keys(doc.body.paths)).toContain("/api/v1/projects/{entity}/{project}/views/{viewId}");
  });
});

describe("refusals", () => {
  it("an unknown view is 404 for read, update and delete", async () => {
    for (const init of [{}, { method: "DELETE" }]) {
      const res = await api<ErrorBody>(server.url, `${P}/views/nosuch12`, init);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: "not_found", field: "viewId" });
    }
    const p = await patch("nosuch12", { name: "x" });
    expect(p.status).toBe(404);
    expect(p.body.field).toBe("viewId");
  });

  it("an unknown project is 404 for listing, saving and reading", async () => {
    const other = "/api/v1/projects/ada/nowhere";
    const l = await api<ErrorBody>(server.url, `${other}/views`);
    expect(l.status).toBe(404);
    expect(l.body).toMatchObject({ error: "project_not_found", field: "project" });
    const c = await create({ name: "x" }, `${other}/views`);
    expect(c.status).toBe(404);
    expect(c.body.error).toBe("project_not_found");
    const g = await api<ErrorBody>(server.url, `${other}/views/abcdefgh`);
    expect(g.status).toBe(404);
    expect(g.body.error).toBe("project_not_found");
  });

  it("a view of one project is not found through another", async () => {
    await postJson(server.url, "/api/v1/projects/ada/second/runs/r1/records", { records: [{ seq: 1, ts: T0, type: "run" }] });
    const v = (await create({ name: "mine" })).body;
    const res = await api<ErrorBody>(server.url, `/api/v1/projects/ada/second/views/${v.id}`);
    expect(res.status).toBe(404);
    expect(res.body.field).toBe("viewId");
  });

  it.each([
    ["a missing name", {}, "name"],
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a name over 200 characters", { name: "n".repeat(201) }, "name"],
    ["a name that is not a string", { name: 5 }, "name"],
    ["a note over 100,000 characters", { name: "x", note: "n".repeat(100_001) }, "note"],
    ["a note that is not a string", { name: "x", note: ["a"] }, "note"],
    ["a state over 100,000 characters", { name: "x", state: "a".repeat(100_001) }, "state"],
    ["a state with a space", { name: "x", state: "filter=a b" }, "state"],
    ["a state with a line break", { name: "x", state: "filter=a\nb" }, "state"],
    ["a state with a fragment", { name: "x", state: "filter=a#b" }, "state"],
    ["a state that is not a string", { name: "x", state: { filter: "a" } }, "state"],
    ["an unknown field", { name: "x", colour: "red" }, "colour"],
  ])("saving with %s is 400 naming the field", async (_what, body, field) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request", field });
    expect(res.body.message.length).toBeGreaterThan(10);
  });

  it.each([
    ["an empty patch", {}, "request"],
    ["a blank name", { name: " " }, "name"],
    ["a state with a space", { state: "a b" }, "state"],
    ["a note over 100,000 characters", { note: "n".repeat(100_001) }, "note"],
  ])("updating with %s is 400 naming the field", async (_what, body, field) => {
    const v = (await create({ name: "target" })).body;
    const res = await patch(v.id, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request" });
    if (field !== "request") expect(res.body.field).toBe(field);
    else expect(res.body.field).toBeDefined();
  });

  it("a malformed view id is 400 naming viewId", async () => {
    const res = await api<ErrorBody>(server.url, `${P}/views/${encodeURIComponent("bad id!")}`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("viewId");
  });
});
