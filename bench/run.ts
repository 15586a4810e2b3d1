/**
 * Benchmarks: `npm run bench` prints a table and writes bench/results/<date>.json.
 * Each case runs a warm-up and then `REPEATS` timed runs; the median is reported. Peers run in the same
 * process on the same input. Cases on ../shared/datasets are skipped with a message when it is absent.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import * as aq from 'arquero';
import { aggregateActivities, loadActivityLog } from '../src/data/activities.ts';
import { parseCsv } from '../src/data/csv.ts';
import { DAY_MS } from '../src/data/dates.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { queryColumns, sqlString } from '../src/data/duckdb.ts';
import { readTable } from '../src/data/read.ts';
import { SAMPLE } from '../src/data/sample-paths.ts';
import { inferSchema } from '../src/data/schema.ts';
import { generateSample } from '../src/data/synthetic.ts';
import { draftRules } from '../src/rules/draft.ts';
import { scoreWithRules } from '../src/rules/engine.ts';
import { loadRuleFile } from '../src/rules/rule-file.ts';
import { resolveTarget } from '../src/data/target.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');
const BANK = join(SHARED, 'bank-marketing.csv');

interface Result {
  case: string;
  impl: string;
  medianMs: number;
  minMs: number;
  throughput?: string;
}

const results: Result[] = [];

async function measure(name: string, impl: string, run: () => unknown, units?: { count: number; unit: string }): Promise<void> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)]!;
  const result: Result = { case: name, impl, medianMs: round(medianMs), minMs: round(times[0]!) };
  if (units) result.throughput = `${fmt(units.count / (medianMs / 1000))} ${units.unit}/s`;
  results.push(result);
  process.stderr.write(`  ${name} · ${impl}: ${result.medianMs} ms\n`);
}

const round = (x: number) => Math.round(x * 10) / 10;
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1));

async function csvCases(label: string, path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const mb = Buffer.byteLength(text) / 1e6;
  const units = { count: mb, unit: 'MB' };
  await measure(`parse ${label} (${mb.toFixed(1)} MB)`, 'leadscore CsvParser', () => parseCsv(text), units);
  await measure(`parse ${label} (${mb.toFixed(1)} MB)`, 'arquero fromCSV (peer)', () => aq.fromCSV(text, { autoType: false }), units);
  await measure(`parse ${label} (${mb.toFixed(1)} MB)`, 'DuckDB read_csv → JS (peer)',
    () => queryColumns(`select * from read_csv(${sqlString(path)}, all_varchar=true)`), units);
  const raw = await readTable({ path });
  await measure(`infer schema ${label}`, 'leadscore inferSchema', () => inferSchema(raw, { delimiter: raw.delimiter! }), { count: raw.rows, unit: 'rows' });
  await measure(`load ${label} (read + infer + type)`, 'leadscore loadDataset', () => loadDataset({ path }), { count: raw.rows, unit: 'rows' });
}

async function main(): Promise<void> {
  process.stderr.write(`benchmarks (${REPEATS} runs each, median)\n`);
  if (existsSync(BANK)) await csvCases('bank-marketing.csv', BANK);
  else process.stderr.write(`  skipped bank-marketing cases: ${BANK} not found\n`);
  await csvCases('sample activities.csv', SAMPLE.activities);

  const leads = await loadDataset({ path: SAMPLE.leads });
  const log = await loadActivityLog({ path: SAMPLE.activities });
  const ids = leads.table.array(SAMPLE.id) as ArrayLike<string>;
  const asOf = Float64Array.from(leads.table.array(SAMPLE.date) as ArrayLike<number>, (t) => t + 30 * DAY_MS);
  await measure(`aggregate activities as of (${log.times.length} events, ${ids.length} leads)`, 'leadscore aggregateActivities',
    () => aggregateActivities(log, ids, asOf), { count: log.times.length, unit: 'events' });
  const rules = await loadRuleFile(SAMPLE.rules);
  await measure(`score with the sample rules (${ids.length} leads, ${rules.criteria.length} criteria, activities)`, 'leadscore scoreWithRules',
    () => scoreWithRules(rules, leads, { activities: log, asOf }), { count: ids.length, unit: 'leads' });
  const y = resolveTarget(leads, SAMPLE.target).y;
  const allRows = Int32Array.from({ length: ids.length }, (_, i) => i);
  await measure('draft rules from 20,000 leads (7 half-lives per event type)', 'leadscore draftRules',
    () => draftRules(leads, y, allRows, { target: SAMPLE.target, exclude: ['converted_at'], activities: log, asOf }), { count: ids.length, unit: 'leads' });
  await measure('generate sample (20,000 leads)', 'leadscore generateSample', () => generateSample({ rows: 20000, seed: 42 }), { count: 20000, unit: 'leads' });

  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const report = { date: new Date().toISOString(), machine, repeats: REPEATS, results };
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${report.date.slice(0, 10)}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);

  const header = ['case', 'implementation', 'median ms', 'min ms', 'throughput'];
  const rows = results.map((r) => [r.case, r.impl, String(r.medianMs), String(r.minMs), r.throughput ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);
  console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
  console.log(`\nJSON: ${file}`);
}

await main();
