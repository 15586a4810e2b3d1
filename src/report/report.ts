/**
 * `report.html` for a training run: one self-contained page (inline CSS, inline SVG charts, a few lines of
 * plain JavaScript, no network) that answers "is the model better than our rules, and how many calls in
 * vain at our capacity?". Built from the run folder alone — metrics.json for the leaderboard and the
 * comparisons, holdout.csv for every curve and for the decision panel — so each figure can be checked in a
 * spreadsheet. Sections: summary, decision panel, curves, decisions at the chosen threshold, understanding.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../data/csv.ts';
import { writeFileAtomic } from '../data/write.ts';
import { DataError } from '../errors.ts';
import type { MetricsJson } from '../train/train.ts';
import { calibrationSpec, distributionSpec, gainsSpec, liftSpec, prSpec, type ReliabilitySeries, renderSvg, rocSpec, type Series, tradeoffSpec } from './charts.ts';
import { type DecisionRow, decisionRows } from './decision-table.ts';
import { esc, figure, int, page, pct, table } from './html.ts';
import { thresholdText } from './words.ts';
import { writeBacktestReport } from './backtest-report.ts';

/** The hold-out as holdout.csv holds it: outcomes, each model's probability, the rule score. */
export interface Holdout {
  y: Uint8Array;
  probability: Record<string, Float64Array>;
  ruleScore: Float64Array;
}

/**
 * Reads a run's holdout.csv; null when the run has none (written before it existed).
 *
 * @example
 * const holdout = await readHoldout('models/latest');
 */
export async function readHoldout(runDir: string): Promise<Holdout | null> {
  const path = join(runDir, 'holdout.csv');
  if (!(await access(path).then(() => true, () => false))) return null;
  const { names, columns } = parseCsv(await readFile(path, 'utf8'), ',');
  const column = (name: string) => Float64Array.from(columns[names.indexOf(name)]!, (v) => Number(v));
  const probability: Record<string, Float64Array> = {};
  for (const name of names) if (name.startsWith('p_')) probability[name.slice(2)] = column(name);
  return { y: Uint8Array.from(column('outcome')), probability, ruleScore: column('rule_score') };
}

