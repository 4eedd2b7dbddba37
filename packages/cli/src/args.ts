// Owns parsing and checking command-line values, so every bad flag gets one clear sentence and
// exit code 2 rather than a stack trace.
import { InvalidArgumentError } from "commander";
import { NAME_PATTERN } from "@orrery/protocol";

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError("the port must be a whole number from 0 to 65535.");
  return n;
}

export function positiveInt(what: string, max = 1_000_000, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

export function parseDuration(value: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!m) throw new InvalidArgumentError("give a duration such as 60s, 1500ms or 2m.");
  const n = Number(m[1]);
  const ms = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
  if (ms < 100) throw new InvalidArgumentError("the duration must be at least 100ms.");
  return ms;
}

export function parseUrl(value: string): string {
  let u: URL;
  try { u = new URL(value); } catch { throw new InvalidArgumentError("give a full URL such as http://127.0.0.1:5170."); }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new InvalidArgumentError("the URL must start with http:// or https://.");
  return value.replace(/\/+$/, "");
}

const NAME = new RegExp(NAME_PATTERN);

/** A mistake in how the command was called, found inside an action: exit code 2, like a bad flag. */
export class UsageError extends Error {}

/** `entity/project` or `project` (entity defaults to the given one). */
export function parseProject(value: string, defaultEntity: string): { entity: string; project: string } {
  const parts = value.split("/");
  const [entity, project] = parts.length === 2 ? parts : [defaultEntity, parts[0]];
  if (parts.length > 2 || !NAME.test(entity) || !NAME.test(project)) {
    throw new UsageError(`project '${value}': give it as NAME or ENTITY/NAME, using letters, digits, '.', '_' and '-'`);
  }
  return { entity, project };
}

export function defaultEntity(): string {
  if (process.env.ORRERY_ENTITY) return process.env.ORRERY_ENTITY;
  let user = "local";
  try { user = process.env.USER ?? process.env.USERNAME ?? "local"; } catch { /* keep default */ }
  const clean = user.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 128);
  return clean || "local";
}
