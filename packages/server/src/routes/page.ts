// Owns the plain browser page served at `/` until the full dashboard arrives: it lists projects
// and their runs by calling the public API from the browser, nothing more.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orrery</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2330}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin-top:.5rem}td,th{padding:.25rem .6rem;border-bottom:1px solid #e3e6ee;text-align:left}
th{font-weight:600;background:#f5f6fa}.state-running{color:#1a7f37}.state-failed,.state-crashed{color:#c62828}
.muted{color:#6b7280}code{font-size:12px}#error{color:#c62828}
</style></head>
<body>
<h1>Orrery</h1>
<p class="muted">Projects and runs on this server. The API is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<p id="error"></p>
<div id="key" hidden><label>API key <input id="keyInput" type="password" size="48"></label> <button id="keySave">Use key</button></div>
<div id="projects"></div>
<script type="module">
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
async function api(path) {
  const key = localStorage.getItem("orrery.key");
  const res = await fetch(path, { headers: key ? { authorization: "Bearer " + key } : {} });
  if (res.status === 401) { $("#key").hidden = false; throw new Error("This server needs an API key."); }
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
}
function fmt(v) {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}
async function load() {
  const { projects } = await api("/api/v1/projects");
  const root = $("#projects");
  if (projects.length === 0) { root.innerHTML = "<p>No projects yet. Log a run with the SDK or run <code>orrery demo</code>.</p>"; return; }
  root.innerHTML = "";
  for (const p of projects) {
    const base = "/api/v1/projects/" + encodeURIComponent(p.entity) + "/" + encodeURIComponent(p.name);
    const { runs, total } = await api(base + "/runs?limit=500");
    const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.summary).filter((k) => typeof r.summary[k] === "number")))].sort().slice(0, 8);
    const section = document.createElement("section");
    section.className = "project";
    section.innerHTML = "<h2>" + esc(p.entity) + "/" + esc(p.name) + " <span class=muted>(" + total + " runs)</span></h2>" +
      "<table><thead><tr><th>name</th><th>id</th><th>state</th><th>created</th><th>runtime (s)</th><th>tags</th>" +
      metrics.map((m) => "<th>" + esc(m) + "</th>").join("") + "</tr></thead><tbody>" +
      runs.map((r) => "<tr class=run data-run-id='" + esc(r.id) + "'><td>" + esc(r.name) + "</td><td><code>" + esc(r.id) + "</code></td>" +
        "<td class='state-" + esc(r.state) + "'>" + esc(r.state) + "</td><td>" + esc(new Date(r.createdAt).toLocaleString()) + "</td>" +
        "<td>" + r.runtime.toFixed(1) + "</td><td>" + esc(r.tags.join(", ")) + "</td>" +
        metrics.map((m) => "<td>" + esc(fmt(r.summary[m])) + "</td>").join("") + "</tr>").join("") +
      "</tbody></table>";
    root.appendChild(section);
  }
}
$("#keySave").onclick = () => { localStorage.setItem("orrery.key", $("#keyInput").value); location.reload(); };
load().catch((e) => { $("#error").textContent = e.message; });
</script>
</body></html>`;

export const pageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/", { schema: { hide: true } }, async (_req, reply) => reply.type("text/html; charset=utf-8").send(PAGE));
};
