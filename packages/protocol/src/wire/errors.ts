// Owns the error catalogue: every error a client can receive has a stable code, an HTTP status and
// a message that says what to do next. The server turns OrreryError into the JSON error body.
import { Type, type Static } from "@sinclair/typebox";

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "stable machine-readable code from the catalogue" }),
    message: Type.String({ description: "what went wrong and what to do" }),
    field: Type.Optional(Type.String({ description: "path of the offending input, e.g. records[3].values.loss" })),
  },
  { $id: "ErrorBody" },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  invalid_filter: 400,
  unauthorized: 401,
  not_found: 404,
  run_not_found: 404,
  project_not_found: 404,
  conflict: 409,
  digest_mismatch: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  blob_corrupt: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export class OrreryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OrreryError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.field = field;
  }
  toBody(): ErrorBody {
    return this.field === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, field: this.field };
  }
}
