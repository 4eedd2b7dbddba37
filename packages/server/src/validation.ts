// Owns request validation. Query strings and path parameters arrive as text, so their numbers
// are coerced; JSON bodies are validated exactly as sent, so a wrong type is refused rather than
// silently coerced ("a" never becomes ["a"], "5" never becomes 5).
import { Ajv, type AnySchema } from "ajv";
import formats from "ajv-formats";

// ajv-formats is CommonJS with its function on `default`.
const addFormats = (formats as unknown as { default: (a: Ajv) => void }).default ?? (formats as unknown as (a: Ajv) => void);
import type { FastifyInstance, FastifySchema } from "fastify";

function makeAjv(coerce: boolean, shared: AnySchema[]): Ajv {
  const ajv = new Ajv({ coerceTypes: coerce ? "array" : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(ajv);
  for (const s of shared) ajv.addSchema(s);
  return ajv;
}

export function registerValidation(app: FastifyInstance, shared: AnySchema[]): void {
  const body = makeAjv(false, shared);
  const text = makeAjv(true, shared);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? body : text).compile(schema as FastifySchema & AnySchema));
}
