// Owns how config and summary values become rows of the runs index (pure, no I/O): flattening a
// JSON value into leaves, the path encoding of index_keys.key, and the typed (t, v) pair each leaf
// is stored as, with its way back to JSON.
import { isObject, setOwn, type JsonObject } from "./json.js";
import { encodeForJson } from "./float.js";

/** Separates path segments in index_keys.key: sorts below every printable character, so a key's subtree is one range. */
export const SEP = "\u0001";
/** The character after SEP: `${path}${SEP}` <= key < `${path}${AFTER}` is the subtree of path. */
export const AFTER = "\u0002";

export const CONFIG = 0;
export const SUMMARY = 1;
export type Kind = typeof CONFIG | typeof SUMMARY;

/**
 * Value types (run_values.t). Sorting orders by type first, so the order of the codes is the order of
 * a mixed-type column: numbers, then text, then booleans. Types above SORTABLE_MAX are not sorted
 * by: a run holding one sorts with the runs that miss the key.
 */
export const T_NUMBER = 1;
export const T_STRING = 2;
export const T_BOOL = 3;
export const T_ARRAY = 4;
export const T_OBJECT = 5;
export const T_NULL = 6;
export const T_NAN = 7;
export const SORTABLE_MAX = T_BOOL;
export type ValueType = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The type names the API shows (NaN counts as a number). */
export const TYPE_NAMES: readonly string[] = ["", "number", "string", "boolean", "array", "object", "null", "number"];

export interface Leaf { key: string; t: ValueType; v: number | string | null }

/** The (t, v) a leaf is stored as. The wire strings "NaN", "Infinity", "-Infinity" are numbers. */
export function encodeLeaf(value: unknown): [ValueType, number | string | null] {
  switch (typeof value) {
    case "number": return value !== value ? [T_NAN, null] : [T_NUMBER, value];
    case "string":
      if (value === "NaN") return [T_NAN, null];
      if (value === "Infinity") return [T_NUMBER, Infinity];
      if (value === "-Infinity") return [T_NUMBER, -Infinity];
      return [T_STRING, value];
    case "boolean": return [T_BOOL, value ? 1 : 0];
  }
  if (value === null || value === undefined) return [T_NULL, null];
  if (Array.isArray(value)) return [T_ARRAY, JSON.stringify(value)];
  return [T_OBJECT, null]; // only an empty object is a leaf
}

/** The JSON value of a stored leaf (non-finite numbers as their wire strings). */
export function decodeLeaf(t: number, v: unknown): unknown {
  switch (t) {
    case T_NUMBER: return encodeForJson(v as number);
    case T_STRING: return v;
    case T_BOOL: return v === 1;
    case T_ARRAY: return JSON.parse(v as string) as unknown;
    case T_OBJECT: return {};
    case T_NAN: return "NaN";
    default: return null;
  }
}

/** Appends the leaves of `value` stored under `key` (a non-empty object is not a leaf: its children are). */
export function flatten(value: unknown, key: string, out: Leaf[]): void {
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0) {
      for (const k of keys) flatten(value[k], key + SEP + k, out);
      return;
    }
  }
  const [t, v] = encodeLeaf(value);
  out.push({ key, t, v });
}

export function pathOf(key: string): string[] {
  return key.split(SEP);
}

/**
 * Sets `value` at `path` inside `root`, creating objects on the way; a non-object met on the way is
 * replaced (paths are unique, so this happens only with keys that themselves hold U+0001).
 */
export function setPath(root: JsonObject, path: readonly string[], value: unknown): void {
  let o = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    let next = Object.hasOwn(o, seg) ? o[seg] : undefined;
    if (!isObject(next)) {
      next = {};
      setOwn(o, seg, next);
    }
    o = next as JsonObject;
  }
  const last = path[path.length - 1]!;
  // An empty-object leaf must not erase children that were set first.
  if (isObject(value) && Object.hasOwn(o, last) && isObject(o[last])) return;
  setOwn(o, last, value);
}
