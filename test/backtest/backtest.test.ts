import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, type BacktestResult, type PeriodTrace } from '../../src/backtest/backtest.ts';
import { DAY_MS } from '../../src/data/types/dates.ts';
import { generateSample, type SyntheticLeads } from '../../src/data/sample/synthetic.ts';
import { writeCsvColumns } from '../../src/data/io/write.ts';
import { averagePrecision, liftAt, rocAuc } from '../../src/evaluation/metrics.ts';
import { tempDir, writeTemp } from '../helpers.ts';

const dir = await tempDir();
const sample = generateSample({ rows: 3000, seed: 5, months: 18 });

async function writeTable(name: string, table: SyntheticLeads): Promise<string> {
  const path = join(dir, name);
  await writeCsvColumns(path, table.names, table.columns);
  return path;
}

const column = (t: SyntheticLeads, name: string) => t.columns[t.names.indexOf(name)]!;
const T = Date.UTC(2025, 0, 1); // the "future" planted below starts here

/** A copy of the sample with events after T and conversions after T planted. */
function plantFuture(): { leads: SyntheticLeads; activities: SyntheticLeads } {
  const leads: SyntheticLeads = { names: sample.leads.names, columns: sample.leads.columns.map((c) => [...c]) };
  const created = column(leads, 'created_at') as string[];
  const converted = column(leads, 'converted');
  const convertedAt = column(leads, 'converted_at');
  const ids = column(leads, 'lead_id') as string[];
  const extra: Array<[string, string, string, null]> = [];
  for (let r = 0; r < ids.length; r++) {
    if (Date.parse(created[r]!) >= T) continue;
    if (r % 3 === 0) { // engagement after T of leads created before it
      for (let k = 0; k < 4; k++) extra.push([ids[r]!, new Date(T + (5 + k * 11) * DAY_MS).toISOString().replace('.000', ''), 'pricing_page_view', null]);
    }
    if (converted[r] === 0 && r % 4 === 0) { // late conversions, dated after T
      converted[r] = 1;
      convertedAt[r] = new Date(T + 10 * DAY_MS).toISOString().replace('.000', '');
    }
  }
  const activities: SyntheticLeads = { names: sample.activities.names, columns: sample.activities.columns.map((c) => [...c]) };
  for (const e of extra) e.forEach((v, j) => activities.columns[j]!.push(v));
  return { leads, activities };
}

async function run(leadsPath: string, activitiesPath: string, traces: PeriodTrace[], extra: Partial<Parameters<typeof backtest>[0]> = {}): Promise<BacktestResult> {
  return backtest({
    data: { path: leadsPath }, target: 'converted', date: 'created_at', outcomeDate: 'converted_at',
    activities: { path: activitiesPath }, asOf: 'created_at+30d', period: 'month', minTrainRows: 100,
    params: ['gbdt.trees=40'], write: false, onPeriod: (t) => traces.push(t), ...extra,
  });
}

const original: PeriodTrace[] = [];
const planted: PeriodTrace[] = [];
const leadsPath = await writeTable('leads.csv', sample.leads);
const activitiesPath = await writeTable('activities.csv', sample.activities);
const future = plantFuture();
const base = await run(leadsPath, activitiesPath, original);
await run(await writeTable('leads-future.csv', future.leads), await writeTable('activities-future.csv', future.activities), planted);
const activityColumns = (t: PeriodTrace) => t.data.schema.columns.map((c) => c.name).filter((n) => /_\d+d$|^activities_total$|^engagement_decayed$|^days_since_last_activity$/.test(n));

