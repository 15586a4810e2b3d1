/**
 * A progress bar for long work, shown only when stdout and stderr are terminals (never in pipes, CI or
 * `--json` runs). It draws on stderr so stdout stays clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances by `n` steps, optionally naming the current step. */
  tick(n?: number, step?: string): void;
  stop(): void;
}

const silent: Progress = { tick() {}, stop() {} };

export function createProgress(label: string, total: number): Progress {
  if (!process.stdout.isTTY || !process.stderr.isTTY || process.env.CI) return silent;
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {step} | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { step: '' });
  return {
    tick(n = 1, step = '') {
      bar.increment(n, { step });
    },
    stop() {
      bar.stop();
    },
  };
}
