/**
 * The package as a user installs it: `npm pack`, the tarball installed into an empty project, and plain
 * `node` (no TypeScript loader) importing it, training on generated leads and scoring them; the
 * probabilities equal those the installed `leadscore score` command writes for the same model.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/io/csv.ts';
import { tempDir } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const SCRIPT = `import { writeSample, train, score } from 'leadscore';
import { writeFileSync } from 'node:fs';
const dir = process.argv[2];
await writeSample(dir, { rows: 3000, seed: 7 });
const { runDir, metrics } = await train({ data: { path: dir + '/leads.csv' }, target: 'converted', exclude: ['converted_at'], out: dir + '/run', params: ['gbdt.trees=30'] });
const scored = await score({ model: runDir + '/logistic.model.json', input: { path: dir + '/leads.csv' } });
writeFileSync(dir + '/library.json', JSON.stringify({ models: metrics.models.map((m) => m.name), loader: process.execArgv, probability: scored.columns[scored.names.indexOf('probability')] }));
`;

describe('the packed package', () => {
  it('installs from its tarball and works from plain node: train, score, the same probabilities as its CLI', async () => {
    const dir = await tempDir();
    const project = join(dir, 'consumer');
    await mkdir(project);
    // npm pack builds dist/ first (the prepare script), as publishing would.
    execFileSync(NPM, ['pack', '--pack-destination', project], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, LEADSCORE_SOURCES: '' } });
    const tarball = (await readdir(project)).find((f) => f.endsWith('.tgz'))!;
    // arquero 8 needs its flechette pinned (README, "Use as a library"): a consumer project says so too.
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', overrides: { '@uwdata/flechette': '2.5.0' } }));
    execFileSync(NPM, ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, stdio: 'pipe' });
    await writeFile(join(project, 'use.mjs'), SCRIPT);
    const { LEADSCORE_SOURCES: _sources, ...env } = process.env;
    execFileSync(process.execPath, ['use.mjs', dir], { cwd: project, stdio: 'pipe', env });
    const library = JSON.parse(await readFile(join(dir, 'library.json'), 'utf8')) as { models: string[]; loader: string[]; probability: number[] };
    expect(library.loader).toEqual([]); // no TypeScript loader
    expect(library.models.sort()).toEqual(['gbdt', 'logistic', 'rules']);

    // The installed command, on the same model and leads.
    const bin = join(project, 'node_modules', 'leadscore', 'bin', 'leadscore.js');
    execFileSync(process.execPath, [bin, 'score', '--model', join(dir, 'run', 'logistic.model.json'), '--input', join(dir, 'leads.csv'), '--output', join(dir, 'cli.csv')], { cwd: project, stdio: 'pipe', env });
    const cli = parseCsv(await readFile(join(dir, 'cli.csv'), 'utf8'), ',');
    const probability = cli.columns[cli.names.indexOf('probability')]!.map(Number);
    expect(probability).toHaveLength(3000);
    expect(library.probability).toEqual(probability);
  }, 240_000);
});