/** The panel's script: reads the embedded table, shows the chosen model beside the rules at the chosen share. */
const PANEL_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('decision-data').textContent);
  var share = document.getElementById('share'), out = document.getElementById('share-out'), pick = document.getElementById('model');
  var body = document.querySelector('#decision-table tbody');
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function fmt(n) { return n.toLocaleString('en-US'); }
  function row(name, r, points) {
    var sent = r[1], found = r[2], missed = r[3], vain = r[4];
    var threshold = points ? r[0].toFixed(1) + ' pts' : 'p ' + r[0].toFixed(3) + ' (score ' + (Math.round(r[0] * 1000) / 10).toFixed(1) + ')';
    return '<tr><td>' + name + '</td><td>' + fmt(sent) + '</td><td>' + fmt(found) + '</td><td>' + fmt(missed) + '</td><td>' + fmt(vain) + '</td><td>' +
      pct(sent ? found / sent : 0) + '</td><td>' + pct(data.positives ? found / data.positives : 0) + '</td><td>' + threshold + '</td></tr>';
  }
  function update() {
    var k = Number(share.value) - 1;
    out.textContent = share.value + '% of ' + fmt(data.leads) + ' leads';
    body.innerHTML = row(pick.value, data.models[pick.value][k], false) + row('rules', data.rules[k], true);
  }
  share.addEventListener('input', update);
  pick.addEventListener('change', update);
  update();
})();
`;

/**
 * Writes `report.html` for whatever the folder holds: a training run (metrics.json) or a backtest
 * (backtest.json). A folder with neither is an exit-2 error naming both.
 *
 * @example
 * await reportFolder('models/latest');
 */
export async function reportFolder(dir: string): Promise<{ path: string; bytes: number; kind: 'run' | 'backtest' }> {
  const has = (name: string) => access(join(dir, name)).then(() => true, () => false);
  if (await has('metrics.json')) return { ...(await writeReport(dir)), kind: 'run' };
  if (await has('backtest.json')) return { ...(await writeBacktestReport(dir)), kind: 'backtest' };
  throw new DataError('NOT_A_RUN', `${dir} holds no training run (metrics.json) and no backtest (backtest.json)`, 'pass a folder written by `leadscore train` or `leadscore backtest` (models/latest is the newest run)');
}

/**
 * Writes `report.html` into a run folder and returns its path.
 *
 * @example
 * const { path } = await writeReport('models/latest');
 */
export async function writeReport(runDir: string): Promise<{ path: string; bytes: number }> {
  const metricsPath = join(runDir, 'metrics.json');
  let metrics: MetricsJson;
  try {
    metrics = JSON.parse(await readFile(metricsPath, 'utf8')) as MetricsJson;
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? new DataError('NOT_A_RUN', `${runDir} holds no training run: metrics.json is missing`, 'pass a folder written by `leadscore train` (models/latest is the newest)')
      : new DataError('NOT_A_RUN', `${metricsPath} is not valid JSON`, 'train again to write the run folder anew');
  }
  if (!Array.isArray(metrics.models) || !metrics.dataset) {
    throw new DataError('NOT_A_RUN', `${metricsPath} is not a leadscore metrics.json`, 'pass a folder written by `leadscore train`');
  }
  const html = await renderReport(metrics, await readHoldout(runDir), runDir);
  const path = join(runDir, 'report.html');
  await writeFileAtomic(path, html);
  return { path, bytes: Buffer.byteLength(html) };
}

/** The report's HTML for a run's metrics and hold-out. */
export async function renderReport(metrics: MetricsJson, holdout: Holdout | null, runDir: string): Promise<string> {
  const d = metrics.dataset;
  const models = metrics.models.filter((m) => m.name !== 'rules');
  const rules = metrics.models.find((m) => m.name === 'rules');
  const best = [...models].sort((a, b) => b.auc - a.auc)[0];
  const vs = (name: string) => metrics.comparisons.find((c) => c.model === name && c.baseline === 'rules');
  const sections: string[] = [];

  // Summary
  const verdict = best && vs(best.name) ? (() => {
    const c = vs(best.name)!;
    const confident = c.ci95[0] > 0 ? 'beats the rules with 95% confidence' : c.ci95[1] < 0 ? 'ranks leads worse than the rules, with 95% confidence' : 'cannot be told apart from the rules on this hold-out (95% interval spans zero)';
    return `${best.name} ranks the hold-out's leads best (AUC ${best.auc.toFixed(3)} against the rules' ${rules?.auc.toFixed(3) ?? '–'}) and ${confident}: AUC difference ${c.aucDiff >= 0 ? '+' : ''}${c.aucDiff.toFixed(3)}, 95% interval ${c.ci95[0].toFixed(3)} to ${c.ci95[1].toFixed(3)}.`;
  })() : 'Only the rules were evaluated.';
  sections.push(`<h2 id="summary">Summary</h2>
<p>${esc(d.source)}: ${int(d.rows)} labelled leads, ${int(d.positives)} converted (${pct(d.positives / d.rows)}); ${esc(d.split)} split, ${int(d.trainRows)} training and ${int(d.testRows)} hold-out leads${d.cutoff ? ` (hold-out from ${esc(d.cutoff.slice(0, 10))})` : ''}, seed ${d.seed}. Every figure below is measured on the hold-out leads only.</p>
<p class="verdict">${esc(verdict)}</p>
${metrics.leakage.filter((l) => !l.dropped).map((l) => `<p class="warning">Leakage suspect, kept: ${esc(l.reason)}</p>`).join('\n')}
${(metrics.warnings ?? []).map((w) => `<p class="warning">${esc(w)}</p>`).join('\n')}
${table(['model', 'AUC', 'AUC vs rules (95% CI)', 'PR-AUC', 'lift at 10%', 'threshold', 'calls in vain (FP)', 'missed (FN)'], metrics.models.map((m) => {
    const c = vs(m.name);
    return [m.name, m.auc.toFixed(4), c ? `${c.aucDiff >= 0 ? '+' : ''}${c.aucDiff.toFixed(4)} (${c.ci95[0].toFixed(4)} to ${c.ci95[1].toFixed(4)})` : '–', m.prAuc.toFixed(4), m.liftAt10.toFixed(2),
      thresholdText(m.name, m.threshold.value), m.threshold.fp, m.threshold.fn];
  }))}
