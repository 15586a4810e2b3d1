import { join } from 'node:path';
import { writeSample } from '../../src/data/sample/synthetic.ts';
import { tempDir } from '../helpers.ts';

/** A small generated sample (3,000 leads) in a temporary folder. */
export async function smallSample(): Promise<{ dir: string; leads: string; activities: string }> {
  const dir = await tempDir();
  await writeSample(dir, { rows: 3000, seed: 5 });
  return { dir, leads: join(dir, 'leads.csv'), activities: join(dir, 'activities.csv') };
}
