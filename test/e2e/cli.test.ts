import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BANK, HAVE_SHARED, SHOPPERS, tempDir, writeTemp } from '../helpers.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A bad-input failure: exit 2, one error line and a hint, no stack trace. */
function expectUsageError(r: ReturnType<typeof cli>, message: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).toContain(message);
  expect(r.stderr).toMatch(/^hint: .+/m);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toBe('');
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe('leadscore CLI', () => {
  it('prints help with its commands', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    for (const command of ['demo', 'generate', 'inspect', 'rules']) expect(r.stdout).toContain(command);
    expect(cli('inspect', '--help').stdout).toContain('--na <tokens>');
  });

  it('runs the demo: summary on stdout as JSON, summary.json written', async () => {
    const out = join(dir, 'demo');
    const r = cli('demo', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.dataset).toMatchObject({ rows: 20000, seed: 42 });
    expect(summary.splits.map((s: { kind: string }) => s.kind)).toEqual(['stratified', 'time', 'group']);
    expect(r.stderr).toContain('conversion by channel');
    const written = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(written.segments).toEqual(summary.segments);
    // The rule baseline: hand-written and drafted rules, hold-out AUC, conversion per tier.
    expect(summary.rules.holdoutAuc.handWritten).toBeGreaterThan(0.6);
    expect(summary.rules.holdoutAuc.drafted).toBeGreaterThan(0.6);
    expect(summary.rules.tiers.map((t: { segment: string }) => t.segment)).toEqual(['hot', 'warm', 'cold']);
    const rate = (t: string) => summary.rules.tiers.find((x: { segment: string }) => x.segment === t).rate;
    expect(rate('hot')).toBeGreaterThan(rate('warm'));
    expect(rate('warm')).toBeGreaterThan(rate('cold'));
    expect(r.stderr).toContain('hold-out AUC: hand-written rules');
    expect(summary.models.leaderboard.map((m: { name: string }) => m.name).sort()).toEqual(['gbdt', 'logistic', 'mlp', 'rules']);
    expect((await readFile(join(out, 'rule-scores.csv'), 'utf8')).split('\n')[0]).toBe('lead_id,rule_score,rule_tier,grade,action,reasons,fit_points,engagement_points');
    // The short backtest: quarters judged once mature, the model ahead of the rules in most of them.
    const walked = JSON.parse(await readFile(join(out, 'backtest', 'backtest.json'), 'utf8'));
    expect(walked.settings).toMatchObject({ period: 'quarter', maturity: 90 });
    const logistic = summary.backtest.summary.find((m: { name: string }) => m.name === 'logistic');
    expect(logistic.beatRules.wins).toBeGreaterThan(logistic.beatRules.of / 2);
    expect(r.stderr).toContain('backtest (each quarter scored');
    // The warehouse step: one SELECT per dialect, the DuckDB form giving leadscore's probabilities.
    // The learned scorecard: at most 20 criteria in whole points, within 0.01 hold-out AUC of the logistic
    // model and above the hand-written rules (the target), its CSV beside it.
    const card = summary.models.scorecard;
    expect(card.criteria).toBeLessThanOrEqual(20);
    expect(card.holdoutAuc.scorecard).toBeGreaterThanOrEqual(card.holdoutAuc.model - 0.01);
    expect(card.holdoutAuc.scorecard).toBeGreaterThan(card.holdoutAuc.rules);
    expect((await readFile(summary.files.scorecardCsv, 'utf8')).split('\n')[0]).toBe('criterion,label,family,column,operator,value,value_to,points,train_leads,train_conversion');
    // … trained from the sample as a Parquet table (its reading: no CSV delimiter, booleans typed).
    expect(summary.warehouse.table).toBe('leads.parquet');
    expect((await readFile(join(out, 'warehouse', 'leads.parquet'))).subarray(0, 4).toString()).toBe('PAR1');
    const warehouseModel = JSON.parse(await readFile(join(out, 'warehouse', 'run', 'logistic.model.json'), 'utf8'));
    expect(warehouseModel.reading.delimiter).toBeNull();
    expect(summary.warehouse.rows).toBe(20000);
    expect(summary.warehouse.maxAbsDiff).toBeLessThan(1e-9);
    for (const dialect of ['duckdb', 'postgres', 'bigquery', 'snowflake', 'spark']) expect(await readFile(join(out, 'warehouse', `score.${dialect}.sql`), 'utf8')).toMatch(/^-- leadscore export-sql: logistic@/);
    expect(r.stderr).toContain('warehouse SQL: logistic@');
    // The report of the demo's run, named last.
    expect(summary.files.report).toBe(join(out, 'run', 'report.html'));
    expect((await readFile(summary.files.report, 'utf8')).startsWith('<!doctype html>')).toBe(true);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^the report \(open it in a browser.*report\.html$/);
  }, 120_000); // a whole demo

  it('score and rules score: an existing --output is replaced only with --force; --reasons 0 means none, a negative count is refused', async () => {
    const model = join(dir, 'demo', 'run', 'logistic.model.json');
    const sample = resolve(import.meta.dirname, '..', '..', 'data', 'sample');
    const leads = await writeTemp(dir, 'few-leads.csv', `${(await readFile(join(sample, 'leads.csv'), 'utf8')).split('\n').slice(0, 201).join('\n')}\n`);
    const output = join(dir, 'few-scores.csv');
    const score = (...more: string[]) => cli('score', '--model', model, '--input', leads, '--activities', join(sample, 'activities.csv'), '--output', output, ...more);
    expect(score('--reasons', '0').code).toBe(0);
    const first = await readFile(output, 'utf8');
    expect(first.split('\n')[1]!.split(',')[6]).toBe(''); // no reasons
    expectUsageError(score(), `${output} already exists`);
    expect(await readFile(output, 'utf8')).toBe(first);
    expect(score('--force').code).toBe(0);
    expect(await readFile(output, 'utf8')).not.toBe(first); // reasons now
    const negative = score('--reasons', '-1', '--force');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('expected a whole number of at least 0 (0 for none)');
    // A day without new leads: the header alone, and the summary says so (no "NaN%").
    const none = await writeTemp(dir, 'no-leads.csv', `${(await readFile(join(sample, 'leads.csv'), 'utf8')).split('\n')[0]}\n`);
    const empty = cli('score', '--model', model, '--input', none, '--activities', join(sample, 'activities.csv'), '--output', join(dir, 'no-scores.csv'));
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no leads were scored: the input has no rows');
    expect(empty.stdout).not.toContain('NaN');
    const rulesOut = join(dir, 'few-rule-scores.csv');
    const rules = (...more: string[]) => cli('rules', 'score', '--rules', join(resolve(import.meta.dirname, '..', '..', 'data', 'rules'), 'sample.yaml'), '--input', leads, '--activities', join(sample, 'activities.csv'), '--as-of', 'created_at+30d', '--output', rulesOut, ...more);
    expect(rules('--reasons', '0').code).toBe(0);
    expectUsageError(rules(), `${rulesOut} already exists`);
    expect(rules('--force', '--reasons', '-2').code).toBe(2);
    expect(rules('--force').code).toBe(0);
  }, 60_000);

  it('writes the same demo summary twice for the same seed', async () => {
    const a = join(dir, 'demo-a');
    const b = join(dir, 'demo-b');
    expect(cli('demo', '--out', a).code).toBe(0);
    expect(cli('demo', '--out', b).code).toBe(0);
    expect(await readFile(join(a, 'summary.json'), 'utf8')).toBe(await readFile(join(b, 'summary.json'), 'utf8'));
    expect(await readFile(join(a, 'backtest', 'backtest.json'), 'utf8')).toBe(await readFile(join(b, 'backtest', 'backtest.json'), 'utf8'));
    expect(await readFile(join(a, 'backtest', 'backtest-scores.csv'), 'utf8')).toBe(await readFile(join(b, 'backtest', 'backtest-scores.csv'), 'utf8'));
    // A folder the user named that holds a demo is not replaced without --force (its run is kept as it was).
    const before = await readFile(join(a, 'run', 'metrics.json'), 'utf8');
    expectUsageError(cli('demo', '--out', a), `${a} is not empty: the demo would replace its files`);
    expect(await readFile(join(a, 'run', 'metrics.json'), 'utf8')).toBe(before);
  }, 240_000); // two whole demos (about 25 s each here, more on a busy machine)

  it('generates a byte-identical sample for the same seed and refuses to overwrite without --force', async () => {
    const a = join(dir, 'gen-a');
    const b = join(dir, 'gen-b');
    expect(cli('generate', '--rows', '500', '--seed', '9', '--out', a).code).toBe(0);
    expect(cli('generate', '--rows', '500', '--seed', '9', '--out', b).code).toBe(0);
    for (const f of ['leads.csv', 'activities.csv', 'truth.csv']) {
      expect((await readFile(join(a, f))).equals(await readFile(join(b, f)))).toBe(true);
    }
    const before = await stat(join(a, 'leads.csv'));
    expectUsageError(cli('generate', '--rows', '50', '--out', a), 'already has leads.csv');
    expect((await stat(join(a, 'leads.csv'))).mtimeMs).toBe(before.mtimeMs);
    expect(cli('generate', '--rows', '50', '--out', a, '--force').code).toBe(0);
  });

  it('inspects a file read through --sql', async () => {
    const path = await writeTemp(dir, 'q.csv', 'id,channel\n1,webinar\n2,referral\n3,webinar\n');
    const r = cli('inspect', '--sql', `select * from read_csv('${path}') where channel = 'webinar'`, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'sql', rows: 2 });
  });

  it.each([
    ['a missing file', ['inspect', 'no/such/file.csv'], 'cannot read no/such/file.csv'],
    ['no input', ['inspect'], 'no input'],
    ['an unknown option', ['inspect', '--bogus'], "unknown option '--bogus'"],
    ['an unknown command', ['trian'], "unknown command 'trian'"],
    ['a bad number', ['generate', '--rows', 'many'], 'expected a whole number'],
    ['a bad start date', ['generate', '--start', '2024-13-45', '--out', '/tmp/never-written'], '--start must be an ISO date'],
  ])('rejects %s with exit 2, error and hint', (_what, args, message) => {
    expectUsageError(cli(...args), message);
  });

  it('rejects a misspelled target with a suggestion', async () => {
    const path = await writeTemp(dir, 't.csv', 'lead_id,converted\n' + Array.from({ length: 30 }, (_, i) => `L${i},${i % 3 === 0 ? 1 : 0}`).join('\n'));
    const r = cli('inspect', path, '--target', 'convertd');
    expectUsageError(r, 'target column "convertd" not found');
    expect(r.stderr).toContain('hint: did you mean "converted"?');
  });
});

