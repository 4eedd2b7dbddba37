// The Python client's durability, tested rather than assumed: a training process killed with
// SIGKILL loses nothing whose log() had returned once `orrery sync` (the TypeScript CLI) has run;
// an offline Python spool synced by the TypeScript CLI equals the same script run online; and a
// script that raises or gets SIGTERM finishes its run as failed with everything uploaded.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runCli, tempDir, testServer, waitExit, waitFor } from "./helpers.js";
import {
  historyRows, histogramKeys, histograms, runPython, runsOf, spawnPython, withoutTime, type StoredRun,
} from "./python-helpers.js";

const FIXTURES = join(ROOT, "e2e/fixtures");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

async function setup() {
  const data = tempDir(); const spool = tempDir();
  const server = await testServer(data.path);
  cleanups.push(() => { data.cleanup(); spool.cleanup(); });
  cleanups.push(() => server.close());
  return { server, spool: spool.path };
}

function lastProgress(file: string): number {
  if (!existsSync(file)) return -1;
  const lines = readFileSync(file, "utf8").trim().split("\n").filter(Boolean);
  return lines.length ? Number(lines[lines.length - 1]) : -1;
}

const withoutUnderscore = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("_")));

describe("the Python client's durability", () => {
  it("a Python training process killed with SIGKILL, then orrery sync, loses no row or histogram whose log() returned and duplicates none", async () => {
    const { server, spool } = await setup();
    const progress = join(spool, "progress.txt");
    const child = spawnPython([join(FIXTURES, "python_logger.py")], {
      ORRERY_URL: server.url, ORRERY_DIR: spool, ORRERY_MODE: "online", PROGRESS_FILE: progress, STEPS: "100000000",
    });
    cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
    await waitFor(async () => lastProgress(progress) >= 20_000 || child.exitCode !== null, 60_000, "the Python logger to log 20,000 rows");
    expect(child.exitCode, stderr).toBeNull();
    child.kill("SIGKILL");
    await waitExit(child);
    const returned = lastProgress(progress);

    const sync = await runCli(["sync", spool], { ORRERY_URL: server.url });
    expect(sync.code, sync.stderr).toBe(0);
    const [run] = await runsOf(server.url, "crash/py");
    const rows = await historyRows(server.url, "crash/py", run!.id);
    // Every returned call is present; at most the one call in progress at the kill may also be.
    expect(rows.length).toBeGreaterThanOrEqual(returned + 1);
    expect(rows.length).toBeLessThanOrEqual(returned + 2);
    rows.forEach((r, i) => {
      expect(r._step).toBe(i);
      expect(r.twice).toBe(i * 2);
      expect(r.a2).toBe(i + 2);
    });
    // The same for histograms; the call in progress at the kill may have written its row, its
    // histogram, both or neither.
    const weights = await histograms(server.url, "crash/py", run!.id, "weights");
    const returnedSteps = [...Array(Math.floor(returned / 100) + 1).keys()].map((k) => k * 100);
    expect(weights.count).toBe(weights.steps.length);
    expect(weights.steps.slice(0, returnedSteps.length)).toEqual(returnedSteps);
    expect([[], [returned + 1]]).toContainEqual(weights.steps.slice(returnedSteps.length));
    weights.histograms.forEach((h, i) => expect(h).toEqual({ bins: [0, 0.5, 1], counts: [weights.steps[i], 1] }));

    const again = await runCli(["sync", spool], { ORRERY_URL: server.url });
    expect(again.code).toBe(0);
    expect((await historyRows(server.url, "crash/py", run!.id)).length).toBe(rows.length);
    expect((await histograms(server.url, "crash/py", run!.id, "weights")).count).toBe(weights.count);
  });

  it("an offline Python spool synced by the TypeScript CLI equals the same script run online, and a second sync changes nothing", async () => {
    const { server, spool } = await setup();
    const offline = tempDir();
    cleanups.push(() => offline.cleanup());
    const script = join(FIXTURES, "python_twin.py");
    const online = await runPython([script], { ORRERY_URL: server.url, ORRERY_DIR: spool, ORRERY_ENTITY: "x", ORRERY_MODE: "online" });
    expect(online.code, online.stderr).toBe(0);
    const off = await runPython([script], { ORRERY_URL: server.url, ORRERY_DIR: offline.path, ORRERY_ENTITY: "x", ORRERY_MODE: "offline" });
    expect(off.code, off.stderr).toBe(0);
    expect((await runsOf(server.url, "twins/py")).map((r) => r.name)).toEqual(["twin-online"]);

    const first = await runCli(["sync", offline.path], { ORRERY_URL: server.url });
    expect(first.code, first.stderr).toBe(0);
    const byName = async () => Object.fromEntries((await runsOf(server.url, "twins/py")).map((r) => [r.name, r])) as Record<string, StoredRun>;
    const { "twin-online": a, "twin-offline": b } = await byName();
    expect(a && b).toBeTruthy();
    const comparable = (r: StoredRun) => ({
      state: r.state, exitCode: r.exitCode, group: r.group, jobType: r.jobType, tags: r.tags, notes: r.notes,
      lastStep: r.lastStep, config: r.config, summary: withoutUnderscore(r.summary),
    });
    expect(comparable(a!)).toMatchObject({ state: "finished", exitCode: 0, config: { batch_size: 128 } });
    expect(comparable(b!)).toEqual(comparable(a!));
    expect(a!.summary).toMatchObject({
      "best/acc": 0.95, "val/acc": 0.75, "train/loss": 1 / 300,
      confusion: { _type: "table", columns: ["actual", "a", "b"], data: [["a", 3, 1], ["b", 0, 4]] },
    });
    // A table given to log() travels as a table record (paged by the tables route), not in the summary.
    const tableOf = async (runId: string) => (await fetch(`${server.url}/api/v1/projects/twins/py/runs/${runId}/tables/samples`)).json();
    const samples = await tableOf(a!.id) as { columns: { name: string }[]; rows: unknown[][]; total: number };
    expect(samples).toMatchObject({ total: 2, rows: [[1, "one"], [2, "two"]] });
    expect(samples.columns.map((c) => c.name)).toEqual(["input", "label"]);
    expect(await tableOf(b!.id)).toEqual(samples);

    const rowsA = withoutTime(await historyRows(server.url, "twins/py", a!.id));
    expect(rowsA.length).toBeGreaterThanOrEqual(300);
    expect(rowsA[3]).toMatchObject({ _step: 3, late: 5, weird: 3 });
    expect(rowsA[7]).toMatchObject({ weird: "NaN" });
    expect(rowsA[8]).toMatchObject({ weird: "-Infinity" });
    expect(rowsA[50]).toMatchObject({ "val/acc": 0.55, "train/acc": 50 / 300 });
    expect(withoutTime(await historyRows(server.url, "twins/py", b!.id))).toEqual(rowsA);

    const keys = await histogramKeys(server.url, "twins/py", a!.id);
    expect([...keys].sort()).toEqual(["fixed", "grads", "weights"]);
    expect(await histogramKeys(server.url, "twins/py", b!.id)).toEqual(keys);
    for (const key of keys) {
      const ha = await histograms(server.url, "twins/py", a!.id, key);
      expect(ha.steps).toEqual([...Array(12).keys()].map((k) => k * 25));
      expect(await histograms(server.url, "twins/py", b!.id, key)).toEqual(ha);
    }
    const weights = await histograms(server.url, "twins/py", a!.id, "weights");
    for (const h of weights.histograms) {
      expect(h.counts).toHaveLength(64);
      expect(h.counts.reduce((s, c) => s + c, 0)).toBe(500);
    }
    const grads = await histograms(server.url, "twins/py", a!.id, "grads");
    expect(grads.histograms.every((h) => h.counts.length === 16)).toBe(true);
    expect((await histograms(server.url, "twins/py", a!.id, "fixed")).histograms[4]).toEqual({ bins: [-1, 0, 0.5, 2], counts: [100, 2, 3] });

    const second = await runCli(["sync", offline.path], { ORRERY_URL: server.url });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 records sent/);
    const { "twin-offline": again } = await byName();
    expect(again!.lastSeq).toBe(b!.lastSeq);
    expect(withoutTime(await historyRows(server.url, "twins/py", b!.id))).toEqual(rowsA);
  });

  it("a Python script stopped with SIGTERM finishes its run as failed with exit code 143 and uploads everything", async () => {
    const { server, spool } = await setup();
    const child = spawnPython([join(FIXTURES, "python_wait.py")], { ORRERY_URL: server.url, ORRERY_DIR: spool, ORRERY_ENTITY: "x", RUN_NAME: "terminated" });
    cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
    await new Promise<void>((res, rej) => {
      child.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("ready")) res(); });
      child.on("exit", () => rej(new Error(`exited before it was ready\n${stderr}`)));
    });
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on("exit", (c, s) => res([c, s])));
    // Either dying of the signal (as the TypeScript SDK does) or exiting with 128 + 15 tells the shell the same.
    expect(signal === "SIGTERM" || code === 143, `exit ${code} ${signal}\n${stderr}`).toBe(true);
    const [run] = await runsOf(server.url, "x/exits");
    expect(run).toMatchObject({ name: "terminated", state: "failed", exitCode: 143 });
    expect(await historyRows(server.url, "x/exits", run!.id)).toHaveLength(11);
  });

  it("a Python script that raises finishes its run as failed with exit code 1 and uploads everything", async () => {
    const { server, spool } = await setup();
    const res = await runPython([join(FIXTURES, "python_wait.py")], { ORRERY_URL: server.url, ORRERY_DIR: spool, ORRERY_ENTITY: "x", RUN_NAME: "raised", RAISE: "1" });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/ValueError: training diverged/);
    const [run] = await runsOf(server.url, "x/exits");
    expect(run).toMatchObject({ name: "raised", state: "failed", exitCode: 1 });
    const rows = await historyRows(server.url, "x/exits", run!.id);
    expect(rows.map((r) => r.partial)).toEqual([...Array(11).keys()]);
  });
});
