// Owns the workspace's live-update stream: one SSE subscription per project, handing `runs` events
// to the views, and batching the refetch of rows whose column values went stale so a busy project
// costs at most one rowsById request per batch window.
import { useEffect, useRef } from "react";
import { api, subscribeProject, type ProjectRef, type RunRow } from "../api/client";

/** Batch window for refetching stale rows: well inside the 2 s a changed cell may take. */
const STALE_BATCH_MS = 250;
const MAX_IDS_PER_REQUEST = 200;

export interface LiveHandlers {
  /** Merges live rows; returns ids whose column values need a refetch. */
  runs(rows: RunRow[]): string[];
  /** Fresh rows (with column values) for ids runs() returned. */
  fresh(rows: RunRow[]): void;
  /** Reload everything. */
  project(): void;
}

export function useLiveRuns(project: ProjectRef, columns: string, handlers: LiveHandlers): void {
  const h = useRef(handlers);
  h.current = handlers;
  const cols = useRef(columns);
  cols.current = columns;
  const { entity, project: name } = project;

  useEffect(() => {
    const p = { entity, project: name };
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const flush = () => {
      timer = null;
      const ids = [...pending];
      pending.clear();
      const columnsNow = cols.current;
      if (!columnsNow) return;
      for (let i = 0; i < ids.length; i += MAX_IDS_PER_REQUEST) {
        api.rowsById(p, ids.slice(i, i + MAX_IDS_PER_REQUEST), columnsNow).then(
          (page) => { if (!closed && cols.current === columnsNow) h.current.fresh(page.runs as RunRow[]); },
          () => { /* the next event retries */ },
        );
      }
    };
    const close = subscribeProject(p, {
      runs(rows) {
        const stale = h.current.runs(rows);
        if (!cols.current) return;
        for (const id of stale) pending.add(id);
        if (pending.size && !timer) timer = setTimeout(flush, STALE_BATCH_MS);
      },
      project() {
        h.current.project();
      },
    });
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      close();
    };
  }, [entity, name]);
}
