/**
 * Where a training run's time goes: `trainModels` on a file with each step's seconds and the process's peak
 * RSS (the kernel's high-water mark, so a peak inside a long synchronous step counts too).
 *
 * Usage: node --import tsx bench/train-steps.ts <file.csv> <target> <models> [out] [param ...]
 * With an activity log: TRAIN_STEPS_ACTIVITIES=<file> TRAIN_STEPS_AS_OF=created_at+30d TRAIN_STEPS_DATE=created_at.
 */
import { rm } from 'node:fs/promises';
import { trainModels } from '../src/train/train.ts';

export interface StepTiming { step: string; seconds: number; /** The process's peak RSS by the end of the step, MiB. */ peakMiB: number; /** The JavaScript heap in use at the end of the step, MiB. */ heapMiB: number }

/**
 * Trains and times each step (the gap between `onStep` calls), with the peak RSS in MiB.
 *
 * @example
 * const { steps, peakMiB } = await timedTrain('/tmp/scale-1m.csv', 'converted', ['gbdt'], '/tmp/run');
 */
export async function timedTrain(path: string, target: string, models: string[], out: string, params: string[] = []): Promise<{ steps: StepTiming[]; seconds: number; peakMiB: number }> {
  const steps: StepTiming[] = [];
  let last = performance.now();
  let name = 'start';
  try {
    const env = process.env;
    const activities = env.TRAIN_STEPS_ACTIVITIES ? { activities: { path: env.TRAIN_STEPS_ACTIVITIES }, asOf: env.TRAIN_STEPS_AS_OF ?? 'created_at+30d' } : {};
    await trainModels({ data: { path }, target, models: ['rules', ...models] as never, out, params, ...activities, ...(env.TRAIN_STEPS_DATE ? { date: env.TRAIN_STEPS_DATE } : {}), onStep: (step) => {
      const now = performance.now();
      // With --expose-gc, the heap is measured after a full collection: what the step left alive.
      (globalThis as { gc?: () => void }).gc?.();
      steps.push({ step: name, seconds: (now - last) / 1000, peakMiB: process.resourceUsage().maxRSS / 1024, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 });
      if (process.env.TRAIN_STEPS_LIVE) process.stderr.write(`${name} done: ${steps.at(-1)!.seconds.toFixed(1)} s, heap ${steps.at(-1)!.heapMiB.toFixed(0)} MiB\n`);
      name = step;
      last = now;
    } });
  } finally {
    const end = performance.now();
    steps.push({ step: name, seconds: (end - last) / 1000, peakMiB: process.resourceUsage().maxRSS / 1024, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 });
  }
  const seconds = steps.reduce((s, x) => s + x.seconds, 0);
  // maxRSS is in KiB: the peak of this whole process, so run one training per process.
  return { steps: steps.filter((s) => s.step !== 'start' || s.seconds > 0.001), seconds, peakMiB: process.resourceUsage().maxRSS / 1024 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, target, models, out, ...params] = process.argv.slice(2);
  if (!path || !target || !models) {
    process.stderr.write('usage: node --import tsx bench/train-steps.ts <file.csv> <target> <models> [out]\n');
    process.exit(2);
  }
  const dir = out ?? `/tmp/leadscore-train-steps-${process.pid}`;
  const { steps, seconds, peakMiB } = await timedTrain(path, target, models.split(','), dir, params);
  for (const s of steps) process.stdout.write(`${s.step.padEnd(28)} ${s.seconds.toFixed(2).padStart(8)} s   peak so far ${s.peakMiB.toFixed(0)} MiB\n`);
  process.stdout.write(`${'total'.padEnd(28)} ${seconds.toFixed(2).padStart(8)} s   peak RSS ${peakMiB.toFixed(0)} MiB\n`);
  if (!out) await rm(dir, { recursive: true, force: true });
}
