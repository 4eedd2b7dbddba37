// Owns progress bars for long work (sync, demo). Bars draw only on a terminal; elsewhere a
// few plain lines are printed so logs stay readable.
import cliProgress from "cli-progress";

export interface Progress { update(done: number, total: number): void; stop(): void }

export function progressBar(label: string): Progress {
  if (!process.stderr.isTTY) {
    let lastPct = -1;
    return {
      update(done, total) {
        const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
        if (pct >= lastPct + 25 || (pct === 100 && lastPct !== 100)) { lastPct = pct; process.stderr.write(`${label}: ${done}/${total}\n`); }
      },
      stop() { /* nothing to clear */ },
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) { bar.start(total, done); started = true; }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() { if (started) bar.stop(); },
  };
}
