// Owns mask colouring: a decoded class-id mask (RGBA from a canvas, the id in the red channel of a
// grayscale PNG) becomes an RGBA overlay with each visible class in its colour and everything else
// transparent. Opacity is applied by CSS on the canvas, so changing it does not recolour.
import { maskRgb } from "./classes";

/** The class ids found in a decoded mask (red channel). */
export function classesIn(rgba: Uint8ClampedArray | Uint8Array): Set<number> {
  const seen = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) seen.add(rgba[i]!);
  return seen;
}

/** An overlay for `rgba`: visible classes in their colours at full alpha, the rest transparent. */
export function recolourMask(rgba: Uint8ClampedArray | Uint8Array, visible: ReadonlySet<number>): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(rgba.length);
  // One lookup table for the 256 possible ids keeps this a single pass over the pixels.
  const lut: (readonly [number, number, number] | null)[] = Array.from({ length: 256 }, (_, id) => (visible.has(id) ? maskRgb(id) : null));
  for (let i = 0; i < rgba.length; i += 4) {
    const c = lut[rgba[i]!];
    if (!c) continue;
    out[i] = c[0];
    out[i + 1] = c[1];
    out[i + 2] = c[2];
    out[i + 3] = 255;
  }
  return out;
}
