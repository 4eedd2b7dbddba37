// Owns run.logArtifact() and run.useArtifact(): a client bound to the run's server, project and id,
// the uploads still in flight (finish() waits for them), and the rule that an artifact failure
// never crashes training: every promise handed out already has a handler, so one nobody awaits
// cannot become an unhandled rejection, and a failed log is also warned about on stderr.
import { OrreryError, type ArtifactVersion } from "@orrery/protocol";
import { describe } from "../errors.js";
import type { Mode, Settings } from "../settings.js";
import { warn } from "../warn.js";
import { Artifact } from "./artifact.js";
import { ArtifactClient, checkAliases, parseRef } from "./client.js";

/** What run.useArtifact() resolves with: the version (lineage is already recorded) and a way to fetch its files. */
export interface UsedArtifact {
  version: ArtifactVersion;
  /** Writes the files into `to` (default ./artifacts/<name>-v<index>) through the local cache; resolves with the folder. */
  download(to?: string): Promise<string>;
}

export interface LogArtifactRunOptions {
  /** Aliases to put on the version, e.g. ["best"]; `latest` moves by itself. */
  aliases?: readonly string[];
}

/** A promise whose rejection is handled (so it cannot crash the process) and still reaches whoever awaits it. */
export function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** The rejection logArtifact/useArtifact give in offline and disabled mode. */
export function artifactsNeedServer(call: string, runId: string, mode: Mode): Promise<never> {
  return handled(Promise.reject(new OrreryError(
    "invalid_request",
    `orrery: run.${call}() needs an Orrery server, but run ${runId} is in ${mode} mode (artifacts are not kept in the spool): ` +
    "use mode 'online', or log the files later with 'orrery artifact put'",
    "mode",
  )));
}

export class RunArtifacts {
  private client: ArtifactClient | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly settings: Settings) {}

  /** Uploads still running. */
  get pending(): number {
    return this.inFlight.size;
  }

  log(artifact: Artifact, options: LogArtifactRunOptions = {}): Promise<ArtifactVersion> {
    // The gate leaves the set before the caller's `await` resumes, so a finish() right after an
    // awaited log does not wait (or warn) for it; it never rejects, so settle() cannot throw.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    this.inFlight.add(gate);
    const work = (async () => {
      try {
        if (!(artifact instanceof Artifact)) {
          throw new OrreryError("invalid_request", `orrery: run.logArtifact() takes an Artifact (new orrery.Artifact(name, type)), got ${describe(artifact)}`, "artifact");
        }
        const aliases = checkAliases((options as { aliases?: unknown } | undefined)?.aliases);
        const result = await this.bound().log(artifact, { aliases, runId: this.settings.runId });
        return result.version;
      } catch (err) {
        const name = artifact instanceof Artifact ? artifact.name : "artifact";
        warn(`logging artifact ${name} from run ${this.settings.runId} failed: ${err instanceof Error ? err.message.replace(/^orrery: /, "") : String(err)}`);
        throw err;
      } finally {
        this.inFlight.delete(gate);
        open();
      }
    })();
    return handled(work);
  }

  use(ref: string): Promise<UsedArtifact> {
    return handled((async () => {
      parseRef(ref);
      const client = this.bound();
      const version = await client.use(ref, this.settings.runId);
      return {
        version,
        download: async (to?: string) => (await client.download(version, to === undefined ? {} : { to })).path,
      };
    })());
  }

  /** Waits for every upload in flight, including any started meanwhile (failures were already warned about). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private bound(): ArtifactClient {
    this.client ??= new ArtifactClient({
      url: this.settings.url, apiKey: this.settings.apiKey, entity: this.settings.entity, project: this.settings.project,
    });
    return this.client;
  }
}
