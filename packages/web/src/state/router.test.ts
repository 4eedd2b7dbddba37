import { describe, expect, it } from "vitest";
import { parseRoute, paths } from "./router";

describe("routes", () => {
  it("each page's path parses back to that page", () => {
    expect(parseRoute(paths.projects())).toEqual({ page: "projects" });
    expect(parseRoute(paths.workspace("ada", "digits"))).toEqual({ page: "workspace", entity: "ada", project: "digits" });
    expect(parseRoute(paths.run("ada", "digits", "k3x9"))).toEqual({ page: "run", entity: "ada", project: "digits", runId: "k3x9" });
    expect(parseRoute(paths.compare("ada", "digits", ["a", "b"]).split("?")[0]!)).toEqual({ page: "compare", entity: "ada", project: "digits" });
  });

  it("the artifact pages' paths parse back to those pages", () => {
    expect(parseRoute(paths.artifacts("ada", "digits"))).toEqual({ page: "artifacts", entity: "ada", project: "digits" });
    expect(parseRoute(paths.artifact("ada", "digits", "mnist"))).toEqual({ page: "artifact", entity: "ada", project: "digits", name: "mnist" });
    expect(parseRoute(paths.artifactVersion("ada", "digits", "mnist", "v3"))).toEqual({
      page: "artifactVersion", entity: "ada", project: "digits", name: "mnist", version: "v3",
    });
    expect(parseRoute(paths.registry("ada", "digits"))).toEqual({ page: "registry", entity: "ada", project: "digits" });
  });

  it("names with reserved characters are escaped and come back intact", () => {
    expect(parseRoute(paths.workspace("team a", "x/y"))).toEqual({ page: "workspace", entity: "team a", project: "x/y" });
  });

  it("anything else is not found, with its path", () => {
    expect(parseRoute("/p/ada")).toEqual({ page: "notFound", path: "/p/ada" });
    expect(parseRoute("/p/ada/digits/runs")).toEqual({ page: "notFound", path: "/p/ada/digits/runs" });
    expect(parseRoute("/p/ada/digits/artifacts/mnist/v3/extra")).toEqual({ page: "notFound", path: "/p/ada/digits/artifacts/mnist/v3/extra" });
    expect(parseRoute("/p/ada/digits/registry/x")).toEqual({ page: "notFound", path: "/p/ada/digits/registry/x" });
  });
});
