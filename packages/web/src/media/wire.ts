// Owns the dashboard's names for the media wire shapes: the protocol's schemas (the image keys a
// run logged, one key's images at one step with their boxes and masks), re-exported so the media
// components import them from one place, plus the element types they pass around.
import type { MediaImage, MediaKeys } from "@orrery/protocol";

export type { ImageBox as MediaBox, MediaImage, MediaKeys, MediaStep } from "@orrery/protocol";
export type MediaKey = MediaKeys["keys"][number];
export type MediaMask = MediaImage["masks"][number];
/** `{ "<class id>": "<label>" }`, as logged. */
export type ClassLabels = Record<string, string>;
