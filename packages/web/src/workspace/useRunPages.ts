// Owns the flat runs list as the table scrolls: the first page for the current query, further pages
// by cursor (one fetch in flight at a time), and live edits. A query the server refuses leaves the
// previous rows (and their query) in place, with the error beside them.
import { useCallback, useEffect, useReducer, useRef } from "react";
import { api, type ProjectRef, type RunRow } from "../api/client";
import { appendPage, indexRows, mergeFirstPage, mergeLive, replaceRows, type LiveMerge } from "./rows";

export interface RunsQueryKey { filter: string; search: string; sort: string; columns: string }

export const FIRST_PAGE = 500;
export const NEXT_PAGE = 1000;

export interface RunPagesState {
  rows: RunRow[];
  nextCursor: string | null;
  total: number | null;
  /** The query the rows answer (null before the first reply). */
  applied: RunsQueryKey | null;
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
}

const EMPTY: RunPagesState = { rows: [], nextCursor: null, total: null, applied: null, loading: true, loadingMore: false, error: null };

const aborted = (e: unknown) => e instanceof DOMException && e.name === "AbortError";
const sameQuery = (a: RunsQueryKey | null, b: RunsQueryKey) =>
  !!a && a.filter === b.filter && a.search === b.search && a.sort === b.sort && a.columns === b.columns;

export interface RunPages {
  state: RunPagesState;
  /** Fetch the next page unless one is already on its way or all are loaded. */
  loadMore(): void;
  /** Live rows merged in place; tells which runs need their column values or a first-page refetch. */
  applyLive(rows: RunRow[]): LiveMerge;
  /** Refetched rows (with column values) put back in place. */
  replace(rows: RunRow[]): void;
  /** Refetch the first page and put it on top of what is loaded (new runs). */
  refreshFirstPage(): void;
  /** Start over from the first page. */
  reload(): void;
}

export function useRunPages(project: ProjectRef, query: RunsQueryKey, enabled: boolean): RunPages {
  const st = useRef<RunPagesState>(EMPTY);
  const index = useRef<Map<string, number>>(new Map());
  const [, render] = useReducer((x: number) => x + 1, 0);
  const inFlight = useRef<AbortController | null>(null);
  const generation = useRef(0);
  const [reloads, reload] = useReducer((x: number) => x + 1, 0);

  const set = useCallback((patch: Partial<RunPagesState>) => {
    const rowsChanged = patch.rows !== undefined && patch.rows !== st.current.rows;
    st.current = { ...st.current, ...patch };
    if (rowsChanged) index.current = indexRows(st.current.rows);
    render();
  }, []);

  const { entity, project: name } = project;
  useEffect(() => {
    if (!enabled) return;
    const gen = ++generation.current;
    inFlight.current?.abort();
    const ac = new AbortController();
    inFlight.current = ac;
    set({ loading: true, loadingMore: false });
    api.runs({ entity, project: name }, { ...query, columns: query.columns || undefined, limit: FIRST_PAGE }, ac.signal).then(
      (page) => {
        if (gen !== generation.current) return;
        inFlight.current = null;
        set({ rows: page.runs as RunRow[], nextCursor: page.nextCursor, total: page.total, applied: query, loading: false, error: null });
      },
      (err: unknown) => {
        if (aborted(err) || gen !== generation.current) return;
        inFlight.current = null;
        set({ loading: false, error: err });
      },
    );
    return () => ac.abort();
    // query is spelled out so a new object with the same fields does not refetch
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [entity, name, query.filter, query.search, query.sort, query.columns, enabled, reloads, set]);

  const loadMore = useCallback(() => {
    const s = st.current;
    if (inFlight.current || !s.nextCursor || !s.applied) return;
    const gen = generation.current;
    const ac = new AbortController();
    inFlight.current = ac;
    const q = s.applied;
    set({ loadingMore: true });
    api.runs({ entity, project: name }, { ...q, columns: q.columns || undefined, limit: NEXT_PAGE, cursor: s.nextCursor }, ac.signal).then(
      (page) => {
        if (gen !== generation.current) return;
        inFlight.current = null;
        set({ rows: appendPage(st.current.rows, index.current, page.runs as RunRow[]), nextCursor: page.nextCursor, total: page.total ?? st.current.total, loadingMore: false });
      },
      (err: unknown) => {
        if (aborted(err) || gen !== generation.current) return;
        inFlight.current = null;
        set({ loadingMore: false, error: err });
      },
    );
  }, [entity, name, set]);

  const applyLive = useCallback((live: RunRow[]): LiveMerge => {
    const m = mergeLive(st.current.rows, index.current, live);
    // Positions do not move, so the index stays valid.
    if (m.rows !== st.current.rows) {
      st.current = { ...st.current, rows: m.rows };
      render();
    }
    return m;
  }, []);

  const replace = useCallback((fresh: RunRow[]) => {
    const rows = replaceRows(st.current.rows, index.current, fresh);
    if (rows !== st.current.rows) {
      st.current = { ...st.current, rows };
      render();
    }
  }, []);

  const refreshFirstPage = useCallback(() => {
    const s = st.current;
    const q = s.applied;
    if (!q || s.loading) return;
    const gen = generation.current;
    api.runs({ entity, project: name }, { ...q, columns: q.columns || undefined, limit: FIRST_PAGE }).then(
      (page) => {
        if (gen !== generation.current || !sameQuery(st.current.applied, q)) return;
        // With nothing loaded beyond the first page, its cursor is the one to continue from.
        const onlyFirst = st.current.rows.length <= FIRST_PAGE;
        set({
          rows: mergeFirstPage(st.current.rows, page.runs as RunRow[]),
          total: page.total ?? st.current.total,
          nextCursor: onlyFirst ? page.nextCursor : st.current.nextCursor,
        });
      },
      () => { /* a missed refresh is caught by the next event */ },
    );
  }, [entity, name, set]);

  return { state: st.current, loadMore, applyLive, replace, refreshFirstPage, reload };
}
