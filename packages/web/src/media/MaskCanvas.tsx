// Owns one segmentation mask overlay: the mask PNG is fetched and decoded once (no colour-space
// conversion, so a pixel's red value is its class id), then recoloured into a canvas whenever the
// visible classes change. The canvas has the mask's own size and is stretched over the displayed
// image with crisp pixels; opacity is CSS. It reports the class ids it found, for unlabelled masks.
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { classesIn, recolourMask } from "./masks";
import type { Size } from "./boxes";

export interface MaskCanvasProps {
  name: string;
  url: string;
  /** The mask's (and image's) size in pixels. */
  natural: Size;
  shown: Size;
  visible: ReadonlySet<number>;
  opacity: number;
  onClasses?(name: string, ids: number[]): void;
}

export function MaskCanvas({ name, url, natural, shown, visible, opacity, onClasses }: MaskCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [source, setSource] = useState<ImageData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const report = useRef(onClasses);
  report.current = onClasses;

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    api.mediaFileBlob(url, ctl.signal)
      .then((blob) => createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" }))
      .then((bitmap) => {
        if (ctl.signal.aborted) return;
        const off = document.createElement("canvas");
        off.width = natural.width;
        off.height = natural.height;
        const ctx = off.getContext("2d", { willReadFrequently: true })!;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(bitmap, 0, 0, natural.width, natural.height);
        bitmap.close();
        const data = ctx.getImageData(0, 0, natural.width, natural.height);
        setSource(data);
        report.current?.(name, [...classesIn(data.data)].sort((a, b) => a - b));
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      });
    return () => ctl.abort();
  }, [url, name, natural.width, natural.height]);

  // Draw when the decoded mask or the visible set changes (the set's contents, not its identity).
  const visibleKey = [...visible].sort((a, b) => a - b).join(",");
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !source) return;
    const ctx = canvas.getContext("2d")!;
    const ids = new Set(visibleKey === "" ? [] : visibleKey.split(",").map(Number));
    ctx.putImageData(new ImageData(recolourMask(source.data, ids), source.width, source.height), 0, 0);
    canvas.dataset.drawn = visibleKey;
  }, [source, visibleKey]);

  return (
    <canvas
      ref={canvasRef}
      className="media-mask"
      data-testid="media-mask"
      data-name={name}
      data-loading={source ? undefined : "true"}
      title={error ? `mask ${name}: ${error}` : `mask ${name}`}
      width={natural.width}
      height={natural.height}
      style={{ width: shown.width, height: shown.height, opacity }}
    />
  );
}