describe('backtest: point in time', () => {
  it('stands, without --now, at the newest outcome date where one runs past the last lead, and says which date it used', async () => {
    const newest = (t: SyntheticLeads, name: string) => (column(t, name) as Array<string | null>).filter((v): v is string => Boolean(v)).map((v) => Date.parse(v)).reduce((a, b) => Math.max(a, b));
    // The sample's conversions end before its last lead: it stands at the newest lead.
    expect(base.json.settings.now).toBe(new Date(newest(sample.leads, 'created_at')).toISOString().slice(0, 10));
    expect(base.json.settings.nowFrom).toBe('the newest lead date (created_at)');
    // A conversion recorded 60 days after the last lead moves it there.
    const later: SyntheticLeads = { names: sample.leads.names, columns: sample.leads.columns.map((c) => [...c]) };
    const at = (column(later, 'converted') as number[]).findIndex((v) => v === 1);
    const when = newest(sample.leads, 'created_at') + 60 * DAY_MS;
    (column(later, 'converted_at') as string[])[at] = new Date(when).toISOString().replace('.000', '');
    const result = await run(await writeTable('leads-later.csv', later), activitiesPath, [], { models: ['rules'] });
    expect(result.json.settings.now).toBe(new Date(when).toISOString().slice(0, 10));
    expect(result.json.settings.nowFrom).toBe('the newest outcome date (converted_at)');
    const pending = (r: BacktestResult) => r.json.periods.reduce((sum, p) => sum + p.pending, 0);
    expect(pending(result)).toBeLessThan(pending(base)); // leads 60–90 days old at the last lead are judged now
  });

  it('changes no training label, feature or score of a period whose scoring ended before the planted future', () => {
    const early = original.filter((t) => t.period.end + 30 * DAY_MS <= T);
    expect(early.length).toBeGreaterThanOrEqual(2);
    for (const a of early) {
      const b = planted.find((t) => t.period.start === a.period.start)!;
      expect(Array.from(b.train)).toEqual(Array.from(a.train));
      expect(Array.from(b.yTrain)).toEqual(Array.from(a.yTrain));
      const rows = [...a.train, ...a.test];
      for (const name of activityColumns(a)) {
        const x = a.data.table.array(name) as ArrayLike<number>;
        const y = b.data.table.array(name) as ArrayLike<number>;
        expect(rows.map((r) => y[r]), name).toEqual(rows.map((r) => x[r]));
      }
      for (const model of ['rules', 'logistic', 'gbdt']) expect(Array.from(b.scores[model]!), model).toEqual(Array.from(a.scores[model]!));
    }
  });

  it('is not vacuous: later periods see the planted conversions in training and the planted events as features', () => {
    const late = original.filter((t) => t.period.start >= T + 90 * DAY_MS + 10 * DAY_MS);
    expect(late.length).toBeGreaterThan(0);
    for (const a of late) {
      const b = planted.find((t) => t.period.start === a.period.start)!;
      expect(b.yTrain.reduce((s, v) => s + v, 0)).toBeGreaterThan(a.yTrain.reduce((s, v) => s + v, 0));
    }
    const last = original.at(-1)!;
    const lastPlanted = planted.at(-1)!;
    const views = (t: PeriodTrace) => Array.from(t.train, (r) => (t.data.table.array('pricing_page_view_90d') as ArrayLike<number>)[r]!).reduce((s, v) => s + v, 0);
    // Training rows' features stop at the period's start, which is after T for the last period.
    expect(views(lastPlanted)).toBeGreaterThanOrEqual(views(last));
  });

  it('trains only on leads whose outcome window closed before the period, with conversions known by then', () => {
    const created = (column(sample.leads, 'created_at') as string[]).map((s) => Date.parse(s));
    const convertedAt = column(sample.leads, 'converted_at') as Array<string | null>;
    const y = column(sample.leads, 'converted') as number[];
    for (const t of original) {
      for (const r of t.train) expect(created[r]!).toBeLessThan(t.period.start - 90 * DAY_MS);
      t.train.forEach((r, k) => {
        const known = y[r] === 1 && convertedAt[r] !== null && Date.parse(convertedAt[r]!) < t.period.start;
        expect(t.yTrain[k]).toBe(known ? 1 : 0);
      });
      for (const r of t.test) expect(created[r]! >= t.period.start && created[r]! < t.period.end).toBe(true);
    }
  });
});

