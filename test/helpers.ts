/** Test helpers: temporary folders and the shared datasets (skipped with a message when absent). */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const SHARED_DATASETS = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');
export const BANK = join(SHARED_DATASETS, 'bank-marketing.csv');
export const SHOPPERS = join(SHARED_DATASETS, 'online-shoppers-intention.csv');
export const HAVE_SHARED = existsSync(BANK) && existsSync(SHOPPERS);
if (!HAVE_SHARED) {
  console.warn(`shared datasets not found at ${SHARED_DATASETS}: tests on real data are skipped`);
}

/** A temporary folder removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leadscore-test-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a file into a folder and returns its path. */
export async function writeTemp(dir: string, name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
