/**
 * Faults a user's machine deals leadscore (issue 23), with real processes: `kill -9` of `score` and of
 * `train` midway leaves no output file or run folder and the next run succeeds (and clears what the killed
 * one left); a write the machine refuses halfway (a file-size limit, as a full disk would) is a clear
 * exit-2 error with nothing written; two `score` processes writing one path at once leave one complete
 * file; reruns with the same input and seed are byte-identical.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
const SAMPLE = resolve(import.meta.dirname, '..', '..', 'data', 'sample', 'leads.csv');

function cli(args: string[], shell?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const [file, argv] = shell ? ['bash', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
    execFile(file, argv, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

/** Starts a command, waits until `ready()` holds (polling), then kills it with SIGKILL; resolves with the signal it died of. */
async function killWhen(args: string[], ready: () => Promise<boolean>): Promise<NodeJS.Signals | null> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    if (await ready()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  return exited;
}

let dir: string;
let big: string;
let model: string;
beforeAll(async () => {
  dir = await tempDir();
  // 200,000 leads: the sample repeated with distinct ids, long enough to be killed midway.
  const [header, ...lines] = (await readFile(SAMPLE, 'utf8')).trimEnd().split('\n');
  const out = [header];
  for (let k = 0; k < 10; k++) for (const line of lines) out.push(line.replace(/^L/, `L${k}-`));
  big = join(dir, 'big.csv');
  await writeFile(big, `${out.join('\n')}\n`);
  const trained = await cli(['train', '--data', SAMPLE, '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic,gbdt', '--out', join(dir, 'run')]);
  expect(trained.code, trained.stderr).toBe(0);
  model = join(dir, 'run', 'gbdt.model.json');
}, 240_000);

describe('kill -9 midway', () => {
  it('of score: no output file, the input intact, and the next run succeeds and clears the temporary file', async () => {
    const before = await sha(big);
    const output = join(dir, 'killed', 'scores.csv');
    const partial = async () => (await readdir(join(dir, 'killed')).catch(() => [] as string[])).some((f) => f.startsWith('scores.csv.tmp-'));
    const signal = await killWhen(['score', '--model', model, '--input', big, '--output', output, '--threads', '1'], partial);
    expect(signal).toBe('SIGKILL');
    expect(existsSync(output)).toBe(false);
    expect(await sha(big)).toBe(before);
    const again = await cli(['score', '--model', model, '--input', big, '--output', output]);
    expect(again.code, again.stderr).toBe(0);
    expect((await readFile(output, 'utf8')).trimEnd().split('\n')).toHaveLength(200_001);
    expect(await readdir(join(dir, 'killed'))).toEqual(['scores.csv']);
  }, 120_000);

  it('of train: no run folder, and the next run into the same folder succeeds and clears the staging folder', async () => {
    const runDir = join(dir, 'killed-run');
    const staged = async () => (await readdir(dir)).some((f) => f.startsWith('.killed-run.partial-'));
    const signal = await killWhen(['train', '--data', big, '--target', 'converted', '--exclude', 'converted_at', '--models', 'gbdt', '--out', runDir], async () => {
      if (!(await staged())) return false;
      await new Promise((r) => setTimeout(r, 1500)); // midway through reading and fitting
      return true;
    });
    expect(signal).toBe('SIGKILL');
    expect(existsSync(runDir)).toBe(false);
    expect(await staged()).toBe(true); // what the killed process left, until the next run
    const again = await cli(['train', '--data', SAMPLE, '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic', '--out', runDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(runDir, 'metrics.json'))).toBe(true);
    expect(await staged()).toBe(false);
  }, 180_000);
});

describe('a write the machine refuses halfway (a file-size limit, as a full disk would)', () => {
  // bash ignores SIGXFSZ, so a write past `ulimit -f` fails with EFBIG instead of killing the process.
  const limit = (blocks: number) => `trap "" XFSZ; ulimit -f ${blocks}`;

  it('score: exit 2 saying so, no output file, no temporary file', async () => {
    const folder = join(dir, 'full-score');
    const r = await cli(['score', '--model', model, '--input', big, '--output', join(folder, 'scores.csv')], limit(4000));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write .*\(EFBIG\); nothing was written$/m);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(await readdir(folder)).toEqual([]);
  }, 120_000);

  it('train: exit 2 saying so, no run folder', async () => {
    const runDir = join(dir, 'full-run');
    const r = await cli(['train', '--data', SAMPLE, '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic', '--out', runDir], limit(100));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write .*\(EFBIG\); nothing was written$/m);
    expect(existsSync(runDir)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.startsWith('.full-run'))).toEqual([]);
  }, 120_000);
});

describe('two score processes writing one path at once', () => {
  it('leave one complete file, byte for byte what one process writes alone', async () => {
    const solo = join(dir, 'solo.csv');
    expect((await cli(['score', '--model', model, '--input', big, '--output', solo])).code).toBe(0);
    const shared = join(dir, 'race', 'scores.csv');
    const [a, b] = await Promise.all([
      cli(['score', '--model', model, '--input', big, '--output', shared, '--force']),
      cli(['score', '--model', model, '--input', big, '--output', shared, '--force']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(await sha(shared)).toBe(await sha(solo));
    expect(await readdir(join(dir, 'race'))).toEqual(['scores.csv']);
  }, 180_000);
});

describe('reruns with the same input and seed', () => {
  it.each(['csv', 'ndjson', 'parquet'])('score writes byte-identical %s', async (format) => {
    const a = join(dir, `again-a.${format}`);
    const b = join(dir, `again-b.${format}`);
    for (const path of [a, b]) {
      const r = await cli(['score', '--model', join(dir, 'run', 'logistic.model.json'), '--input', SAMPLE, '--output', path]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(await sha(a)).toBe(await sha(b));
  }, 120_000);

  it('rules draft writes a byte-identical rule file', async () => {
    const paths = [join(dir, 'draft-a.yaml'), join(dir, 'draft-b.yaml')];
    for (const path of paths) {
      const r = await cli(['rules', 'draft', '--data', SAMPLE, '--target', 'converted', '--exclude', 'converted_at', '--out', path]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(await sha(paths[0]!)).toBe(await sha(paths[1]!));
  }, 120_000);

  it('train writes byte-identical models, holdout.csv and metrics.json apart from the fit times', async () => {
    const runs = [join(dir, 'same-a'), join(dir, 'same-b')];
    for (const out of runs) {
      const r = await cli(['train', '--data', SAMPLE, '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic,gbdt', '--seed', '9', '--out', out], 'export SOURCE_DATE_EPOCH=1767225600');
      expect(r.code, r.stderr).toBe(0);
    }
    for (const file of ['logistic.model.json', 'gbdt.model.json', 'holdout.csv', 'rules.yaml']) {
      expect(await sha(join(runs[0]!, file)), file).toBe(await sha(join(runs[1]!, file)));
    }
    const metrics = async (run: string) => JSON.stringify(JSON.parse(await readFile(join(run, 'metrics.json'), 'utf8'), (k, v) => (k === 'fitSeconds' ? undefined : v)));
    expect(await metrics(runs[0]!)).toBe(await metrics(runs[1]!));
  }, 240_000);
});
