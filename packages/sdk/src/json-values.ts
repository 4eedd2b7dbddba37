// Owns the conversion of config and summary values into JSON the server accepts. Unlike log()
// values these may be any JSON (text, booleans, lists, nested objects). The conversions are the
// documented ones of JSON.stringify plus one: NaN and ±Infinity become the strings "NaN",
// "Infinity", "-Infinity" (the protocol's metric encoding) instead of JSON.stringify's null.
// Anything JSON cannot carry (bigint, functions, symbols, cycles) is refused, never guessed.
import { encodeMetric, LIMITS } from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 64;

/** Converts `value` to plain JSON; `what` names the call for error messages (e.g. "config"). */
export function toJsonObject(value: unknown, what: string): JsonObject {
  if (!isPlainObject(value)) {
    throw new OrreryValueError(what, `orrery: ${what} must be a plain object of key/value pairs, got ${describe(value)}`);
  }
  const out: JsonObject = {};
  const seen = new Set<object>([value]);
  for (const key of Object.keys(value)) {
    checkKey(key, what);
    const v = toJson(value[key], what, key, seen, 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Config and summary keys share the metric key limits (minus the reserved-prefix rule). */
export function checkKey(key: string, what: string): void {
  if (key.length === 0) throw new OrreryValueError(key, `orrery: ${what} has an empty key; give every value a name`);
  if (key.length > LIMITS.maxKeyLength) {
    throw new OrreryValueError(
      key,
      `orrery: ${what} key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`,
    );
  }
}

// The path (`parent` + `key`) is only joined when needed: config may have a million keys.
function toJson(value: unknown, parent: string, key: string | number, seen: Set<object>, depth: number): JsonValue | undefined {
  switch (typeof value) {
    case "number":
      return encodeMetric(value);
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "bigint":
      throw new OrreryValueError(join(parent, key), `orrery: ${join(parent, key)} is ${describe(value)}; JSON has no bigint: convert it with Number() or String()`);
    case "function":
    case "symbol":
      throw new OrreryValueError(join(parent, key), `orrery: ${join(parent, key)} is a ${typeof value}, which cannot be stored: pass data, not code`);
  }
  if (value === null) return null;
  const obj = value as object;
  const path = join(parent, key);
  if (depth > MAX_DEPTH) throw new OrreryValueError(path, `orrery: ${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (seen.has(obj)) throw new OrreryValueError(path, `orrery: ${path} refers back to itself (a cycle); pass a tree of plain values`);
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return toJson((toJSON as () => unknown).call(obj), parent, key, seen, depth + 1);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((item, i) => toJson(item, path, i, seen, depth + 1) ?? null);
    }
    if (obj instanceof Map || obj instanceof Set || ArrayBuffer.isView(obj)) {
      throw new OrreryValueError(path, `orrery: ${path} is ${describe(obj)}; convert it to a plain object or array first`);
    }
    const out: JsonObject = {};
    for (const k of Object.keys(obj)) {
      const v = toJson((obj as Record<string, unknown>)[k], path, k, seen, depth + 1);
      if (v !== undefined) out[k] = v;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

function join(parent: string, key: string | number): string {
  return typeof key === "number" ? `${parent}[${key}]` : `${parent}.${key}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
