// Owns the wire shapes of saved views: a named workspace state (the workspace URL's query string)
// with a markdown note, shared by link and listed per project. What the state means is the
// dashboard's (packages/web/src/state/workspace.ts); the server stores it as opaque text.
import { Type, type Static } from "@sinclair/typebox";
import { NAME_PATTERN, RUN_ID_PATTERN } from "../limits.js";

/** Characters of a view's name. */
export const MAX_VIEW_NAME_CHARS = 200;
/** Characters of a view's markdown note. */
export const MAX_VIEW_NOTE_CHARS = 100_000;
/** Characters of a view's state (the workspace URL's query string). */
export const MAX_VIEW_STATE_CHARS = 100_000;

const Name = Type.String({ minLength: 1, maxLength: MAX_VIEW_NAME_CHARS, description: "shown in the views list and the banner; not blank" });
const Note = Type.String({ maxLength: MAX_VIEW_NOTE_CHARS, description: "markdown; the dashboard renders it without raw HTML" });
const State = Type.String({
  maxLength: MAX_VIEW_STATE_CHARS,
  description:
    "the workspace URL's query string without the leading ? and without view= (filter=...&group=...&sel=...), " +
    "percent-encoded as a browser writes it; a leading ? and a view= parameter are dropped on save",
});

export const View = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    note: Type.String(),
    state: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    updatedAt: Type.String({ format: "date-time", description: "the last change to name, note or state" }),
  },
  { $id: "View" },
);
export type View = Static<typeof View>;

export const ViewList = Type.Object(
  { views: Type.Array(View, { description: "most recently updated first" }) },
  { $id: "ViewList" },
);
export type ViewList = Static<typeof ViewList>;

export const ViewCreate = Type.Object(
  { name: Name, note: Type.Optional(Note), state: Type.Optional(State) },
  { additionalProperties: false },
);
export type ViewCreate = Static<typeof ViewCreate>;

export const ViewPatch = Type.Object(
  { name: Type.Optional(Name), note: Type.Optional(Note), state: Type.Optional(State) },
  { additionalProperties: false, minProperties: 1, description: "the fields given replace the view's; at least one" },
);
export type ViewPatch = Static<typeof ViewPatch>;

export const ViewParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  viewId: Type.String({ pattern: RUN_ID_PATTERN }),
});
export type ViewParams = Static<typeof ViewParams>;

/**
 * Why `state` is not a workspace query string, or null when it is: it must be URL-encoded text
 * (no spaces, control characters or #), as URLSearchParams writes it.
 */
export function viewStateProblem(state: string): string | null {
  // eslint-disable-next-line no-control-regex
  const bad = /[\s\u0000-\u001f\u007f#]/.exec(state);
  if (bad) {
    const what = bad[0] === "#" ? "'#'" : bad[0] === " " ? "a space" : "a control character or line break";
    return `state holds ${what} at character ${bad.index + 1}: send the workspace URL's query string as the browser encodes it (filter=a%20b&group=c)`;
  }
  return null;
}

/** The state as stored: without a leading ? and without any view= parameter. */
export function normalizeViewState(state: string): string {
  const s = state.startsWith("?") ? state.slice(1) : state;
  if (!/(^|&)view(=|&|$)/.test(s)) return s;
  return s.split("&").filter((part) => part !== "view" && !part.startsWith("view=")).join("&");
}
