// Owns one trial's subprocess: start the command in its own process group with the trial's
// environment and the agent's stdout/stderr, and stop it (SIGTERM, then SIGKILL after a grace
// period) so that workers the script forked stop with it. Talking to the server is loop.ts's job.
import { spawn, type ChildProcess } from "node:child_process";

export interface TrialOutcome {
  /** The exit code, or null when the process died of a signal. 127 when the command could not start. */
  exitCode: number | null;
  signal: string | null;
  /** The command could not be started at all (not found, not executable). */
  spawnError?: string;
}

export class TrialProcess {
  readonly startedAt: number;
  readonly done: Promise<TrialOutcome>;
  private readonly child: ChildProcess;
  private killTimer: NodeJS.Timeout | undefined;
  private exited = false;
  /** Set once stop() was called: the run ended because we asked it to. */
  stopRequested = false;

  constructor(argv: string[], env: NodeJS.ProcessEnv, now: number) {
    this.startedAt = now;
    // detached: a process group of its own, so signals reach the script's own children too.
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ["inherit", "inherit", "inherit"], env, detached: true });
    this.done = new Promise((resolve) => {
      this.child.once("error", (err: NodeJS.ErrnoException) => {
        this.exited = true;
        resolve({ exitCode: 127, signal: null, spawnError: `${argv[0]}: ${err.code === "ENOENT" ? "command not found" : err.message}` });
      });
      this.child.once("exit", (code, signal) => {
        this.exited = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ exitCode: code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM now, SIGKILL if still alive after `graceMs`. Safe to call again (a repeat with 0 kills at once). */
  stop(graceMs: number): void {
    this.stopRequested = true;
    if (this.exited) return;
    if (graceMs <= 0) { this.signal("SIGKILL"); return; }
    this.signal("SIGTERM");
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => this.signal("SIGKILL"), graceMs);
      this.killTimer.unref();
    }
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig); // the whole group
    } catch {
      try { this.child.kill(sig); } catch { /* already gone */ }
    }
  }
}
