/**
 * `report.html` for a backtest folder: period by period, how the rules and each model would have done had
 * they been trained only on what was known then — AUC, lift at 10% and precision at capacity as lines,
 * conversions and pending leads per period, score drift (PSI) against the 0.2 line, and the summary table.
 * Built from backtest.json alone; self-contained like the training report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { BacktestJson } from '../backtest/backtest.ts';
import { PSI_WARNING } from '../backtest/drift.ts';
import { writeFileAtomic } from '../data/io/write.ts';
import { DataError } from '../errors.ts';
import { renderSvg } from './charts.ts';
import { esc, figure, page, table } from './html.ts';

const size = { width: 640, height: 240, config: { font: 'system-ui, sans-serif', view: { stroke: null }, legend: { labelLimit: 260 } } };

/** One metric per period and model as lines (periods without a judgement left out). */
function metricSpec(json: BacktestJson, metric: 'auc' | 'liftAt10' | 'precisionAtCapacity', title: string, axis: string): TopLevelSpec {
  const values = json.periods.flatMap((p) => p.models.flatMap((m) => (m[metric] === null ? [] : [{ period: p.start, value: m[metric], model: m.name }])));
  return { ...size, title: { text: title, anchor: 'start' }, data: { values }, mark: { type: 'line', point: true },
    encoding: { x: { field: 'period', type: 'ordinal', title: 'period (start)' }, y: { field: 'value', type: 'quantitative', title: axis, scale: { zero: false } }, color: { field: 'model', type: 'nominal', title: 'model' } } } as TopLevelSpec;
}

/**
 * Writes `report.html` into a backtest folder and returns its path.
 *
 * @example
 * await writeBacktestReport('models/backtests/2026-12-02');
 */
export async function writeBacktestReport(dir: string): Promise<{ path: string; bytes: number }> {
  let json: BacktestJson;
  try {
    json = JSON.parse(await readFile(join(dir, 'backtest.json'), 'utf8')) as BacktestJson;
  } catch {
    throw new DataError('NOT_A_BACKTEST', `${dir} holds no readable backtest.json`, 'pass a folder written by `leadscore backtest`');
  }
  if (!Array.isArray(json.periods) || !Array.isArray(json.summary)) throw new DataError('NOT_A_BACKTEST', `${join(dir, 'backtest.json')} is not a leadscore backtest`, 'pass a folder written by `leadscore backtest`');
  const s = json.settings;
  const capacity = Math.round(s.capacity * 100);
  const volume = json.periods.flatMap((p) => [{ period: p.start, leads: p.positives, what: 'conversions known' }, { period: p.start, leads: p.pending, what: 'pending (outcome not yet known)' }]);
  const drift = json.periods.flatMap((p) => p.models.map((m) => ({ period: p.start, psi: m.scorePsi, model: m.name })));
  const sections = [
    `<h2 id="summary">Summary</h2>
<p>${esc(json.dataset.source)}: ${json.periods.length} periods (${esc(s.period)}, ${esc(s.window)} window), each scored by models trained only on leads whose outcome was known before it (after ${s.maturity} ${esc(s.maturityUnit)}); as of ${esc(s.now)} (${esc(s.nowFrom ?? '')}).</p>
${table(['model', 'periods', 'AUC mean', 'AUC sd', 'worst AUC', 'worst period', 'lift at 10% mean', `precision at ${capacity}% mean`, 'beat the rules'], json.summary.map((m) => [m.name, m.periods,
    m.auc.mean?.toFixed(4) ?? '–', m.auc.sd?.toFixed(4) ?? '–', m.auc.worst?.toFixed(4) ?? '–', m.auc.worstPeriod ?? '–', m.liftAt10.mean?.toFixed(2) ?? '–', m.precisionAtCapacity.mean?.toFixed(3) ?? '–',
    m.beatRules ? `${m.beatRules.wins} of ${m.beatRules.of} periods` : '–']))}
${json.warnings.map((w) => `<p class="warning">${esc(w)}</p>`).join('\n')}`,
    `<h2 id="periods">Period by period</h2>
${figure(await renderSvg(metricSpec(json, 'auc', 'AUC per period: how well each ranked the period\'s leads', 'AUC')), 'Higher is better; 0.5 is a random order. A model that stays above the rules period after period is better than the rules, not lucky once.')}
${figure(await renderSvg(metricSpec(json, 'liftAt10', 'Lift at 10% per period: how much more often the top tenth converted than average', 'lift at 10%')), 'How many times the period\'s average conversion rate its top 10% of leads reached.')}
${figure(await renderSvg(metricSpec(json, 'precisionAtCapacity', `Precision at ${capacity}% per period: of the leads a team with that capacity would call, how many converted`, `precision at ${capacity}%`)), `Of the top ${capacity}% of each period's leads, the share that converted: the calls that were not in vain.`)}
${figure(await renderSvg({ ...size, title: { text: 'Conversions known and leads pending per period', anchor: 'start' }, data: { values: volume }, mark: 'bar',
    encoding: { x: { field: 'period', type: 'ordinal', title: 'period (start)' }, y: { field: 'leads', type: 'quantitative', title: 'leads' }, color: { field: 'what', type: 'nominal', title: '' } } } as TopLevelSpec),
  'Periods with few known conversions, or many leads still pending, are judged on little: read their AUC with care.')}
${figure(await renderSvg({ ...size, title: { text: 'Score drift per period (PSI against the training leads)', anchor: 'start' }, data: { values: drift },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'period', type: 'ordinal', title: 'period (start)' }, y: { field: 'psi', type: 'quantitative', title: 'population stability index' }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ line: PSI_WARNING }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#c33' }, encoding: { y: { field: 'line', type: 'quantitative' } } },
    ] } as TopLevelSpec), `Above the dashed ${PSI_WARNING} line the scores of a period are spread differently from those of its training leads: the leads, or the way they are recorded, have changed.`)}
${table(['period', 'training leads', 'training conversions', 'scored', 'pending', 'conversions', ...json.summary.map((m) => `${m.name} AUC`)], json.periods.map((p) => [p.start, p.trainRows, p.trainPositives, p.testRows, p.pending, p.positives,
    ...json.summary.map((m) => p.models.find((x) => x.name === m.name)?.auc?.toFixed(3) ?? '–')]))}`,
  ];
  const html = page('leadscore backtest report', json.dataset.source, sections);
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, html);
  return { path, bytes: Buffer.byteLength(html) };
}
