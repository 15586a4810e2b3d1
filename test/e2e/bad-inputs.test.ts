/**
 * The bad-input corpus (test/fixtures/bad/corpus.ts) through the CLI, each case in a fresh `leadscore`
 * process: a refused case exits 2 with an `error:` line naming the problem and a `hint:`, no stack trace,
 * and leaves its folder as it was (no output file or folder); a case that should be read is read right.
 * No input file changes (SHA-256 before and after).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseCsv, type Case, CASES } from '../fixtures/bad/corpus.ts';
import { tempDir } from '../helpers.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', ...env }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under a folder with its SHA-256 (folders listed too, by name). */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        out.set(`${path}/`, 'folder');
        await walk(path);
      } else if (entry.isFile()) {
        out.set(path, createHash('sha256').update(await readFile(path)).digest('hex'));
      } else {
        out.set(path, 'other');
      }
    }
  };
  await walk(root);
  return out;
}

let base: string;
let scratch: string;
beforeAll(async () => {
  scratch = await tempDir();
  base = join(scratch, 'base');
  await mkdir(base, { recursive: true });
  await writeFile(join(base, 'base.csv'), baseCsv());
  const trained = await cli(['train', '--data', join(base, 'base.csv'), '--target', 'converted', '--models', 'rules,logistic,gbdt,mlp', '--param', 'mlp.epochs=5', '--out', join(base, 'run')]);
  expect(trained.code, trained.stderr).toBe(0);
}, 180_000);

describe('the bad-input corpus', () => {
  it('holds at least 80 cases, every group covered', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => c.group))).toEqual(new Set(['files', 'values', 'targets', 'rules', 'models', 'scoring', 'sql', 'usage']));
  });

  describe.concurrent.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c: Case, i) => {
    it(c.refused !== undefined ? 'is refused with exit 2, an error naming it and a hint' : 'is read right', async () => {
      const dir = join(scratch, `case-${i}`);
      await mkdir(dir, { recursive: true });
      const read = (name: string) => require_(join(base, name));
      for (const [name, content] of Object.entries(c.files ?? {})) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), typeof content === 'function' ? content(read) : content);
      }
      for (const [name, target] of Object.entries(c.links ?? {})) await symlink(target, join(dir, name));
      const before = await snapshot(dir);
      const baseBefore = await snapshot(base);
      const args = c.args.map((a) => a.replaceAll('{dir}', dir).replaceAll('{base}', base));
      const r = await cli(args, c.env);
      const said = `exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}\nstdout: ${r.stdout.slice(0, 500)}`;
      expect(r.stderr, said).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(await snapshot(base), 'the base files changed').toEqual(baseBefore);
      if (c.refused !== undefined) {
        expect(r.code, said).toBe(2);
        const error = r.stderr.split('\n').find((l) => l.startsWith('error: '));
        expect(error, said).toBeDefined();
        if (typeof c.refused === 'string') expect(error, said).toContain(c.refused);
        else expect(error, said).toMatch(c.refused);
        expect(r.stderr, said).toMatch(/^hint: .+/m);
        expect(await snapshot(dir), 'a refused run left files behind or changed its inputs').toEqual(before);
        for (const path of c.noOutput ?? []) expect(existsSync(join(dir, path)), path).toBe(false);
      } else {
        expect(r.code, said).toBe(0);
        const after = await snapshot(dir);
        for (const [path, hash] of before) expect(after.get(path), `${path} changed`).toBe(hash);
        await c.read!({ stdout: r.stdout, stderr: r.stderr, dir });
      }
    }, 120_000);
  });
});

function require_(path: string): Buffer {
  // The corpus's file makers read the scratch folder synchronously (a model copied and edited, say).
  return Buffer.from(readFileSyncCompat(path));
}
import { readFileSync as readFileSyncCompat } from 'node:fs';
void stat;
