// Owns run ids, friendly run names and the default entity. Ids use crypto randomness because two
// machines in one sweep must not collide; names only need to be pleasant to read.
import { randomBytes, randomInt } from "node:crypto";
import { userInfo } from "node:os";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** 8 random base36 characters: about 41 bits, plenty for the runs of one project. */
export function randomRunId(length = 8): string {
  let id = "";
  while (id.length < length) {
    for (const b of randomBytes(length * 2)) {
      // Rejection sampling keeps every character equally likely (252 = 7 * 36).
      if (b < 252 && id.length < length) id += ALPHABET[b % 36];
    }
  }
  return id;
}

const ADJECTIVES = [
  "amber", "ancient", "bold", "brisk", "calm", "celestial", "clever", "cosmic", "crimson", "dapper",
  "daring", "dawn", "dusky", "eager", "electric", "fancy", "fiery", "floral", "fragrant", "gentle",
  "glad", "golden", "graceful", "hardy", "hearty", "honest", "icy", "jolly", "keen", "lively",
  "lucky", "lunar", "misty", "noble", "polar", "proud", "quiet", "radiant", "rapid", "robust",
  "rosy", "royal", "serene", "silver", "smooth", "solar", "spry", "stellar", "sunny", "swift",
  "tidy", "vivid", "warm", "wild", "wise", "woven", "young", "zesty",
];
const NOUNS = [
  "aurora", "breeze", "brook", "canyon", "cloud", "comet", "cosmos", "dawn", "delta", "dune",
  "eclipse", "ember", "field", "firefly", "flower", "forest", "frost", "galaxy", "glade", "grove",
  "harbor", "haze", "horizon", "lake", "leaf", "meadow", "meteor", "moon", "mountain", "nebula",
  "night", "oasis", "ocean", "orbit", "pine", "planet", "pond", "prairie", "pulsar", "quasar",
  "rain", "river", "shadow", "sky", "snow", "sound", "star", "stone", "sun", "thunder",
  "tide", "valley", "violet", "water", "wave", "wind", "wood",
];

/** "adjective-noun-N", like W&B's generated names. */
export function friendlyName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1, 1000)}`;
}

/** Maps any string onto the entity/project alphabet [A-Za-z0-9_.-], never returning "". */
export function sanitizeName(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 128);
  return cleaned.length > 0 ? cleaned : "user";
}

/** The local user's name, sanitized; containers without a passwd entry fall back to $USER. */
export function defaultEntity(env: NodeJS.ProcessEnv): string {
  let name = "";
  try {
    name = userInfo().username;
  } catch {
    name = env.USER ?? env.USERNAME ?? "";
  }
  return sanitizeName(name);
}