<p class="muted">Thresholds: ${esc(best?.threshold.strategy ?? rules?.threshold.strategy ?? '')}, chosen on the training leads and applied unchanged to the hold-out.</p>`);

  if (!holdout) {
    sections.push('<p class="warning">This run has no holdout.csv (it was written by an earlier leadscore): the curves and the decision panel need one row per hold-out lead. Train again to see them.</p>');
    return page('leadscore report', d.source, sections);
  }

  // Decision panel
  const ranked: Series[] = [...models.map((m) => ({ name: m.name, scores: holdout.probability[m.name]! })), { name: 'rules', scores: holdout.ruleScore }];
  const tables = ranked.map((s) => ({ name: s.name, rows: decisionRows(s.scores, holdout.y) }));
  const compact = (rows: DecisionRow[]) => rows.map((r) => [Number(r.threshold.toPrecision(6)), r.sent, r.found, r.missed, r.inVain]);
  const positives = holdout.y.reduce((s, v) => s + v, 0);
  const panelData = { leads: holdout.y.length, positives, models: Object.fromEntries(tables.filter((t) => t.name !== 'rules').map((t) => [t.name, compact(t.rows)])), rules: compact(tables.find((t) => t.name === 'rules')!.rows) };
  const focus = best ? tables.find((t) => t.name === best.name)! : tables[0]!;
  sections.push(`<h2 id="decision-panel">Decision: how many leads can sales call?</h2>
<div id="decision">
<label>Share of leads sent to sales <input type="range" id="share" min="1" max="100" value="10"> <output id="share-out">10%</output></label>
<label>Model <select id="model">${models.map((m) => `<option${m === best ? ' selected' : ''}>${esc(m.name)}</option>`).join('')}</select></label>
<table id="decision-table"><thead><tr><th></th><th>leads sent</th><th>conversions found</th><th>missed (FN)</th><th>calls in vain (FP)</th><th>precision</th><th>recall</th><th>threshold</th></tr></thead><tbody></tbody></table>
<p class="muted">From the ${int(holdout.y.length)} hold-out leads (${int(positives)} converted): sending a share of them sends every lead at or above the threshold that share reaches; the rules are shown at the same volume. Needs JavaScript; without it, the chart below answers the same question.</p>
</div>
<script type="application/json" id="decision-data">${JSON.stringify(panelData).replace(/</g, '\\u003c')}</script>
<script>${PANEL_SCRIPT}</script>
${figure(await renderSvg(tradeoffSpec(focus.name, focus.rows)), `Read across: at a share of leads sent (x), the calls that end without a conversion (false positives) and the buyers left uncalled (false negatives), for ${focus.name} on the hold-out. Where the lines cross, both mistakes are equally many.`)}`);

  // Curves
  type Bins = ReliabilitySeries['bins'];
  const reliability = models.flatMap((m) => {
    const r = m.details.reliability as { before?: Bins; after?: Bins } | undefined;
    return r?.before && r.after ? [{ name: `${m.name} before calibration`, bins: r.before }, { name: `${m.name} (${String(m.details.calibration ?? 'calibrated')})`, bins: r.after }] : [];
  });
  const deciles = metrics.models.flatMap((m) => (Array.isArray(m.details.gainsByDecile) ? [{ name: m.name, deciles: m.details.gainsByDecile as Array<{ decile: number; lift: number }> }] : []));
  sections.push(`<h2 id="curves">Curves</h2>
