// Shared by the sweep API tests: a thin client for the sweep and agent routes, and a way to play a
// training run (its records through the ingest API), so tests drive the controller like agents do.
import { api, postJson } from "../../../e2e/helpers.js";

export interface ErrorBody { error: string; message: string; field?: string }
export interface SweepBody {
  id: string; state: string; method: string; runCap: number | null; gridSize: number | null; name: string;
  counts: Record<string, number>; best: { runId: string; value: number; params: Record<string, unknown> } | null;
  metric: { name: string; goal: string } | null; config: Record<string, unknown>;
}
export interface TrialBody {
  runId: string; params: Record<string, unknown>; state: string; value: number | null; attempt: number; agentId: string | null; earlyStopped: boolean;
}
export type NextBody =
  | { action: "run"; runId: string; params: Record<string, unknown>; command: { argv: string[]; argsJson: string } }
  | { action: "wait"; retryAfterMs: number }
  | { action: "stop"; reason: string };

const T0 = Date.UTC(2026, 0, 1);

export class SweepClient {
  constructor(readonly url: string, readonly entity = "ada", readonly project = "search") {}
  get base(): string { return `/api/v1/projects/${this.entity}/${this.project}`; }

  async create(config: unknown): Promise<{ status: number; body: SweepBody & ErrorBody }> {
    return postJson(this.url, `${this.base}/sweeps`, { config }) as Promise<{ status: number; body: SweepBody & ErrorBody }>;
  }
  async createOk(config: unknown): Promise<SweepBody> {
    const res = await this.create(config);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  async get(id: string): Promise<SweepBody> {
    return (await api<SweepBody>(this.url, `${this.base}/sweeps/${id}`)).body;
  }
  async trials(id: string): Promise<TrialBody[]> {
    return (await api<{ trials: TrialBody[] }>(this.url, `${this.base}/sweeps/${id}/trials`)).body.trials;
  }
  async patch(id: string, body: unknown) {
    return api<SweepBody & ErrorBody>(this.url, `${this.base}/sweeps/${id}`, {
      method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
  }
  async agent(id: string, body: object = { host: "test", pid: 1 }): Promise<string> {
    const res = await postJson(this.url, `${this.base}/sweeps/${id}/agents`, body);
    if (res.status !== 201) throw new Error(`agent registration failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { agentId: string }).agentId;
  }
  async next(id: string, agentId: string): Promise<NextBody> {
    const res = await postJson(this.url, `${this.base}/sweeps/${id}/agents/${agentId}/next`, {});
    if (res.status !== 200) throw new Error(`next failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as NextBody;
  }
  async run(id: string, agentId: string): Promise<Extract<NextBody, { action: "run" }>> {
    const n = await this.next(id, agentId);
    if (n.action !== "run") throw new Error(`expected a run, got ${JSON.stringify(n)}`);
    return n;
  }
  async heartbeat(id: string, agentId: string, runIds: string[]): Promise<{ stop: string[]; state: string }> {
    const res = await postJson(this.url, `${this.base}/sweeps/${id}/agents/${agentId}/heartbeat`, { runIds });
    if (res.status !== 200) throw new Error(`heartbeat failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { stop: string[]; state: string };
  }
  async exit(id: string, runId: string, body: object = { exitCode: 0 }) {
    return postJson(this.url, `${this.base}/sweeps/${id}/trials/${runId}/exit`, body);
  }

  /** Plays a training run: config, the metric per step, and (unless `finish` is false) a finish record. */
  async train(runId: string, config: Record<string, unknown>, metric: string, values: number[], finish: number | false = 0): Promise<void> {
    let seq = 0;
    const rec = (fields: object) => ({ seq: ++seq, ts: T0 + seq * 1000, ...fields });
    const records = [
      rec({ type: "run", config }),
      ...values.map((v, step) => rec({ type: "history", step, values: { [metric]: v } })),
      ...(finish === false ? [] : [rec({ type: "finish", exitCode: finish })]),
    ];
    const res = await postJson(this.url, `${this.base}/runs/${runId}/records`, { records });
    if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
