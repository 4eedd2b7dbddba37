// Owns the grouped view's data: the group rows (count and means of the numeric columns) for the
// current group-by fields (one or several: a group per combination of values), and the runs of
// each expanded group, fetched with that group's conditions ANDed into the filter. Live edits go to the expanded groups' runs.
import { useCallback, useEffect, useReducer, useRef } from "react";
import { api, type ProjectRef, type RunGroup, type RunRow } from "../api/client";
import { andFilter, groupCondition } from "./filterText";
import { indexRows, mergeLive, replaceRows } from "./rows";

export const GROUP_PAGE = 500;

export interface GroupRuns { rows: RunRow[]; nextCursor: string | null; loading: boolean; error: unknown }

export interface GroupsState {
  groups: RunGroup[];
  moreGroups: boolean;
  loading: boolean;
  error: unknown;
  /** Runs of expanded groups, by groupId. */
  expanded: Map<string, GroupRuns>;
}

export interface GroupsQuery { by: readonly string[]; filter: string; search: string; sort: string; columns: string; aggregate: string }

/** A stable id for a group's values (the label can collide: the text "1" and the number 1). */
export function groupId(g: RunGroup, by: readonly string[]): string {
  return JSON.stringify(by.map((b) => g.key[b] ?? null));
}

/** The filter condition that selects one group's runs: each key's condition, ANDed. */
export function groupFilter(g: RunGroup, by: readonly string[]): string {
  return by.reduce((f, b) => andFilter(f, groupCondition(b, g.key[b] ?? null)), "");
}

export interface Groups {
  state: GroupsState;
  toggle(g: RunGroup): void;
  loadMore(g: RunGroup): void;
  /** Live rows merged into expanded groups; returns ids in the event that no expanded group holds. */
  applyLive(rows: RunRow[]): { unknown: string[]; stale: string[] };
  replace(rows: RunRow[]): void;
  /** Refetch the group rows and the expanded groups' first pages (counts and means changed). */
  refresh(): void;
}

const aborted = (e: unknown) => e instanceof DOMException && e.name === "AbortError";

export function useGroups(project: ProjectRef, q: GroupsQuery, enabled: boolean): Groups {
  const st = useRef<GroupsState>({ groups: [], moreGroups: false, loading: true, error: null, expanded: new Map() });
  const [, render] = useReducer((x: number) => x + 1, 0);
  const generation = useRef(0);
  const [refreshes, refresh] = useReducer((x: number) => x + 1, 0);
  const { entity, project: name } = project;
  const qRef = useRef(q);
  qRef.current = q;

  const set = useCallback((patch: Partial<GroupsState>) => {
    st.current = { ...st.current, ...patch };
    render();
  }, []);

  const fetchGroupRuns = useCallback((g: RunGroup, id: string, cursor: string | null) => {
    const gen = generation.current;
    const cur = qRef.current;
    const prev = st.current.expanded.get(id);
    const expanded = new Map(st.current.expanded);
    expanded.set(id, { rows: prev?.rows ?? [], nextCursor: prev?.nextCursor ?? null, loading: true, error: null });
    set({ expanded });
    api.runs({ entity, project: name }, {
      filter: andFilter(cur.filter, groupFilter(g, cur.by)), search: cur.search, sort: cur.sort,
      columns: cur.columns || undefined, limit: GROUP_PAGE, cursor,
    }).then(
      (page) => {
        if (gen !== generation.current || !st.current.expanded.has(id)) return;
        const old = st.current.expanded.get(id)!;
        const rows = cursor ? [...old.rows, ...(page.runs as RunRow[])] : (page.runs as RunRow[]);
        const next = new Map(st.current.expanded);
        next.set(id, { rows, nextCursor: page.nextCursor, loading: false, error: null });
        set({ expanded: next });
      },
      (err: unknown) => {
        if (gen !== generation.current || !st.current.expanded.has(id)) return;
        const next = new Map(st.current.expanded);
        next.set(id, { ...st.current.expanded.get(id)!, loading: false, error: err });
        set({ expanded: next });
      },
    );
  }, [entity, name, set]);

  // A new grouping, filter or column set starts over (expanded groups collapse when the fields change).
  // The fields as one string: the caller's array is new on every render.
  // JSON, not a comma join: a backtick-quoted key may itself hold a comma.
  const byKey = JSON.stringify(q.by);
  const lastBy = useRef(byKey);
  useEffect(() => {
    if (!enabled) return;
    const gen = ++generation.current;
    const ac = new AbortController();
    const by = JSON.parse(byKey) as string[];
    if (lastBy.current !== byKey) {
      lastBy.current = byKey;
      st.current = { ...st.current, expanded: new Map(), groups: [] };
    }
    set({ loading: true });
    api.groups({ entity, project: name }, { by: by.join(","), filter: q.filter, search: q.search, aggregate: q.aggregate || undefined, limit: 1000 }, ac.signal).then(
      (page) => {
        if (gen !== generation.current) return;
        set({ groups: page.groups, moreGroups: page.nextCursor !== null, loading: false, error: null });
        const ids = new Set(page.groups.map((g) => groupId(g, by)));
        const expanded = new Map([...st.current.expanded].filter(([id]) => ids.has(id)));
        if (expanded.size !== st.current.expanded.size) set({ expanded });
        for (const g of page.groups) {
          const id = groupId(g, by);
          if (expanded.has(id)) fetchGroupRuns(g, id, null);
        }
      },
      (err: unknown) => {
        if (aborted(err) || gen !== generation.current) return;
        set({ loading: false, error: err });
      },
    );
    return () => ac.abort();
  }, [entity, name, byKey, q.filter, q.search, q.sort, q.columns, q.aggregate, enabled, refreshes, set, fetchGroupRuns]);

  const toggle = useCallback((g: RunGroup) => {
    const id = groupId(g, qRef.current.by);
    if (st.current.expanded.has(id)) {
      const expanded = new Map(st.current.expanded);
      expanded.delete(id);
      set({ expanded });
    } else {
      fetchGroupRuns(g, id, null);
    }
  }, [fetchGroupRuns, set]);

  const loadMore = useCallback((g: RunGroup) => {
    const id = groupId(g, qRef.current.by);
    const e = st.current.expanded.get(id);
    if (!e || e.loading || !e.nextCursor) return;
    fetchGroupRuns(g, id, e.nextCursor);
  }, [fetchGroupRuns]);

  const applyLive = useCallback((live: RunRow[]) => {
    const known = new Set<string>();
    const stale: string[] = [];
    let expanded: Map<string, GroupRuns> | null = null;
    for (const [id, e] of st.current.expanded) {
      const m = mergeLive(e.rows, indexRows(e.rows), live);
      for (const r of e.rows) known.add(r.id);
      stale.push(...m.stale);
      if (m.rows !== e.rows) {
        expanded ??= new Map(st.current.expanded);
        expanded.set(id, { ...e, rows: m.rows });
      }
    }
    if (expanded) set({ expanded });
    return { unknown: live.map((r) => r.id).filter((id) => !known.has(id)), stale };
  }, [set]);

  const replace = useCallback((fresh: RunRow[]) => {
    let expanded: Map<string, GroupRuns> | null = null;
    for (const [id, e] of st.current.expanded) {
      const rows = replaceRows(e.rows, indexRows(e.rows), fresh);
      if (rows !== e.rows) {
        expanded ??= new Map(st.current.expanded);
        expanded.set(id, { ...e, rows });
      }
    }
    if (expanded) set({ expanded });
  }, [set]);

  return { state: st.current, toggle, loadMore, applyLive, replace, refresh };
}
