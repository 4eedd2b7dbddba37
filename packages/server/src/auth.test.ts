// How access control reads a URL: whether a path is the API's however it is spelled (the
// dashboard's public fallback must never cover it), and keys kept out of logged URLs.
import { describe, expect, it } from "vitest";
import { isApiPath, redactKey } from "./auth.js";

describe("isApiPath", () => {
  it("recognises the API under any spelling the router would accept", () => {
    for (const url of [
      "/api", "/api/", "/api/v1/projects", "/API/v1/nope", "/%61pi/v1/projects", "//api/v1/projects",
      "/x/../api/v1/projects", "/\\api/v1", "http://host:5170/api/v1/projects?x=1", "/%zz", "*",
    ]) expect(isApiPath(url), url).toBe(true);
  });

  it("leaves the dashboard's own paths alone", () => {
    for (const url of ["/", "/p/demo/shapes-mlp/runs/abc", "/assets/app.js", "/apis", "/p/api", "http://host/", "/x?api/"]) {
      expect(isApiPath(url), url).toBe(false);
    }
  });
});

describe("redactKey", () => {
  it("hides the value of a key query parameter and nothing else", () => {
    expect(redactKey("/api/v1/projects/a/b/events?key=ork_secret&x=1")).toBe("/api/v1/projects/a/b/events?key=[redacted]&x=1");
    expect(redactKey("/x?a=1&KEY=s")).toBe("/x?a=1&KEY=[redacted]");
    expect(redactKey("/x?monkey=1")).toBe("/x?monkey=1");
  });
});
