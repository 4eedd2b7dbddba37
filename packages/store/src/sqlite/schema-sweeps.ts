// Owns the SQLite schema of sweeps: the sweep rows, the trials handed to agents, and the agents.
// What these rows mean is stated on SweepStore in ../interfaces.ts; queries live in sweeps.ts.
import type { Migration } from "./migrations.js";

export const SWEEPS_MIGRATION: Migration = {
  version: 5,
  name: "sweeps",
  sql: `
    -- Times are epoch ms. config is the parsed config (JSON), source what the user sent.
    CREATE TABLE sweeps (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      sweep_id TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'stopped', 'finished')),
      method TEXT NOT NULL,
      config TEXT NOT NULL,
      source TEXT NOT NULL,
      run_cap INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      version INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sweeps_by_project ON sweeps (project_id, created_at DESC, sweep_id DESC);

    -- seq is the creation order within the sweep. retry_of names the trial whose configuration
    -- this one runs again; the partial unique index makes "offered again once" a constraint.
    CREATE TABLE sweep_trials (
      sweep INTEGER NOT NULL REFERENCES sweeps(id),
      seq INTEGER NOT NULL,
      run_id TEXT NOT NULL,
      params TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('assigned', 'running', 'finished', 'failed', 'crashed', 'stopped', 'lost')),
      value REAL,
      attempt INTEGER NOT NULL,
      agent_id TEXT,
      created_at INTEGER NOT NULL,
      ended_at INTEGER,
      early_stopped INTEGER NOT NULL DEFAULT 0,
      retry_of TEXT,
      PRIMARY KEY (sweep, seq)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX sweep_trials_by_run ON sweep_trials (sweep, run_id);
    CREATE UNIQUE INDEX sweep_trials_retry ON sweep_trials (sweep, retry_of) WHERE retry_of IS NOT NULL;
    CREATE INDEX sweep_trials_run_id ON sweep_trials (run_id);
    CREATE INDEX sweep_trials_active ON sweep_trials (sweep, agent_id) WHERE state IN ('assigned', 'running');

    CREATE TABLE sweep_agents (
      id INTEGER PRIMARY KEY,
      sweep INTEGER NOT NULL REFERENCES sweeps(id),
      agent_id TEXT NOT NULL,
      host TEXT,
      pid INTEGER,
      interpreter TEXT,
      created_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      lost_at INTEGER,
      UNIQUE (sweep, agent_id)
    );
    CREATE INDEX sweep_agents_alive ON sweep_agents (heartbeat_at) WHERE lost_at IS NULL;
  `,
};
