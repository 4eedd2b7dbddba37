// Owns the projects page (/): every project with its run count and last activity, a search box over
// entity/name, and first-run help when the server has no projects yet.
import { useEffect, useState } from "react";
import { api, type Project } from "../api/client";
import { linkProps, paths, useSearchParams } from "../state/router";
import { ErrorBox, FirstRunHelp, Loading, PageFrame } from "../ui/common";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";

/** Re-renders every `ms` so relative times ("3 minutes ago") stay true while the page is open. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function ProjectsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const [load, reload] = useLoad(() => api.projects(), []);
  const now = useNow(30_000);

  return (
    <PageFrame crumbs={[{ label: "projects" }]}>
      <div className="toolbar">
        <input
          data-testid="project-search" type="search" placeholder="Search projects (entity/name)" aria-label="Search projects"
          value={search} onChange={(e) => setParams({ q: e.target.value })} size={36} autoFocus
        />
        {load.status === "ok" ? <span className="muted">{load.data.projects.length} {load.data.projects.length === 1 ? "project" : "projects"}</span> : null}
      </div>
      {load.status === "loading" ? <Loading what="projects" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="projects" retry={reload} /> : null}
      {load.status === "ok" ? <ProjectList projects={load.data.projects} search={search} now={now} /> : null}
    </PageFrame>
  );
}

function ProjectList({ projects, search, now }: { projects: Project[]; search: string; now: number }) {
  if (projects.length === 0) return <FirstRunHelp />;
  const q = search.trim().toLowerCase();
  const shown = projects
    .filter((p) => !q || `${p.entity}/${p.name}`.toLowerCase().includes(q))
    .sort((a, b) => (b.lastActivity ?? b.createdAt).localeCompare(a.lastActivity ?? a.createdAt));
  if (shown.length === 0) return <div className="empty">No project matches “{search}”. Clear the search to see all {projects.length}.</div>;
  return (
    <table className="kv projects-table">
      <thead>
        <tr><th>Project</th><th className="num">Runs</th><th>Last activity</th></tr>
      </thead>
      <tbody>
        {shown.map((p) => {
          const last = p.lastActivity ?? p.createdAt;
          return (
            <tr key={`${p.entity}/${p.name}`} data-testid="project-row" data-project={`${p.entity}/${p.name}`}>
              <td>
                <a {...linkProps(paths.workspace(p.entity, p.name))}>
                  <span className="muted">{p.entity}/</span><strong>{p.name}</strong>
                </a>
              </td>
              <td className="num" data-testid="run-count">{p.runCount.toLocaleString("en")}</td>
              <td title={fullTime(last)}>{relativeTime(last, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
