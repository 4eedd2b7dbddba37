// Owns `orrery keys`: API keys are managed next to the store they protect (--data), so only
// someone with access to the server's files can create or revoke them.
import { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { openStore, type Store } from "@orrery/store";
import { formatTable } from "./runs.js";

async function withStore<T>(data: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const dir = resolve(data);
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: pass the server's --data directory`);
  const store = await openStore(dir);
  try { return await fn(store); } finally { await store.close(); }
}

export function keysCommand(): Command {
  const keys = new Command("keys").description("create, list and revoke API keys (required when the server listens beyond loopback)");
  keys.command("create")
    .description("create a key; it is printed once and only its hash is stored")
    .option("--data <dir>", "directory of the embedded store", "./orrery-data")
    .option("--name <name>", "a label to recognise the key by", "default")
    .action(async (opts: { data: string; name: string }) => {
      if (opts.name.length === 0 || opts.name.length > 128) throw new Error("--name must be 1 to 128 characters");
      const k = await withStore(opts.data, (s) => s.keys.createApiKey(opts.name, Date.now()));
      process.stdout.write(`${k.key}\nkey id ${k.id} ('${k.name}'). Store it now: it cannot be shown again. Use it as ORRERY_API_KEY.\n`);
    });
  keys.command("list")
    .description("list keys (never the secrets)")
    .option("--data <dir>", "directory of the embedded store", "./orrery-data")
    .option("--json", "print as JSON")
    .action(async (opts: { data: string; json?: boolean }) => {
      const list = await withStore(opts.data, (s) => s.keys.listApiKeys());
      if (opts.json) { process.stdout.write(JSON.stringify(list, null, 2) + "\n"); return; }
      if (list.length === 0) { process.stdout.write("no API keys; create one with 'orrery keys create'\n"); return; }
      process.stdout.write(formatTable([["ID", "NAME", "PREFIX", "CREATED", "LAST USED"], ...list.map((k) => [k.id, k.name, k.prefix, k.createdAt, k.lastUsedAt ?? "never"])]));
    });
  keys.command("revoke")
    .description("revoke a key by its id; requests using it are refused at once")
    .argument("<id>", "the key id shown by 'orrery keys list'")
    .option("--data <dir>", "directory of the embedded store", "./orrery-data")
    .action(async (id: string, opts: { data: string }) => {
      const ok = await withStore(opts.data, (s) => s.keys.revokeApiKey(id));
      if (!ok) throw new Error(`no key with id '${id}': see 'orrery keys list'`);
      process.stdout.write(`revoked ${id}\n`);
    });
  return keys;
}
