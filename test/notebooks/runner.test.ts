/**
 * `npm run notebooks` (scripts/notebooks.mjs) fails when a cell fails: a notebook with a deliberate error
 * makes it exit 1 and name the notebook and the error, while a sound one beside it passes. The notebooks
 * themselves run in CI through `npm run notebooks` (.ci/run). Skipped with a message where Debian's
 * Jupyter is absent (apt-get install jupyter-nbconvert python3-ipykernel).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HAVE_JUPYTER = existsSync('/usr/bin/jupyter-nbconvert');
if (!HAVE_JUPYTER) console.warn('jupyter-nbconvert not found: the notebook runner test is skipped (apt-get install jupyter-nbconvert python3-ipykernel)');

const notebook = (...cells: string[]) => JSON.stringify({
  cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: [source] })),
  metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } }, nbformat: 4, nbformat_minor: 5,
});

describe.skipIf(!HAVE_JUPYTER && process.env.LEADSCORE_CI !== '1')('npm run notebooks', () => {
  it('fails on a notebook with a deliberate error, naming it and the error; a sound notebook passes', async () => {
    const dir = await tempDir();
    const good = join(dir, 'good.ipynb');
    const bad = join(dir, 'bad.ipynb');
    await writeFile(good, notebook('const x: number = 6 * 7;\nconsole.log(x);'));
    await writeFile(bad, notebook('console.log("before");', 'throw new Error("a deliberate error in cell two");', 'console.log("never");'));
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'notebooks.mjs'), good, bad], { encoding: 'utf8', timeout: 420_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ok {4}good\.ipynb/m);
    expect(r.stdout).toMatch(/^FAIL {2}bad\.ipynb/m);
    expect(r.stdout).toContain('a deliberate error in cell two');
    expect(r.stdout).toContain('1 of 2 notebooks ran without an error');
  }, 440_000);
});