describe('backtest: metrics, pending and summary', () => {
  const json = base.json;
  const y = column(sample.leads, 'converted') as number[];
  const created = (column(sample.leads, 'created_at') as string[]).map((s) => Date.parse(s));
  const newest = Math.max(...created);

  it('counts leads younger than the maturity at the newest date as pending and leaves them out of the metrics', () => {
    for (const [k, p] of json.periods.entries()) {
      const trace = original[k]!;
      const pending = Array.from(trace.test).filter((r) => created[r]! + 90 * DAY_MS > newest);
      expect(p.pending).toBe(pending.length);
      expect(p.evaluated).toBe(p.testRows - p.pending);
      const judged = Int32Array.from(Array.from(trace.test).filter((r) => created[r]! + 90 * DAY_MS <= newest));
      const rules = p.models.find((m) => m.name === 'rules')!;
      if (rules.auc === null) continue;
      // Cross-check against the metrics computed here from the trace's scores.
      const yAll = Uint8Array.from(y);
      for (const m of p.models) {
        const full = new Float64Array(y.length);
        trace.test.forEach((r, i) => (full[r] = trace.scores[m.name]![i]!));
        expect(m.auc).toBeCloseTo(rocAuc(full, yAll, judged), 6);
        expect(m.prAuc).toBeCloseTo(averagePrecision(full, yAll, judged), 6);
        expect(m.liftAt10).toBeCloseTo(liftAt(full, yAll, 0.1, judged), 6);
      }
    }
    const last = json.periods.at(-1)!;
    expect(last.pending).toBeGreaterThan(0);
  });

  it('summarises each model by mean, sd and worst period, and counts wins over the rules', () => {
    for (const s of json.summary) {
      const values = json.periods.map((p) => ({ p: p.start, v: p.models.find((m) => m.name === s.name)!.auc })).filter((x) => x.v !== null) as Array<{ p: string; v: number }>;
      const mean = values.reduce((a, x) => a + x.v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, x) => a + (x.v - mean) ** 2, 0) / (values.length - 1));
      expect(s.auc.mean).toBeCloseTo(mean, 5);
      expect(s.auc.sd).toBeCloseTo(sd, 5);
      const worst = values.reduce((w, x) => (x.v < w.v ? x : w));
      expect(s.auc.worst).toBeCloseTo(worst.v, 6);
      expect(s.auc.worstPeriod).toBe(worst.p);
      if (s.name !== 'rules') {
        const wins = json.periods.filter((p) => {
          const m = p.models.find((x) => x.name === s.name)!.auc;
          const r = p.models.find((x) => x.name === 'rules')!.auc;
          return m !== null && r !== null && m > r;
        }).length;
        expect(s.beatRules!.wins).toBe(wins);
      }
    }
    expect(json.summary.find((s) => s.name === 'logistic')!.beatRules!.wins).toBeGreaterThan(json.summary.find((s) => s.name === 'logistic')!.beatRules!.of / 2);
  });

  it('reports drift (PSI) for each score and the strongest columns, and skips periods without history', () => {
    for (const p of json.periods) {
      expect(p.models.every((m) => Number.isFinite(m.scorePsi) && m.scorePsi >= 0)).toBe(true);
      expect(p.featureDrift.length).toBeGreaterThan(0);
    }
    expect(json.skipped.length).toBeGreaterThan(0);
    expect(json.skipped[0]!.reason).toMatch(/too little history/);
  });

  it('runs as of --now: later leads do not exist yet and later conversions are not known yet', async () => {
    const now = Date.UTC(2025, 0, 15);
    const traces: PeriodTrace[] = [];
    const asOfNow = await run(leadsPath, activitiesPath, traces, { now: '2025-01-15', models: ['rules'] });
    expect(asOfNow.json.settings.now).toBe('2025-01-15');
    expect(Date.parse(asOfNow.json.periods.at(-1)!.start)).toBeLessThanOrEqual(now);
    for (const t of traces) for (const r of t.test) expect(created[r]!).toBeLessThanOrEqual(now);
    // Features of the scored leads count only events before min(scoring time, now).
    const eventLead = column(sample.activities, 'lead_id') as string[];
    const eventTime = (column(sample.activities, 'occurred_at') as string[]).map((x) => Date.parse(x));
    const ids = column(sample.leads, 'lead_id') as string[];
    const last = traces.at(-1)!;
    const total = last.data.table.array('activities_total') as ArrayLike<number>;
    for (const r of Array.from(last.test).slice(-40)) {
      const cut = Math.min(created[r]! + 30 * DAY_MS, now);
      expect(total[r]).toBe(eventLead.filter((id, k) => id === ids[r] && eventTime[k]! < cut).length);
    }
    const convertedAt = column(sample.leads, 'converted_at') as Array<string | null>;
    const known = Uint8Array.from(y, (v, r) => (v === 1 && convertedAt[r] !== null && Date.parse(convertedAt[r]!) > now ? 0 : v));
    expect(known.reduce((s, v) => s + v, 0)).toBeLessThan(y.reduce((s, v) => s + v, 0));
    for (const [k, p] of asOfNow.json.periods.entries()) {
      const trace = traces[k]!;
      const judged = Int32Array.from(Array.from(trace.test).filter((r) => created[r]! + 90 * DAY_MS <= now));
      expect(p.pending).toBe(trace.test.length - judged.length);
      expect(p.positives).toBe(judged.reduce((s, r) => s + known[r]!, 0));
      const rules = p.models[0]!;
      if (rules.auc === null) continue;
      const full = new Float64Array(y.length);
      trace.test.forEach((r, i) => (full[r] = trace.scores.rules![i]!));
      expect(rules.auc).toBeCloseTo(rocAuc(full, known, judged), 6);
    }
  });

  it('gives identical results for the same seed', async () => {
    const again = await run(leadsPath, activitiesPath, []);
    expect(JSON.stringify(again.json)).toBe(JSON.stringify(base.json));
  });
});

