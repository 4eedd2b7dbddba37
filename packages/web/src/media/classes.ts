// Owns class names and colours for media overlays: a class id's label (from the image's or the
// mask's class map, else "class <id>"), one colour per box class id and one per mask class id, each
// the same on every image, step and run of the page (and on the toggles), and the classes a step uses.
import type { ClassLabels, MediaImage } from "./wire";

// Distinct, saturated colours that read over photos; ordered so small ids (the usual 0..5) differ most.
const PALETTE: readonly (readonly [number, number, number])[] = [
  [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240],
  [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [170, 110, 40], [128, 0, 0],
  [170, 255, 195], [128, 128, 0], [0, 0, 128], [255, 225, 25],
];

// Masks paint areas, so they get their own softer palette (Cityscapes-like): a mask's class 1 must
// not look like a box's class 1, which usually means something else.
const MASK_PALETTE: readonly (readonly [number, number, number])[] = [
  [128, 64, 128], [244, 35, 232], [107, 142, 35], [250, 170, 30], [70, 130, 180], [220, 220, 0],
  [102, 102, 156], [190, 153, 153], [152, 251, 152], [0, 0, 142], [220, 20, 60], [70, 70, 70],
];

export interface MediaClass { id: number; label: string; color: string }

const pick = <T>(palette: readonly T[], id: number): T => palette[((Math.trunc(id) % palette.length) + palette.length) % palette.length]!;
const hex = (rgb: readonly number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;

/** A box class's colour as RGB bytes ... */
export function classRgb(id: number): readonly [number, number, number] {
  return pick(PALETTE, id);
}

/** ... and as a CSS hex string (boxes, their tags and toggles). */
export function classColor(id: number): string {
  return hex(classRgb(id));
}

/** A mask class's colour as RGB bytes (the canvas) ... */
export function maskRgb(id: number): readonly [number, number, number] {
  return pick(MASK_PALETTE, id);
}

/** ... and as a CSS hex string (the mask toggles' swatches). */
export function maskColor(id: number): string {
  return hex(maskRgb(id));
}

/** The label of a class id in the first map that names it, else "class <id>". */
export function classLabel(id: number, ...maps: (ClassLabels | null | undefined)[]): string {
  for (const m of maps) {
    const label = m?.[String(id)];
    if (typeof label === "string" && label !== "") return label;
  }
  return `class ${id}`;
}

const byId = (a: MediaClass, b: MediaClass) => a.id - b.id;

/** The box classes of a step: every class a box uses, labelled from its image's class map, by id. */
export function boxClasses(images: readonly MediaImage[]): MediaClass[] {
  const out = new Map<number, MediaClass>();
  for (const img of images) {
    for (const b of img.boxes ?? []) {
      if (!out.has(b.class)) out.set(b.class, { id: b.class, label: classLabel(b.class, img.classes), color: classColor(b.class) });
    }
  }
  return [...out.values()].sort(byId);
}

/**
 * The classes a mask can show: those its own map (or else the image's) names. A mask logged with no
 * labels anywhere falls back to the ids found in its pixels (`present`), 0 excluded as background.
 */
export function maskClasses(maskMap: ClassLabels | null | undefined, imageMap: ClassLabels | null | undefined, present: Iterable<number> = []): MediaClass[] {
  const named = maskMap && Object.keys(maskMap).length > 0 ? maskMap : imageMap && Object.keys(imageMap).length > 0 ? imageMap : null;
  const ids = named
    ? Object.keys(named).map(Number).filter((n) => Number.isInteger(n))
    : [...new Set(present)].filter((n) => n !== 0);
  return ids.map((id) => ({ id, label: classLabel(id, maskMap, imageMap), color: maskColor(id) })).sort(byId);
}

export interface MaskGroup { name: string; classes: MediaClass[] }

/**
 * The masks of a step grouped by name (one set of toggles per name, for every image of the step),
 * each with the union of its classes; `present` holds the ids decoded from unlabelled masks.
 */
export function maskGroups(images: readonly MediaImage[], present: ReadonlyMap<string, ReadonlySet<number>> = new Map()): MaskGroup[] {
  const groups = new Map<string, Map<number, MediaClass>>();
  for (const img of images) {
    for (const m of img.masks ?? []) {
      const into = groups.get(m.name) ?? new Map<number, MediaClass>();
      groups.set(m.name, into);
      for (const c of maskClasses(m.classes, img.classes, present.get(m.name) ?? [])) if (!into.has(c.id)) into.set(c.id, c);
    }
  }
  return [...groups].map(([name, classes]) => ({ name, classes: [...classes.values()].sort(byId) }));
}
