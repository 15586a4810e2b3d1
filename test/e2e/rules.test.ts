import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../src/data/io/read.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';
import { tempDir, writeTemp } from '../helpers.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe('leadscore rules', () => {
  it('check: validates the sample rules against the sample data and prints them', () => {
    const r = cli('rules', 'check', SAMPLE.rules, '--data', SAMPLE.leads, '--activities', SAMPLE.activities);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/senior_buyer\s+fit\s+seniority in \[C-level, VP, Director\]\s+15/);
    expect(r.stdout).toContain('tiers: cold < 30 ≤ warm < 70 ≤ hot');
  });

  it('check: lists every problem with file and line, exit 2', async () => {
    const bad = await writeTemp(dir, 'bad.yaml', 'criteria:\n  - name: a\n    when: { column: x, op: equals, value: 1 }\n    points: 5\n  - name: a\n    when: { column: y, op: is_missing }\n    points: 1\n');
    const r = cli('rules', 'check', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${bad}:3: rule "a": unknown operator "equals"`);
    expect(r.stderr).toContain(`${bad}:5: rule "a": duplicate rule name (first used on line 2)`);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('check --data: names an unknown column', async () => {
    const rules = await writeTemp(dir, 'col.yaml', 'criteria:\n  - name: s\n    when: { column: senority, op: eq, value: VP }\n    points: 5\n');
    const r = cli('rules', 'check', rules, '--data', SAMPLE.leads);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rule "s": unknown column "senority" (did you mean "seniority"?)');
  });

  it('score: writes the rule columns in CSV, NDJSON and Parquet, same values', async () => {
    const outputs = ['scores.csv', 'scores.ndjson', 'scores.parquet'].map((f) => join(dir, f));
    for (const output of outputs) {
      const r = cli('rules', 'score', '--rules', SAMPLE.rules, '--input', SAMPLE.leads, '--activities', SAMPLE.activities,
        '--as-of', 'created_at+30d', '--output', output, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ rows: 20000 });
    }
    const [csv, ndjson, parquet] = await Promise.all(outputs.map((path) => readTable({ path })));
    expect(csv!.names).toEqual(['lead_id', 'rule_score', 'rule_tier', 'grade', 'action', 'reasons', 'fit_points', 'engagement_points']);
    expect(ndjson!.names).toEqual(csv!.names);
    expect(parquet!.names).toEqual(csv!.names);
    expect(ndjson!.columns[1]!.map(Number)).toEqual(csv!.columns[1]!.map(Number));
    expect(parquet!.columns[5]).toEqual(ndjson!.columns[5]);
    expect(csv!.columns[0]![0]).toBe('L000001');
  });

  it('score: refuses to overwrite its input and leaves it untouched', async () => {
    const input = await writeTemp(dir, 'in.csv', await readFile(SAMPLE.leads, 'utf8'));
    const before = await stat(input);
    const r = cli('rules', 'score', '--rules', SAMPLE.rules, '--input', input, '--activities', SAMPLE.activities, '--as-of', '2026-01-01', '--output', input);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to overwrite the input file');
    expect((await stat(input)).mtimeMs).toBe(before.mtimeMs);
  });

  it('score: a pattern that backtracks exponentially in JavaScript (^(a+)+$) on a long value finishes at once (linear-time matching)', async () => {
    const rules = await writeTemp(dir, 'redos.yaml', 'criteria:\n  - name: odd_job\n    when: { column: job, op: matches, value: "^(a+)+$" }\n    points: 10\n  - name: chief\n    when: { column: job, op: matches, value: "CHIEF|^vp" }\n    points: 20\n');
    const input = await writeTemp(dir, 'redos.csv', `lead_id,job\nL1,${'a'.repeat(40)}!\nL2,${'a'.repeat(5000)}\nL3,Chief of staff\nL4,VP Sales\n`);
    const output = join(dir, 'redos-out.csv');
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'rules', 'score', '--rules', rules, '--input', input, '--output', output, '--reasons', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, 'killed by the time limit: the pattern backtracked').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const scores = (await readFile(output, 'utf8')).trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
    expect(scores).toEqual([0, 10, 20, 20]);
  }, 40_000);

  it('score: asks for the activity log when the rules count events', () => {
    const r = cli('rules', 'score', '--rules', SAMPLE.rules, '--input', SAMPLE.leads, '--output', join(dir, 'x.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass the activity log (--activities <file>)');
  });

  it('draft: writes a valid rule file with fitted half-lives, and will not overwrite it', async () => {
    const out = join(dir, 'drafted.yaml');
    const args = ['rules', 'draft', '--data', SAMPLE.leads, '--target', 'converted', '--exclude', 'converted_at',
      '--activities', SAMPLE.activities, '--as-of', 'created_at+30d', '--out', out];
    const r = cli(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fitted half-lives');
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/^# Drafted by leadscore rules draft/);
    expect(text).toContain('half_life_days');
    expect(cli('rules', 'check', out, '--data', SAMPLE.leads, '--activities', SAMPLE.activities).code).toBe(0);
    const again = cli(...args);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('draft: needs --as-of with activities', () => {
    const r = cli('rules', 'draft', '--data', SAMPLE.leads, '--target', 'converted', '--activities', SAMPLE.activities, '--out', join(dir, 'y.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: add --as-of, e.g. --as-of created_at+30d');
  });
});