${figure(await renderSvg(rocSpec(ranked, holdout.y)), 'Higher and further left is better: each curve shows the share of converters found against the share of non-converters sent as the threshold falls; the dashed diagonal is a random order. The area under it is the AUC.')}
${figure(await renderSvg(prSpec(ranked, holdout.y)), 'Higher is better: of the leads sent (precision) how many convert, as more of the converters are found (recall). The dashed line is the conversion rate: what calling at random gives.')}
${reliability.length ? figure(await renderSvg(calibrationSpec(reliability)), 'On the dashed diagonal a predicted 30% means 3 in 10 convert. Points above it: the model is too cautious there; below: too hopeful. Each model before and after the calibration map fitted on its training leads; bins of equal probability width with at least one lead.') : ''}
${figure(await renderSvg(gainsSpec(tables)), 'How many of all conversions the top share of leads holds: the steeper the start, the more a small sales team finds. The dashed diagonal is a random order.')}
${deciles.length ? figure(await renderSvg(liftSpec(deciles)), 'Each bar: how many times the average conversion rate a tenth of the hold-out leads reaches, the tenth with the highest scores first. A good ranking falls from left to right; the dashed line is the average.') : ''}
${best ? figure(await renderSvg(distributionSpec(best.name, holdout.probability[best.name]!, holdout.y)), `How ${best.name}'s probabilities spread for leads that converted and leads that did not: the less the two overlap, the fewer calls in vain at any threshold.`) : ''}`);

  // Decisions at the chosen threshold
  const matrices = metrics.models.map((m) => `<div style="display:inline-block;margin-right:2em"><strong>${esc(m.name)}</strong> (threshold ${thresholdText(m.name, m.threshold.value)})
${table(['', 'converted', 'not converted'], [['sent to sales', m.threshold.tp, m.threshold.fp], ['not sent', m.threshold.fn, m.threshold.tn]])}</div>`).join('');
  const tiers = rules?.details.tiers as Array<{ segment: string; leads: number; conversions: number; rate: number }> | undefined;
  const grades = rules?.details.grades as Array<{ segment: string; leads: number; conversions: number; rate: number }> | undefined;
  sections.push(`<h2 id="decisions">Decisions at the chosen threshold</h2>
<p>Each model's confusion matrix on the hold-out at its own threshold, beside the rules at theirs.</p>
${matrices}
${tiers ? `<h3>The rules' tiers and grades on the hold-out</h3>${table(['tier', 'leads', 'conversions', 'conversion rate'], tiers.map((t) => [t.segment, t.leads, t.conversions, pct(t.rate)]))}` : ''}
${grades ? table(['grade', 'leads', 'conversions', 'conversion rate'], grades.map((g) => [g.segment, g.leads, g.conversions, pct(g.rate)])) : ''}`);

  // Understanding
  const understanding: string[] = [];
  const gbdt = models.find((m) => m.name === 'gbdt');
  const importance = gbdt?.details.importance as Array<{ feature: string; gain: number; splits: number }> | undefined;
  if (importance?.length) {
    const total = importance.reduce((s, x) => s + x.gain, 0);
    understanding.push(`<h3>What the trees split on</h3>${table(['feature', 'share of gain', 'splits'], importance.slice(0, 15).map((x) => [x.feature, pct(total ? x.gain / total : 0), x.splits]))}`);
  }
  const coefficients = await readCoefficients(runDir);
  if (coefficients.length) {
    understanding.push(`<h3>The logistic model's strongest terms</h3><p class="muted">Odds ratio per standard deviation of a number, or for a level against the rest; the full table is logistic-coefficients.csv.</p>${table(['feature', 'coefficient', 'odds ratio', 'p-value'],
      coefficients.slice(0, 15).map((c) => [c.feature, c.coefficient.toFixed(3), c.oddsRatio.toFixed(3), c.pValue]))}`);
  }
  if (understanding.length) sections.push(`<h2 id="understanding">Understanding the models</h2>\n${understanding.join('\n')}`);
  return page('leadscore report', d.source, sections);
}

async function readCoefficients(runDir: string): Promise<Array<{ feature: string; coefficient: number; oddsRatio: number; pValue: string }>> {
  const path = join(runDir, 'logistic-coefficients.csv');
  if (!(await access(path).then(() => true, () => false))) return [];
  const { names, columns } = parseCsv(await readFile(path, 'utf8'), ',');
  const at = (name: string) => columns[names.indexOf(name)]!;
  return at('feature').map((f, i) => ({ feature: String(f), coefficient: Number(at('coefficient')[i]), oddsRatio: Number(at('odds_ratio')[i]), pValue: String(at('p_value')[i]) }))
    .filter((c) => Number.isFinite(c.coefficient)).sort((a, b) => Math.abs(b.coefficient) - Math.abs(a.coefficient));
}
