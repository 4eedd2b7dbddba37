// Owns how metric keys become panel sections: a key's section is everything before its last "/"
// (`val/acc/pedestrian` → `val/acc`), keys without "/" go in the "charts" section.

export const DEFAULT_SECTION = "charts";

export interface PanelSection {
  prefix: string;
  keys: string[];
}

export function sectionOf(key: string): string {
  const i = key.lastIndexOf("/");
  return i > 0 ? key.slice(0, i) : DEFAULT_SECTION;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

/** Whether a key matches the panel search (case-insensitive substring; empty matches all). */
export function matchesPanelSearch(key: string, search: string): boolean {
  const s = search.trim().toLowerCase();
  return s === "" || key.toLowerCase().includes(s);
}

/**
 * Groups keys into sections in a stable, natural order (`layer2` before `layer10`); the
 * catch-all "charts" section comes last so named sections such as `train` and `val` lead.
 */
export function buildSections(keys: readonly string[], search = ""): PanelSection[] {
  const by = new Map<string, string[]>();
  for (const key of keys) {
    if (!matchesPanelSearch(key, search)) continue;
    const prefix = sectionOf(key);
    let list = by.get(prefix);
    if (!list) by.set(prefix, (list = []));
    list.push(key);
  }
  const prefixes = [...by.keys()].sort((a, b) => {
    if (a === DEFAULT_SECTION) return b === DEFAULT_SECTION ? 0 : 1;
    if (b === DEFAULT_SECTION) return -1;
    return collator.compare(a, b);
  });
  return prefixes.map((prefix) => ({ prefix, keys: by.get(prefix)!.sort(collator.compare) }));
}
