// Owns the run's console output: the last lines (never the whole log), following new lines while
// the run is running, with search that highlights or filters, and stdout/stderr styling.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import type { ConsoleLine } from "@orrery/protocol";
import { ErrorBox, Loading } from "../ui/common";
import { appendLines, splitMatches } from "./console";

const TAIL = 1000;
const POLL_MS = 1_500;

export function ConsoleView({ project, runId, running, lastSeq }: { project: ProjectRef; runId: string; running: boolean; lastSeq: number }) {
  const [lines, setLines] = useState<ConsoleLine[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState(false);
  const held = useRef<ConsoleLine[]>([]);
  const busy = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const fetchLines = (after: number, limit: number) => api.console(project, runId, after, limit).then((r) => r.lines);
  const fetchTail = () => api.consoleTail(project, runId, TAIL).then((r) => r.lines);

  // Polls for new lines; a reply that fills a whole page means we fell far behind, so jump to the tail.
  const poll = async (live: () => boolean) => {
    if (busy.current) return;
    busy.current = true;
    try {
      const last = held.current.length ? held.current[held.current.length - 1]!.n : 0;
      const next = await fetchLines(last, TAIL);
      const merged = next.length >= TAIL ? await fetchTail() : appendLines(held.current, next, TAIL);
      if (!live()) return;
      held.current = merged;
      setLines(merged);
      setError(null);
    } catch (e) {
      if (live()) setError(e);
    } finally {
      busy.current = false;
    }
  };

  useEffect(() => {
    let live = true;
    held.current = [];
    fetchTail().then(
      (tail) => {
        if (!live) return;
        held.current = tail;
        setLines(tail);
        setError(null);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project.entity, project.project, runId, attempt]);

  useEffect(() => {
    if (!running) return;
    let live = true;
    const t = setInterval(() => void poll(() => live), POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running, runId]);

  // The live event stream says the run wrote records (maybe console lines): fetch now rather than
  // at the next tick; and once more when the run ends, for its last lines.
  useEffect(() => {
    if (lines === null) return;
    let live = true;
    void poll(() => live);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lastSeq, running]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines, filter, search]);

  const q = search.trim();
  const shown = lines && q && filter ? lines.filter((l) => l.text.toLowerCase().includes(q.toLowerCase())) : lines;
  return (
    <div className="console-section" data-testid="console">
      <div className="toolbar">
        <input data-testid="console-search" type="search" placeholder="Search output" aria-label="Search console output" value={search} onChange={(e) => setSearch(e.target.value)} size={28} />
        <label><input type="checkbox" checked={filter} onChange={(e) => setFilter(e.target.checked)} data-testid="console-filter" /> only matching lines</label>
        {lines ? <span className="muted">{q ? `${lines.filter((l) => l.text.toLowerCase().includes(q.toLowerCase())).length} matching · ` : ""}last {lines.length.toLocaleString("en")} lines{running ? " · following" : ""}</span> : null}
      </div>
      {error ? <ErrorBox error={error} what="console output" retry={() => setAttempt((a) => a + 1)} /> : null}
      {lines === null && !error ? <Loading what="console output" /> : null}
      {lines?.length === 0 ? <div className="muted">No console output was captured{running ? " yet" : ""}.</div> : null}
      {shown && lines?.length ? (
        <div
          className="console" ref={box}
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {shown.map((l) => (
            <div key={l.n} data-testid="console-line" data-n={l.n} data-stream={l.stream} className={`console-line ${l.stream}`}>
              <span className="ln">{l.n}</span>
              <span className="text">{q ? splitMatches(l.text, q).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text)) : l.text}</span>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
