// Owns the one loading pattern the run and compare pages use per section: a promise becomes
// loading / error / data, a stale reply (deps changed meanwhile) is dropped, and reload() retries.
import { useCallback, useEffect, useState } from "react";

export type Load<T> = { status: "loading" } | { status: "error"; error: unknown } | { status: "ok"; data: T };

/** The state, reload(), and update(fn) which changes loaded data in place (ignored until loaded). */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void, (fn: (data: T) => T) => void] {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => (s.status === "ok" && attempt > 0 ? s : { status: "loading" }));
    fn().then(
      (data) => live && setState({ status: "ok", data }),
      (error: unknown) => live && setState({ status: "error", error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const update = useCallback((change: (data: T) => T) => setState((s) => (s.status === "ok" ? { status: "ok", data: change(s.data) } : s)), []);
  return [state, reload, update];
}
