// Serving the dashboard on real servers (ephemeral ports) from a temp folder standing in for a
// Vite build: index.html at / and at any app route, hashed assets cached for a year, traversal
// refused, the API's JSON 404 untouched, public files where keys are required, and the page that
// says how to build the dashboard when there is none.
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "@orrery/store";
import { api, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { buildApp } from "../src/app.js";

const INDEX = "<!doctype html><html><body><div id=root></div><script type=module src=/assets/app-1a2b.js></script></body></html>";
const APP_JS = "console.log('orrery');";

/** A raw HTTP/1.1 request, for paths a fetch client would normalise away. */
function rawGet(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1", () => sock.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let got = "";
    sock.on("data", (d: Buffer) => { got += d.toString(); });
    sock.on("error", reject);
    sock.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(got)?.[1] ?? 0), text: got }));
  });
}

function buildDashboard(): ReturnType<typeof tempDir> {
  const d = tempDir("orrery-web-");
  mkdirSync(join(d.path, "assets"));
  writeFileSync(join(d.path, "index.html"), INDEX);
  writeFileSync(join(d.path, "assets", "app-1a2b.js"), APP_JS);
  writeFileSync(join(d.path, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(join(d.path, ".env"), "SECRET=1");
  return d;
}

let web: ReturnType<typeof tempDir>;
let data: ReturnType<typeof tempDir>;
let server: RunningServer;

beforeAll(async () => {
  web = buildDashboard();
  data = tempDir();
  server = await startServer({ dataDir: data.path, port: 0, dashboardDir: web.path });
});

afterAll(async () => {
  await server.close();
  data.cleanup();
  web.cleanup();
});

describe("the dashboard", () => {
  it("serves index.html at / and at any app route, revalidated on every load", async () => {
    for (const path of ["/", "/p/x/y", "/p/demo/shapes-mlp/runs/abc", "/index.html", "/p/x/y?tab=charts"]) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toContain("text/html");
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
      expect(await res.text(), path).toBe(INDEX);
    }
    const head = await fetch(server.url + "/p/x/y", { method: "HEAD" });
    expect(head.status).toBe(200);
    for (const path of ["/assets", "/.env"]) expect(await (await fetch(server.url + path)).text(), path).toBe(INDEX);
  });

  it("serves hashed assets as JavaScript cached for a year, and other files revalidated", async () => {
    const res = await fetch(`${server.url}/assets/app-1a2b.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toBe(APP_JS);
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.headers.get("content-type")).toContain("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("refuses paths that leave its folder, and never shows dotfiles", async () => {
    const port = server.port;
    for (const path of ["/../../etc/passwd", "/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/..%5c..%5cetc%5cpasswd"]) {
      const res = await rawGet(port, path);
      expect(res.text, path).not.toContain("root:");
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    const dot = await fetch(`${server.url}/.env`);
    expect(await dot.text()).not.toContain("SECRET");
    const bad = await api(server.url, "/a%ZZ");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "invalid_request", message: expect.any(String) });
  });

  it("answers a missing asset with a 404, not with index.html in its place", async () => {
    for (const path of ["/assets/app-old.js", "/assets/"]) {
      const res = await api(server.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ error: "not_found" });
    }
  });

  it("leaves the API's JSON 404 alone, for unknown API paths and for other methods", async () => {
    for (const path of ["/api/v1/nope", "/api/nope", "/api", "/%61pi/v1/nope"]) {
      const res = await api(server.url, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ error: "not_found" });
    }
    const post = await api(server.url, "/p/x/y", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(404);
    expect(post.body).toMatchObject({ error: "not_found" });
  });

  it("is not part of the API document", async () => {
    const { body } = await api<{ paths: Record<string, unknown> }>(server.url, "/api/v1/openapi.json");
    expect(Object.keys(body.paths).filter((p) => !p.startsWith("/api/"))).toEqual([]);
  });
});

describe("the dashboard where keys are required", () => {
  it("serves its files without a key while every API path still needs one", async () => {
    const d = tempDir();
    const store = await openStore(d.path);
    const app = await buildApp({ store, requireKeys: true, version: "test", dashboardDir: web.path });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    const port = typeof addr === "object" && addr ? addr.port : 0;
    const base = `http://127.0.0.1:${port}`;
    try {
      for (const path of ["/", "/p/x/y", "/assets/app-1a2b.js"]) expect((await fetch(base + path)).status, path).toBe(200);
      for (const path of ["/api/v1/projects", "/api/v1/nope", "/%61pi/v1/projects", "/API/v1/projects", "//api/v1/projects"]) {
        const res = await api(base, path);
        expect(res.status, path).toBe(401);
        expect(res.body, path).toMatchObject({ error: "unauthorized" });
      }
      expect((await rawGet(port, `http://127.0.0.1:${port}/api/v1/projects`)).status).toBe(401);
      expect((await rawGet(port, "/x/../api/v1/projects")).status).toBe(401);
    } finally {
      await app.close();
      await store.close();
      d.cleanup();
    }
  });
});

describe("without a built dashboard", () => {
  it("answers / with a page that says how to build it, and keeps the JSON 404 elsewhere", async () => {
    const empty = tempDir("orrery-web-");
    const d = tempDir();
    for (const dashboardDir of [undefined, empty.path, join(empty.path, "missing")]) {
      const s = await startServer({ dataDir: d.path, port: 0, dashboardDir });
      try {
        const res = await fetch(s.url + "/");
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toContain("text/html");
        const text = await res.text();
        expect(text).toContain("not built");
        expect(text).toContain("npm run build");
        expect(text).toContain("/api/v1/openapi.json");
        expect((await api(s.url, "/p/x/y")).body).toMatchObject({ error: "not_found" });
      } finally {
        await s.close();
      }
    }
    d.cleanup();
    empty.cleanup();
  });
});
