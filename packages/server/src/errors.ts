// Owns the translation of every failure into the JSON error body `{ error, message, field }`.
// Validation, body-size and parse failures from Fastify become 4xx with a field name; only a
// genuine bug becomes a 500, and it is logged, never shown raw to the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LIMITS, OrreryError, type ErrorBody } from "@orrery/protocol";

/** `/records/3/seq` -> `records[3].seq` */
export function jsonPointerToField(pointer: string): string {
  let out = "";
  for (const part of pointer.split("/").filter(Boolean)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    out += /^\d+$/.test(key) ? `[${key}]` : out === "" ? key : `.${key}`;
  }
  return out;
}

interface AjvLikeError { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string }

function fromValidation(err: FastifyError & { validation: AjvLikeError[]; validationContext?: string }): OrreryError {
  const first = err.validation[0] ?? {};
  let field = jsonPointerToField(first.instancePath ?? "");
  const extra = first.params?.additionalProperty ?? first.params?.missingProperty;
  if (typeof extra === "string") field = field ? `${field}.${extra}` : extra;
  const where = err.validationContext ?? "request";
  const what = first.params?.additionalProperty !== undefined
    ? "is not a known field: remove it"
    : first.message ?? "is invalid";
  const label = field || where;
  return new OrreryError("invalid_request", `${where} ${label}: ${what}`, field || where);
}

export function toOrreryError(err: unknown): OrreryError {
  if (err instanceof OrreryError) return err;
  const e = err as FastifyError & { validation?: AjvLikeError[]; validationContext?: string };
  if (Array.isArray(e.validation)) return fromValidation(e as FastifyError & { validation: AjvLikeError[] });
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new OrreryError(
        "payload_too_large",
        `request body is larger than ${LIMITS.maxBodyBytes} bytes: send smaller batches (at most ${LIMITS.maxBatchRecords} records)`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new OrreryError("unsupported_media_type", "send the body as application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new OrreryError("invalid_json", "the body is empty: send a JSON document");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new OrreryError("invalid_request", "Content-Length does not match the body sent");
  }
  if (e instanceof SyntaxError || e.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return new OrreryError("invalid_json", `the body is not valid JSON (${e.message}): check the request encoding`);
  }
  const status = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new OrreryError(status === 413 ? "payload_too_large" : status === 404 ? "not_found" : "invalid_request", e.message);
  }
  return new OrreryError("internal", "the server failed to handle this request; it has been logged. Retry, and report it if it persists", undefined, { cause: err });
}

export interface ErrorHandlingOptions {
  /** Tried before the JSON 404: answers the request and returns true when it can (the dashboard's SPA fallback). */
  notFoundFallback?: (req: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
}

/** Answers with the JSON error body; also Fastify's frameworkErrors (a URL that cannot be decoded). */
export function replyWithError(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const oe = toOrreryError(err);
  if (oe.status >= 500) req.log.error({ err }, "request failed");
  else req.log.info({ code: oe.code, field: oe.field }, oe.message);
  const body: ErrorBody = oe.toBody();
  void reply.status(oe.status).type("application/json").send(body);
}

export function registerErrorHandling(app: FastifyInstance, opts: ErrorHandlingOptions = {}): void {
  app.setErrorHandler(replyWithError);
  const fallback = opts.notFoundFallback;
  app.setNotFoundHandler(async (req: FastifyRequest, reply: FastifyReply) => {
    if (fallback !== undefined && (await fallback(req, reply))) return reply;
    const body: ErrorBody = {
      error: "not_found",
      message: `no route ${req.method} ${req.url.split("?")[0]}: see /api/v1/openapi.json for the API`,
    };
    return reply.status(404).type("application/json").send(body);
  });
}
