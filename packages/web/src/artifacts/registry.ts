// Owns the pure parts of the artifact list and the model registry: artifacts grouped by type
// (models, then datasets, then the rest by name), a model's aliases sorted into the registry's
// columns (production, staging, the others), an alias move told as a sentence, and why an alias
// typed into the editor would be refused (before the server says so).
import { ALIAS_PATTERN, LATEST_ALIAS, type AliasEvent, type AliasRef, type ArtifactSummary } from "@orrery/protocol";

/** Types listed first, in this order; any other type follows alphabetically. */
const FIRST_TYPES = ["model", "dataset"];
export const REGISTRY_STAGES = ["production", "staging"] as const;

export function groupByType(artifacts: readonly ArtifactSummary[]): { type: string; artifacts: ArtifactSummary[] }[] {
  const groups = new Map<string, ArtifactSummary[]>();
  for (const a of artifacts) (groups.get(a.type) ?? groups.set(a.type, []).get(a.type)!).push(a);
  const rank = (t: string) => {
    const i = FIRST_TYPES.indexOf(t);
    return i === -1 ? FIRST_TYPES.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, list]) => ({ type, artifacts: list.slice().sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)) }));
}

export interface RegistryAliases {
  /** production and staging, each with the version holding it or null. */
  stages: { alias: string; version: string | null }[];
  /** Every other user alias, by name. */
  others: AliasRef[];
  latest: string | null;
}

export function registryAliases(aliases: readonly AliasRef[]): RegistryAliases {
  const find = (alias: string) => aliases.find((a) => a.alias === alias)?.version ?? null;
  const special = new Set<string>([...REGISTRY_STAGES, "latest"]);
  return {
    stages: REGISTRY_STAGES.map((alias) => ({ alias, version: find(alias) })),
    others: aliases.filter((a) => !special.has(a.alias)).sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0)),
    latest: find("latest"),
  };
}

/** "production moved v0 → v1", "staging set on v0", "best removed from v2". */
export function aliasEventText(e: Pick<AliasEvent, "alias" | "from" | "to">): string {
  if (e.from && e.to) return `${e.alias} moved ${e.from} → ${e.to}`;
  if (e.to) return `${e.alias} set on ${e.to}`;
  if (e.from) return `${e.alias} removed from ${e.from}`;
  return e.alias;
}

/** 3 for "v3"; null for anything else. */
export function versionIndex(version: string): number | null {
  const m = /^v(\d+)$/.exec(version);
  return m ? Number(m[1]) : null;
}

const aliasRe = new RegExp(ALIAS_PATTERN);

/** Why an alias cannot be added, or null. */
export function aliasProblem(alias: string, current: readonly string[]): string | null {
  if (!alias) return "type an alias";
  if (alias === LATEST_ALIAS) return "latest moves by itself to the newest version";
  if (current.includes(alias)) return `this version already has ${alias}`;
  if (/^[vV][0-9]+$/.test(alias)) return `${alias} already means version ${alias.slice(1)}: pick another name`;
  if (!aliasRe.test(alias)) return "use up to 64 letters, digits, '_', '.' or '-'";
  return null;
}
