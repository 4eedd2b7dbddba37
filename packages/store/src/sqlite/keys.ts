// Owns API keys: minting secrets, storing only their SHA-256, and checking a presented secret in
// constant work. The secret itself never touches the database or the logs.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyInfo, KeyStore } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { iso } from "./rows.js";

export const API_KEY_PREFIX = "ork_";
/** How stale lastUsedAt may get: writing it on every request would cost a disk sync per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

interface KeyRow { id: string; name: string; prefix: string; created_at: number; last_used_at: number | null }
interface HashRow { id: string; hash: string; last_used_at: number | null }

const sha256 = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();
const DUMMY_HASH = Buffer.alloc(32);

export class SqliteKeys implements KeyStore {
  private readonly s: Record<"insert" | "list" | "revoke" | "byHash" | "used", Stmt>;

  constructor(private readonly eng: Engine) {
    this.s = {
      insert: eng.stmt("INSERT INTO api_keys (id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?)"),
      list: eng.stmt(
        "SELECT id, name, prefix, created_at, last_used_at FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id",
      ),
      revoke: eng.stmt("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
      byHash: eng.stmt("SELECT id, hash, last_used_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL"),
      used: eng.stmt("UPDATE api_keys SET last_used_at = ? WHERE id = ?"),
    };
  }

  async createApiKey(name: string, now: number): Promise<ApiKeyInfo & { key: string }> {
    this.eng.assertOpen();
    const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
    const id = "key_" + randomBytes(9).toString("base64url");
    const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
    this.s.insert.run(id, name, prefix, sha256(key).toString("hex"), now);
    return { id, name, prefix, createdAt: iso(now), lastUsedAt: null, key };
  }

  async listApiKeys(): Promise<ApiKeyInfo[]> {
    this.eng.assertOpen();
    return (this.s.list.all() as KeyRow[]).map((r) => ({
      id: r.id, name: r.name, prefix: r.prefix, createdAt: iso(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
    }));
  }

  async revokeApiKey(id: string): Promise<boolean> {
    this.eng.assertOpen();
    return this.s.revoke.run(Date.now(), id).changes > 0;
  }

  async verifyApiKey(secret: string, now: number): Promise<boolean> {
    this.eng.assertOpen();
    // Look up by the hash (an attacker cannot steer a hash prefix), then compare in constant time,
    // against a dummy when nothing matched, so found and not-found cost the same.
    const hash = sha256(secret);
    const row = this.s.byHash.get(hash.toString("hex")) as HashRow | undefined;
    const stored = row === undefined ? DUMMY_HASH : Buffer.from(row.hash, "hex");
    const ok = timingSafeEqual(stored, hash) && row !== undefined;
    if (ok && (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS)) {
      this.s.used.run(now, row.id);
    }
    return ok;
  }
}
