// Owns loading a server page that must not blink: while the next page (or a refused filter) is on its
// way the last good page stays on screen, a stale reply is aborted and dropped, and the error of the
// latest request is kept apart so the caller can show it beside the rows it still has.
import { useEffect, useState } from "react";

export interface KeptPage<T> { data: T | null; error: unknown; loading: boolean }

export function useKeptPage<T>(fetchPage: (signal: AbortSignal) => Promise<T>, key: string): KeptPage<T> {
  const [state, setState] = useState<KeptPage<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fetchPage(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, error: null, loading: false }),
      (error: unknown) => !ctl.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ctl.abort();
    // The key names everything the request depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
