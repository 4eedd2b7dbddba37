// Owns the agent's flapping rule: when runs keep failing right at start (a typo in the command, a
// missing module), the agent stops instead of burning through the sweep. Pure: times are passed in.

export interface FlappingRule {
  /** A run that fails within this many ms of starting counts as a startup failure. */
  startupWindowMs: number;
  /** Stop when this many of the first `firstRuns` runs failed at start (W&B: 3 of the first 5)... */
  maxInitialFailures: number;
  firstRuns: number;
  /** ...or when this many runs in a row failed at start, at any point in the agent's life. */
  maxConsecutiveFailures: number;
}

export const DEFAULT_FLAPPING: FlappingRule = { startupWindowMs: 5_000, maxInitialFailures: 3, firstRuns: 5, maxConsecutiveFailures: 5 };

export class FlappingDetector {
  private runs = 0;
  private initialFailures = 0;
  private consecutive = 0;

  constructor(private readonly rule: FlappingRule = DEFAULT_FLAPPING) {}

  /** Whether a run that ended after `elapsedMs` with this outcome is a startup failure. */
  isStartupFailure(failed: boolean, elapsedMs: number): boolean {
    return failed && elapsedMs < this.rule.startupWindowMs;
  }

  /** Records one finished run; returns a sentence saying why the agent must stop, or null to go on. */
  record(startupFailure: boolean): string | null {
    this.runs++;
    if (startupFailure) {
      this.consecutive++;
      if (this.runs <= this.rule.firstRuns) this.initialFailures++;
    } else {
      this.consecutive = 0;
    }
    const secs = this.rule.startupWindowMs / 1000;
    if (this.initialFailures >= this.rule.maxInitialFailures && this.runs <= this.rule.firstRuns) {
      return `${this.initialFailures} of the first ${this.runs} runs failed within ${secs}s of starting`;
    }
    if (this.consecutive >= this.rule.maxConsecutiveFailures) {
      return `the last ${this.consecutive} runs in a row failed within ${secs}s of starting`;
    }
    return null;
  }
}
