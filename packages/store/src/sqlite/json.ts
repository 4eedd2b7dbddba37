// Owns the JSON object columns (config, metadata, summary overrides, metric modes): parsing them
// back and merging into them without letting a key like "__proto__" reach an object's prototype.

export type JsonObject = Record<string, unknown>;

export function parseObject(text: string | null | undefined): JsonObject {
  if (text === null || text === undefined || text === "") return {};
  const v: unknown = JSON.parse(text);
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : {};
}

/** Sets an own property even for names like "__proto__", which plain assignment would misread. */
export function setOwn(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Top-level merge: each key of `patch` replaces the same key of `target` whole. */
export function mergeTop(target: JsonObject, patch: Readonly<JsonObject>): void {
  for (const key of Object.keys(patch)) setOwn(target, key, patch[key]);
}

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
