/**
 * A progress bar for long work, shown only when stdout and stderr are terminals (never in pipes, CI or
 * `--json` runs). It draws on stderr so stdout stays clean.
 */
import cliProgress from 'cli-progress';
import { thousands } from '../thousands.ts';

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

export interface ThroughputProgress {
  update(rows: number, bytes: number, totalBytes: number): void;
  /** Ends the bar and says what comes next (a step without its own progress). */
  then(step: string): void;
  stop(): void;
}

/** A bar over the bytes of an input file, showing rows done, rows per second and the ETA (terminals only). */
export function createThroughputProgress(label: string, file: string): ThroughputProgress {
  if (!process.stdout.isTTY || !process.stderr.isTTY || process.env.CI) return { update() {}, then() {}, stop() {} };
  const start = performance.now();
  const bar = new cliProgress.SingleBar({
    format: `${label} ${file} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(rows, bytes, totalBytes) {
      const rate = thousands(Math.round(rows / Math.max(1e-3, (performance.now() - start) / 1000)));
      if (!started) {
        bar.start(totalBytes, 0, { rows: 0, rate: '0' });
        started = true;
      }
      bar.update(bytes, { rows: thousands(rows), rate });
    },
    then(step) {
      if (started) bar.stop();
      started = false;
      process.stderr.write(`${label} ${file}: ${step}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