describe('backtest on row order and its files', () => {
  it('runs on a file without dates with --date @row, and writes backtest.json and the scores', async () => {
    const n = 1200;
    const lines = ['x,segment,y'];
    let state = 7;
    const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < n; i++) {
      const x = rand();
      const segment = ['a', 'b', 'c'][i % 3]!;
      lines.push(`${x.toFixed(4)},${segment},${rand() < 0.05 + 0.4 * x ? 1 : 0}`);
    }
    const path = await writeTemp(dir, 'ordered.csv', `${lines.join('\n')}\n`);
    const out = join(dir, 'bt-row');
    const traces: PeriodTrace[] = [];
    const result = await backtest({ data: { path }, target: 'y', date: '@row', period: '200', models: ['rules', 'logistic'], out, onPeriod: (t) => traces.push(t) });
    expect(result.json.dataset.time).toBe('ordinal');
    expect(result.json.periods.map((p) => p.start)).toEqual(['201', '401', '601', '801', '1001']);
    traces.forEach((t, k) => {
      expect(t.train.length).toBe(200 * (k + 1)); // expanding, maturity 0: every earlier row
      expect(Math.max(...t.train)).toBeLessThan(Math.min(...t.test));
    });
    expect(result.json.summary.find((s) => s.name === 'logistic')!.auc.mean!).toBeGreaterThan(0.65);
    const written = JSON.parse(await readFile(join(out, 'backtest.json'), 'utf8'));
    expect(written.periods[0]).toMatchObject({ start: '201', end: '401', trainRows: 200, testRows: 200, pending: 0 });
    expect(Object.keys(written.periods[0].models[0])).toEqual(expect.arrayContaining(['name', 'auc', 'prAuc', 'liftAt10']));
    const csv = (await readFile(join(out, 'backtest-scores.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('row,period,outcome,rules_probability,logistic_probability');
    expect(csv.length).toBe(1 + 1000);
    // Each period's drafted rules are saved and named in backtest.json (drafted from its own training rows).
    expect(written.periods.map((p: { rules: string }) => p.rules)).toEqual(['rules/201.yaml', 'rules/401.yaml', 'rules/601.yaml', 'rules/801.yaml', 'rules/1001.yaml']);
    const { loadRuleFile } = await import('../../src/rules/rule-file.ts');
    for (const [k, period] of written.periods.entries()) {
      const text = await readFile(join(out, period.rules), 'utf8');
      expect(text).toContain(`from the ${200 * (k + 1)} training leads known before ${period.start}`);
      expect((await loadRuleFile(join(out, period.rules))).criteria.length).toBeGreaterThan(0);
    }
    expect(result.files).toEqual(expect.arrayContaining(written.periods.map((p: { rules: string }) => join(out, p.rules))));

    // A running number (inferred as an id) works as the ordinal time too, and gives the same periods as the row order.
    const numbered = await writeTemp(dir, 'numbered.csv', `${['seq', ...lines.slice(0, 1)].join(',')}\n${lines.slice(1).map((l, i) => `${i + 1},${l}`).join('\n')}\n`);
    const bySeq = await backtest({ data: { path: numbered }, target: 'y', date: 'seq', period: '200', models: ['rules', 'logistic'], write: false });
    expect(bySeq.json.periods.map((p) => p.start)).toEqual(['201', '401', '601', '801', '1001']);
    expect(bySeq.json.summary).toEqual(result.json.summary);

    const sliding = await backtest({ data: { path }, target: 'y', date: '@row', period: '200', window: 'sliding:2', models: ['rules'], write: false, onPeriod: (t) => expect(t.train.length).toBeLessThanOrEqual(400) });
    expect(sliding.json.periods.length).toBe(5);
  });

  it('refuses an unknown date column with a hint, and leaves no folder behind', async () => {
    const out = join(dir, 'bt-bad');
    await expect(backtest({ data: { path: leadsPath }, target: 'converted', date: 'created', out })).rejects.toMatchObject({ code: 'COLUMN_MISSING', hint: expect.stringContaining('created_at') });
    expect(existsSync(out)).toBe(false);
  });
});
