/**
 * Where a training run's time goes: `trainModels` on a file with each step's seconds and the peak RSS
 * (sampled every 50 ms), as the bench's scale case reports them.
 *
 * Usage: node --import tsx bench/train-steps.ts <file.csv> <target> <models> [out]
 */
import { rm } from 'node:fs/promises';
import { trainModels } from '../src/train/train.ts';

export interface StepTiming { step: string; seconds: number }

/**
 * Trains and times each step (the gap between `onStep` calls), with the peak RSS in MiB.
 *
 * @example
 * const { steps, peakMiB } = await timedTrain('/tmp/scale-1m.csv', 'converted', ['gbdt'], '/tmp/run');
 */
export async function timedTrain(path: string, target: string, models: string[], out: string): Promise<{ steps: StepTiming[]; seconds: number; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const steps: StepTiming[] = [];
  const start = performance.now();
  let last = start;
  let name = 'start';
  try {
    await trainModels({ data: { path }, target, models: ['rules', ...models] as never, out, onStep: (step) => {
      const now = performance.now();
      steps.push({ step: name, seconds: (now - last) / 1000 });
      name = step;
      last = now;
    } });
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  steps.push({ step: name, seconds: (end - last) / 1000 });
  peak = Math.max(peak, process.memoryUsage().rss);
  return { steps: steps.filter((s) => s.step !== 'start' || s.seconds > 0.001), seconds: (end - start) / 1000, peakMiB: peak / 2 ** 20 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, target, models, out] = process.argv.slice(2);
  if (!path || !target || !models) {
    process.stderr.write('usage: node --import tsx bench/train-steps.ts <file.csv> <target> <models> [out]\n');
    process.exit(2);
  }
  const dir = out ?? `/tmp/leadscore-train-steps-${process.pid}`;
  const { steps, seconds, peakMiB } = await timedTrain(path, target, models.split(','), dir);
  for (const s of steps) process.stdout.write(`${s.step.padEnd(28)} ${s.seconds.toFixed(2).padStart(8)} s\n`);
  process.stdout.write(`${'total'.padEnd(28)} ${seconds.toFixed(2).padStart(8)} s   peak RSS ${peakMiB.toFixed(0)} MiB\n`);
  if (!out) await rm(dir, { recursive: true, force: true });
}
