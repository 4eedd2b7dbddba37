// The lineage API on a real server: dataset v0 -> training run -> model v0 -> evaluation run,
// asked from the model and from the evaluation run at depth 1 and 3; truncation at the node
// limit; and the refusals of bad lineage queries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { lineage } from "../src/artifacts/lineage.js";
import { ArtifactClient, type LineageBody } from "./artifacts-helpers.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let c: ArtifactClient;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  c = new ArtifactClient(server.url);
  // dataset:v0 -> train -> model:v0 -> eval
  await c.run("prep", "prep-data");
  await c.log("digits", "dataset", { "train.csv": "1,2,3\n" }, { runId: "prep" });
  await c.run("train", "brisk-owl", false);
  expect((await c.use("digits", "v0", "train")).status).toBe(200);
  await c.log("clf", "model", { "model.pt": "weights" }, { runId: "train", aliases: ["production"] });
  await c.run("eval", "calm-fox");
  expect((await c.use("clf", "production", "eval")).status).toBe(200);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const graph = async (query: string) => c.get<LineageBody>(`/lineage?${query}`);
const ids = (g: LineageBody) => g.nodes.map((n) => n.id).sort();
const edges = (g: LineageBody) => g.edges.map((e) => `${e.from} -> ${e.to}`).sort();

describe("lineage", () => {
  it("asked from the model at depth 1: the run that produced it and the run that used it", async () => {
    const { status, body } = await graph("artifact=clf:v0&depth=1");
    expect(status).toBe(200);
    expect(body.root).toBe("artifact:clf:v0");
    expect(ids(body)).toEqual(["artifact:clf:v0", "run:eval", "run:train"]);
    expect(edges(body)).toEqual(["artifact:clf:v0 -> run:eval", "run:train -> artifact:clf:v0"]);
    expect(body.truncated).toBe(false);
    const model = body.nodes.find((n) => n.id === "artifact:clf:v0")!;
    expect(model).toMatchObject({ kind: "artifact", label: "clf:v0", depth: 0, name: "clf", type: "model", version: "v0", aliases: ["latest", "production"] });
    const train = body.nodes.find((n) => n.id === "run:train")!;
    expect(train).toMatchObject({ kind: "run", label: "brisk-owl", depth: 1, runId: "train", state: "running" });
  });

  it("asked from the model at depth 3: the whole chain, dataset to evaluation, with depths", async () => {
    const { body } = await graph("artifact=clf:production&depth=3");
    expect(ids(body)).toEqual(["artifact:clf:v0", "artifact:digits:v0", "run:eval", "run:prep", "run:train"]);
    expect(edges(body)).toEqual([
      "artifact:clf:v0 -> run:eval",
      "artifact:digits:v0 -> run:train",
      "run:prep -> artifact:digits:v0",
      "run:train -> artifact:clf:v0",
    ]);
    const depth = Object.fromEntries(body.nodes.map((n) => [n.id, n.depth]));
    expect(depth).toEqual({ "artifact:clf:v0": 0, "run:train": 1, "run:eval": 1, "artifact:digits:v0": 2, "run:prep": 3 });
  });

  it("asked from the evaluation run at depth 1 and 3", async () => {
    const one = (await graph("run=eval&depth=1")).body;
    expect(one.root).toBe("run:eval");
    expect(ids(one)).toEqual(["artifact:clf:v0", "run:eval"]);
    expect(edges(one)).toEqual(["artifact:clf:v0 -> run:eval"]);
    expect(one.nodes.find((n) => n.id === "run:eval")).toMatchObject({ label: "calm-fox", state: "finished", depth: 0 });
    const three = (await graph("run=eval&depth=3")).body;
    expect(ids(three)).toEqual(["artifact:clf:v0", "artifact:digits:v0", "run:eval", "run:train"]);
    expect(edges(three)).toContain("artifact:digits:v0 -> run:train");
  });

  it("the default depth is 3 and a bare name means latest", async () => {
    const { body } = await graph("artifact=clf");
    expect(ids(body)).toHaveLength(5);
  });

  it("a run known only by its links is a node labelled by its id", async () => {
    expect((await c.use("digits", "v0", "ghost")).status).toBe(200);
    const { status, body } = await graph("run=ghost&depth=1");
    expect(status).toBe(200);
    expect(body.nodes.find((n) => n.id === "run:ghost")).toMatchObject({ label: "ghost", state: null });
  });

  it("a graph past the node limit stops at it and says truncated", async () => {
    // A dataset used by 12 runs; the walk is cut at 5 nodes (the route's limit is 500: the same code, asked directly).
    await c.log("popular", "dataset", { "p.csv": "x" });
    for (let i = 0; i < 12; i++) await c.use("popular", "v0", `user${String(i).padStart(2, "0")}`);
    const p = { entity: c.entity, project: c.project };
    const small = await lineage(server.store, p, { kind: "artifact", name: "popular", index: 0 }, 3, 5);
    expect(small.nodes).toHaveLength(5);
    expect(small.truncated).toBe(true);
    expect(small.edges).toHaveLength(4);
    for (const e of small.edges) {
      expect(small.nodes.some((n) => n.id === e.from)).toBe(true);
      expect(small.nodes.some((n) => n.id === e.to)).toBe(true);
    }
    const full = (await graph("artifact=popular:v0&depth=1")).body;
    expect(full.nodes).toHaveLength(13);
    expect(full.truncated).toBe(false);
  });

  it("more than 500 reachable nodes are cut at 500 through the API", async () => {
    await c.log("viral", "dataset", { "v.csv": "viral" });
    await Promise.all(Array.from({ length: 520 }, (_, i) => c.use("viral", "v0", `r${i}`)));
    const { body } = await graph("artifact=viral:v0&depth=1");
    expect(body.nodes).toHaveLength(500);
    expect(body.truncated).toBe(true);
  });

  it("bad lineage queries are 4xx naming the parameter", async () => {
    const cases: [string, number, string][] = [
      ["", 400, "artifact"],
      ["artifact=clf:v0&run=eval", 400, "run"],
      ["artifact=a%20b", 400, "artifact"],
      ["artifact=clf:v0:x%20y", 400, "artifact"],
      ["artifact=nope:v0", 404, "name"],
      ["artifact=clf:v9", 404, "ref"],
      ["artifact=clf:staging", 404, "ref"],
      ["run=bad%20id", 400, "run"],
      ["run=nobody", 404, "run"],
      ["artifact=clf&depth=0", 400, "depth"],
      ["artifact=clf&depth=11", 400, "depth"],
      ["artifact=clf&depth=deep", 400, "depth"],
      ["artifact=clf&colour=red", 400, "colour"],
    ];
    for (const [query, status, field] of cases) {
      const res = await graph(query);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.field, query).toBe(field);
    }
    const unknownProject = await c.get("/api/v1/projects/ada/elsewhere/lineage?run=eval");
    expect(unknownProject.status).toBe(404);
  });
});