describe.skipIf(!HAVE_SHARED)('inspect on the shared datasets', () => {
  it('online-shoppers: finds the ; delimiter, TRUE/FALSE booleans and the Month values', () => {
    const r = cli('inspect', SHOPPERS, '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.delimiter).toBe(';');
    expect(report.rows).toBe(12330);
    const column = (name: string) => report.columns.find((c: { name: string }) => c.name === name);
    expect(column('Revenue')).toMatchObject({ type: 'boolean', booleanTokens: { true: ['TRUE'], false: ['FALSE'] } });
    expect(column('Weekend').type).toBe('boolean');
    expect(column('Month')).toMatchObject({ type: 'categorical', distinct: 10 });
    expect(column('Month').examples).toContain('May');
    expect(column('Month').warnings.join()).toContain('month names');
    expect(column('BounceRates').type).toBe('numeric');
  });

  it('bank-marketing: flags Cust_num as an id, reads yes/no without the \\r, flags duration and pdays', () => {
    const r = cli('inspect', BANK, '--target', 'y', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const column = (name: string) => report.columns.find((c: { name: string }) => c.name === name);
    expect(column('Cust_num')).toMatchObject({ type: 'id', feature: false });
    expect(column('y')).toMatchObject({ type: 'boolean' });
    expect(report.target).toMatchObject({ positives: 5289, negatives: 45211 - 5289 });
    expect(column('duration').warnings.join()).toContain('leakage');
    expect(column('pdays').warnings.join()).toContain('-1 in 82% of rows');
  });

  it('prints a readable table', () => {
    const r = cli('inspect', BANK);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('45,211 rows × 18 columns, csv, comma-separated');
    expect(r.stdout).toMatch(/Cust_num\s+id\s+no/);
  });
});

describe.skipIf(!HAVE_SHARED)('leadscore train on bank-marketing, with no other flag', () => {
  it('excludes the id, drafts the baseline, prints the leaderboard and writes metrics.json', async () => {
    const out = join(dir, 'bank-run');
    const r = cli('train', '--data', BANK, '--target', 'y', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/logistic\s+0\.5\d+\s+0\.90\d+/);
    expect(r.stdout).toContain('logistic vs rules: AUC +');
    expect(r.stdout).toContain('leakage warning: `duration` alone ranks leads with AUC 0.81');
    expect(r.stdout).toMatch(/^rules' actions on the hold-out: sales [\d,]+ leads \([\d.]+% convert, [\d,]+ = [\d.]+% of conversions\)/m);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.leakage[0]).toMatchObject({ column: 'duration', severity: 'suspect', dropped: false });
    expect(metrics.dataset).toMatchObject({ rows: 45211, positives: 5289, split: 'stratified', seed: 42 });
    const features = JSON.parse(await readFile(join(out, 'logistic.model.json'), 'utf8')).features.specs.map((s: { column: string }) => s.column);
    expect(features).not.toContain('Cust_num');
    expect(features).not.toContain('y');
    expect(await readFile(join(out, 'rules.yaml'), 'utf8')).toMatch(/^# Drafted from the training rows/);
  });

  it('turns the model into a scorecard with rules learn, and rejects a bad artifact', async () => {
    const out = join(dir, 'bank-run');
    const card = join(dir, 'card.yaml');
    const r = cli('rules', 'learn', '--model', join(out, 'logistic.model.json'), '--out', card);
    expect(r.code, r.stderr).toBe(0);
    expect(cli('rules', 'check', card, '--data', BANK).code).toBe(0);
    const broken = await writeTemp(dir, 'broken.model.json', '{"formatVersion": 1, "kind": "logi');
    expectUsageError(cli('rules', 'learn', '--model', broken, '--out', join(dir, 'x.yaml')), 'is not valid JSON (truncated or corrupted)');
  });

  it('evaluate takes --seed for its bootstrap: the same seed the same JSON, another seed other intervals', () => {
    const run = join(dir, 'bank-run');
    const evaluate = (seed: string) => cli('evaluate', '--model', join(run, 'logistic.model.json'), '--data', BANK, '--rules', join(run, 'rules.yaml'), '--seed', seed, '--json');
    const [a, b, c] = [evaluate('7'), evaluate('7'), evaluate('8')];
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).comparisons[0].liftCi95).not.toEqual(JSON.parse(c.stdout).comparisons[0].liftCi95);
    expect(cli('evaluate', '--help').stdout).toContain('--seed <n>');
  });

  it('scores a batch whose default column is all "no" as the whole file scores those leads, and refuses a contradicting --na', async () => {
    const model = join(dir, 'bank-run', 'logistic.model.json');
    const text = (await readFile(BANK, 'utf8')).trimEnd().split('\n');
    const column = text[0]!.split(',').indexOf('default');
    const batch = await writeTemp(dir, 'default-no.csv', `${[text[0], ...text.slice(1).filter((l) => l.split(',')[column] === 'no').slice(0, 49)].join('\n')}\n`);
    expect(cli('score', '--model', model, '--input', batch, '--output', join(dir, 'batch.csv')).code).toBe(0);
    expect(cli('score', '--model', model, '--input', BANK, '--output', join(dir, 'whole.csv')).code).toBe(0);
    const whole = new Map((await readFile(join(dir, 'whole.csv'), 'utf8')).split('\n').map((l) => [l.slice(0, l.indexOf(',')), l]));
    const scored = (await readFile(join(dir, 'batch.csv'), 'utf8')).trimEnd().split('\n').slice(1);
    expect(scored).toHaveLength(49);
    for (const line of scored) expect(line).toBe(whole.get(line.slice(0, line.indexOf(','))));
    expect(scored.join('\n')).not.toContain('default = yes');
    const output = join(dir, 'na.csv');
    expectUsageError(cli('score', '--model', model, '--input', batch, '--output', output, '--na', 'unknown'), '--na "unknown" differs from the missing-value tokens');
    await expect(stat(output)).rejects.toThrow();
  });
});

describe.skipIf(!HAVE_SHARED)('leadscore backtest on bank-marketing in row order', () => {
  it('walks forward through the rows, prints the table and backtest.json with --json', () => {
    const out = join(dir, 'bank-backtest');
    const r = cli('backtest', '--data', BANK, '--target', 'y', '--date', '@row', '--exclude', 'duration', '--models', 'rules,logistic', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.dataset).toMatchObject({ rows: 45211, time: 'ordinal', date: '@row' });
    expect(json.periods.length).toBe(11);
    expect(json.periods[0]).toMatchObject({ start: '3769', trainRows: 3768, pending: 0 });
    expect(json.summary.map((m: { name: string }) => m.name)).toEqual(['rules', 'logistic']);
    // Row order is time order here: month and contact drift strongly between the campaign's periods.
    expect(json.periods.some((p: { featureDrift: Array<{ column: string; psi: number }> }) => p.featureDrift.some((f) => f.column === 'month' && f.psi > 0.2))).toBe(true);
    expect(r.stderr).toMatch(/model\s+periods\s+AUC mean/);
    expect(r.stderr).toContain('drift against each period');
  });

  it('rejects a date column that is not there, and a calendar period on row order', () => {
    expectUsageError(cli('backtest', '--data', BANK, '--target', 'y', '--date', 'created_at'), '--date column "created_at" not found');
    expectUsageError(cli('backtest', '--data', BANK, '--target', 'y', '--date', '@row', '--period', 'month'), 'is an ordinal time');
  });
});
