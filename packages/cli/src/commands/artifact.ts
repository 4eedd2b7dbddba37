// Owns `orrery artifact put|get|ls`: log a file or folder as an artifact version, download a version
// into a folder through the local cache, and list artifacts or one artifact's versions. The work is
// the SDK's ArtifactClient; this file checks flags (exit 2 with one sentence), draws progress on
// stderr and prints results on stdout.
import { statSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import {
  ALIAS_PATTERN, ARTIFACT_NAME_PATTERN, ARTIFACT_TYPE_PATTERN, LATEST_ALIAS, OrreryError, parseArtifactRef,
  type ArtifactDetail, type ArtifactSummary,
} from "@orrery/protocol";
import { Artifact, ArtifactClient, type ArtifactPhase } from "orrery";
import { UsageError, defaultEntity, parseProject, parseUrl } from "../args.js";
import { remoteFromEnv } from "../http.js";
import { progressBar, type Progress } from "../progress.js";

const NAME = new RegExp(ARTIFACT_NAME_PATTERN);
const TYPE = new RegExp(ARTIFACT_TYPE_PATTERN);
const ALIAS = new RegExp(ALIAS_PATTERN);

export function parseArtifactName(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError(`an artifact name uses letters, digits, '_', '.' and '-' (1 to 128), e.g. mnist or resnet-50.`);
  return value;
}

export function parseArtifactType(value: string): string {
  if (!TYPE.test(value)) throw new InvalidArgumentError(`a type is one word of letters, digits, '_', '.' and '-' (1 to 64), e.g. model or dataset.`);
  return value;
}

/** Collects repeated --alias flags, refusing `latest` (automatic) and `vN` (a version number). */
export function collectAlias(value: string, previous: string[] = []): string[] {
  if (value === LATEST_ALIAS) throw new InvalidArgumentError("'latest' moves to each new version by itself; give another alias such as best or production.");
  if (/^[vV][0-9]+$/.test(value)) throw new InvalidArgumentError(`'${value}' would read as a version number; choose a word such as best or production.`);
  if (!ALIAS.test(value)) throw new InvalidArgumentError("an alias uses letters, digits, '_', '.' and '-' (1 to 64), e.g. best or production.");
  return previous.includes(value) ? previous : [...previous, value];
}

export function parseMetadata(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`give a JSON object such as '{"accuracy": 0.93}'.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(`metadata must be a JSON object such as '{"accuracy": 0.93}', not ${Array.isArray(parsed) ? "an array" : typeof parsed === "object" ? "null" : `a ${typeof parsed}`}.`);
  return parsed as Record<string, unknown>;
}

/** `NAME`, `NAME:ALIAS` or `NAME:vN`. */
export function parseRefArg(value: string): string {
  if (!parseArtifactRef(value)) throw new InvalidArgumentError("write the artifact as NAME, NAME:ALIAS or NAME:vN (letters, digits, '_', '.' and '-'), e.g. mnist:latest or resnet:v3.");
  return value;
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

const plural = (n: number, word: string): string => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

interface Common { project?: string; url?: string }

function client(opts: Common): ArtifactClient {
  const projectArg = opts.project ?? process.env.ORRERY_PROJECT;
  if (!projectArg) throw new UsageError("name the project with --project NAME or set ORRERY_PROJECT");
  const { entity, project } = parseProject(projectArg, defaultEntity());
  const remote = remoteFromEnv(opts.url);
  return new ArtifactClient({ url: remote.url, apiKey: remote.apiKey, entity, project });
}

/**
 * The SDK's errors as the CLI reports them: its "orrery: " prefix dropped (main adds one), and a
 * refusal of what the user gave (a path, a flag, a 400 from the server) made a usage error (exit 2).
 */
function explain(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const message = err.message.replace(/^orrery: /, "");
  if (err instanceof OrreryError && (err.code === "invalid_request" || err.code === "invalid_json")) return new UsageError(message);
  return new Error(message);
}

/** One progress bar per phase (hashing, then uploading; or downloading), each closed when the next starts. */
function phasedProgress(): { onProgress: (done: number, total: number, phase: ArtifactPhase) => void; stop(): void } {
  const labels: Record<ArtifactPhase, string> = { hash: "hashing", upload: "uploading", download: "downloading" };
  let current: { phase: ArtifactPhase; bar: Progress } | undefined;
  return {
    onProgress(done, total, phase) {
      if (current?.phase !== phase) {
        current?.bar.stop();
        current = { phase, bar: progressBar(`${labels[phase]} (bytes)`) };
      }
      current.bar.update(done, total);
    },
    stop() { current?.bar.stop(); },
  };
}

function putCommand(): Command {
  return new Command("put")
    .description("log a file or folder as a new version of an artifact (unchanged content gives the existing version)")
    .argument("<path>", "a file, or a folder (every file under it, at its relative path)")
    .requiredOption("--name <name>", "artifact name", parseArtifactName)
    .requiredOption("--type <type>", "artifact type: model, dataset, or any word", parseArtifactType)
    .option("--alias <alias>", "an alias to put on the version, e.g. best (repeatable; latest is automatic)", collectAlias, [])
    .option("--description <text>", "what this version is")
    .option("--metadata <json>", "a JSON object of facts about the version", parseMetadata)
    .option("--project <project>", "NAME or ENTITY/NAME (default: $ORRERY_PROJECT)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--json", "print the version as JSON")
    .action(async (path: string, opts: Common & { name: string; type: string; alias: string[]; description?: string; metadata?: Record<string, unknown>; json?: boolean }) => {
      const c = client(opts);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new UsageError(`${path}: no such file or folder (give the file or folder to log)`);
      }
      const progress = phasedProgress();
      try {
        const artifact = new Artifact(opts.name, opts.type, { description: opts.description, metadata: opts.metadata });
        if (isDir) artifact.addDir(path);
        else artifact.addFile(path);
        const r = await c.log(artifact, { aliases: opts.alias, onProgress: progress.onProgress });
        progress.stop();
        if (opts.json) { process.stdout.write(JSON.stringify(r.version, null, 2) + "\n"); return; }
        const v = r.version;
        const what = `${v.name}:${v.version} (${v.type}, ${plural(v.fileCount, "file")}, ${formatBytes(v.size)}, digest ${v.digest.slice(0, 12)})`;
        const sent = r.created
          ? `uploaded ${plural(r.uploaded.blobs, "new blob")} (${formatBytes(r.uploaded.bytes)}); the rest was already stored`
          : "this content was already logged: nothing uploaded";
        process.stdout.write(`${r.created ? "logged" : "found"} ${what} in ${c.entity}/${c.project}\n  ${sent}\n  aliases: ${v.aliases.join(", ")}\n`);
      } catch (err) {
        progress.stop();
        throw explain(err);
      }
    });
}

function getCommand(): Command {
  return new Command("get")
    .description("download an artifact version into a folder (files already in the local cache are not downloaded again)")
    .argument("<artifact>", "NAME, NAME:ALIAS or NAME:vN (a bare NAME means latest)", parseRefArg)
    .option("--to <dir>", "folder to write into (default: ./artifacts/NAME-vN)")
    .option("--project <project>", "NAME or ENTITY/NAME (default: $ORRERY_PROJECT)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .action(async (ref: string, opts: Common & { to?: string }) => {
      const c = client(opts);
      const progress = phasedProgress();
      try {
        const r = await c.download(ref, { to: opts.to, onProgress: progress.onProgress });
        progress.stop();
        const v = r.version;
        process.stdout.write(
          `downloaded ${v.name}:${v.version} (${plural(r.files, "file")}, ${formatBytes(v.size)}) to ${r.path}\n` +
          `  ${plural(r.downloaded.blobs, "blob")} fetched (${formatBytes(r.downloaded.bytes)}), ${plural(r.cached.blobs, "blob")} from the cache ${c.cache.root}\n`,
        );
      } catch (err) {
        progress.stop();
        throw explain(err);
      }
    });
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

function lsCommand(): Command {
  return new Command("ls")
    .description("list the project's artifacts, or the versions of one")
    .argument("[name]", "an artifact: list its versions", parseArtifactName)
    .option("--project <project>", "NAME or ENTITY/NAME (default: $ORRERY_PROJECT)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--json", "print the server's answer as JSON")
    .action(async (name: string | undefined, opts: Common & { json?: boolean }) => {
      const c = client(opts);
      try {
        if (name === undefined) {
          const list: ArtifactSummary[] = await c.list();
          if (opts.json) { process.stdout.write(JSON.stringify({ artifacts: list }, null, 2) + "\n"); return; }
          if (list.length === 0) { process.stdout.write(`no artifacts in ${c.entity}/${c.project} yet: log one with 'orrery artifact put'\n`); return; }
          process.stdout.write(pad([
            ["NAME", "TYPE", "VERSIONS", "LATEST", "SIZE", "UPDATED", "ALIASES"],
            ...list.map((a) => [
              a.name, a.type, String(a.versionCount), a.latest ?? "-", formatBytes(a.size), a.updatedAt.slice(0, 19).replace("T", " "),
              a.aliases.filter((x) => x.alias !== LATEST_ALIAS).map((x) => `${x.alias}=${x.version}`).join(", ") || "-",
            ]),
          ]));
          return;
        }
        const detail: ArtifactDetail = await c.versions(name);
        if (opts.json) { process.stdout.write(JSON.stringify(detail, null, 2) + "\n"); return; }
        process.stdout.write(`${detail.artifact.name} (${detail.artifact.type}), ${plural(detail.versions.length, "version")}\n`);
        if (detail.versions.length === 0) return;
        process.stdout.write(pad([
          ["VERSION", "FILES", "SIZE", "CREATED", "DIGEST", "ALIASES"],
          ...detail.versions.map((v) => [
            v.version, String(v.fileCount), formatBytes(v.size), v.createdAt.slice(0, 19).replace("T", " "), v.digest.slice(0, 12), v.aliases.join(", ") || "-",
          ]),
        ]));
      } catch (err) {
        throw explain(err);
      }
    });
}

export function artifactCommand(): Command {
  return new Command("artifact")
    .description("versioned, deduplicated models and datasets: put, get, ls")
    .addCommand(putCommand())
    .addCommand(getCommand())
    .addCommand(lsCommand());
}
