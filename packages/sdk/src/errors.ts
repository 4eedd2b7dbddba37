// Owns the errors the SDK throws at its caller. Option mistakes reuse the protocol's OrreryError
// (code `invalid_request`, `field` naming the option), so SDK and server speak one catalogue;
// bad metric values get their own TypeError subclass because they are programming errors in the
// training script, caught the same way as any other TypeError.
import { OrreryError } from "@orrery/protocol";

export { OrreryError };

/** Thrown by `run.log()` (and config/summary setters) for a value Orrery will not store. */
export class OrreryValueError extends TypeError {
  readonly code = "invalid_value";
  /** The (flattened) key whose value or name was refused. */
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = "OrreryValueError";
    this.key = key;
  }
}

/** An init/finish option that is missing or out of range. */
export function optionError(option: string, message: string): OrreryError {
  return new OrreryError("invalid_request", `orrery: option \`${option}\` ${message}`, option);
}

/** Short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array (length ${value.length})`;
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "bigint") return `the bigint ${value}n`;
  if (typeof value === "object") {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    return ctor ? `a ${ctor}` : "an object";
  }
  return `${typeof value} ${String(value)}`;
}
