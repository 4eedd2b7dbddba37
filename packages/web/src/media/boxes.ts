// Owns box geometry and filtering: which boxes pass the class toggles and the score threshold, how
// big an image is drawn (small logged images are scaled up so boxes are legible), a box's rectangle
// in displayed pixels (clipped to the image), and where its "label score" tag goes.
import type { MediaBox } from "./wire";

export interface Size { width: number; height: number }
export interface Rect { x: number; y: number; w: number; h: number }

/**
 * Boxes whose class is not hidden and whose score reaches `minScore`. A box logged without a score
 * is a ground-truth box, so the threshold never hides it.
 */
export function filterBoxes(boxes: readonly MediaBox[], hidden: ReadonlySet<number>, minScore: number): MediaBox[] {
  return boxes.filter((b) => !hidden.has(b.class) && (typeof b.score !== "number" || b.score >= minScore));
}

/**
 * The size an image is drawn at: its own, scaled (keeping the aspect ratio) so the longer side lies
 * within [minSide, maxSide]. Pixel art stays sharp (CSS pixelated), so scaling small images up is cheap.
 */
export function displaySize(natural: Size, minSide = 320, maxSide = 480): Size {
  const w = Math.max(1, natural.width);
  const h = Math.max(1, natural.height);
  const long = Math.max(w, h);
  const k = long < minSide ? minSide / long : long > maxSide ? maxSide / long : 1;
  return { width: Math.round(w * k), height: Math.round(h * k) };
}

/** A box in the image's pixels, in the displayed image's pixels, clipped to the image; null when wholly outside. */
export function scaleBox(box: Pick<MediaBox, "x" | "y" | "w" | "h">, natural: Size, shown: Size): Rect | null {
  const kx = shown.width / Math.max(1, natural.width);
  const ky = shown.height / Math.max(1, natural.height);
  const x0 = Math.max(0, box.x), y0 = Math.max(0, box.y);
  const x1 = Math.min(natural.width, box.x + box.w), y1 = Math.min(natural.height, box.y + box.h);
  if (!(x1 > x0 && y1 > y0)) return null;
  return { x: x0 * kx, y: y0 * ky, w: (x1 - x0) * kx, h: (y1 - y0) * ky };
}

/** The tag text: "car 0.91", or the label alone when the box has no score. */
export function boxTag(label: string, score: number | null | undefined): string {
  return typeof score === "number" ? `${label} ${score.toFixed(2)}` : label;
}

/** The tag's top-left: above the box (inside its top edge when there is no room above), kept inside the image's width. */
export function tagPosition(rect: Rect, tag: Size, image: Size): { x: number; y: number } {
  return {
    x: Math.max(0, Math.min(rect.x, image.width - tag.width)),
    y: rect.y >= tag.height ? rect.y - tag.height : rect.y,
  };
}
