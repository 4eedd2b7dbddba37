// Owns turning a media URL from the API into something an <img> or a decoder can load. Without an
// API key the URL is used as is (the browser caches it); with one, an <img> cannot send the key, so
// the bytes are fetched through the API client and handed over as an object URL.
import { useEffect, useState } from "react";
import { api, apiKey } from "../api/client";

export type MediaSrc = { src: string | null; error: unknown };

export function useMediaSrc(url: string): MediaSrc {
  const direct = !apiKey();
  const [state, setState] = useState<MediaSrc>({ src: direct ? url : null, error: null });
  useEffect(() => {
    if (direct) {
      setState({ src: url, error: null });
      return;
    }
    const ctl = new AbortController();
    let made: string | null = null;
    api.mediaFileBlob(url, ctl.signal).then(
      (blob) => {
        made = URL.createObjectURL(blob);
        setState({ src: made, error: null });
      },
      (error: unknown) => !ctl.signal.aborted && setState({ src: null, error }),
    );
    return () => {
      ctl.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, direct]);
  return state;
}
