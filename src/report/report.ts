/**
 * `report.html` for a training run: one self-contained page (inline CSS, inline SVG charts, a few lines of
 * plain JavaScript, no network) that answers "is the model better than our rules, and how many calls in
 * vain at our capacity?". Built from the run folder alone — metrics.json for the leaderboard and the
 * comparisons, holdout.csv for every curve and for the decision panel — so each figure can be checked in a
 * spreadsheet. Sections: summary, decision panel, curves, decisions at the chosen threshold, understanding.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../data/io/csv.ts';
import { writeCsvColumns, writeFileAtomic } from '../data/io/write.ts';
import { DataError } from '../errors.ts';
import { parseThresholdStrategy } from '../evaluation/thresholds.ts';
import type { EvaluationResult } from '../evaluation/evaluate.ts';
import type { ModelMetrics } from '../train/model-metrics.ts';
import type { MetricsJson } from '../train/train.ts';
import { calibrationSpec, distributionSpec, gainsSpec, liftSpec, prSpec, type ReliabilitySeries, renderSvg, rocSpec, type Series, tradeoffSpec } from './charts.ts';
import { type DecisionRow, decisionRows } from './decision-table.ts';
import { esc, figure, int, page, pct, table } from './html.ts';
import { thresholdText } from './words.ts';
import { writeBacktestReport } from './backtest-report.ts';
import { EXAMPLE_MEANING, type Examples, readExamples } from './examples.ts';

/** A model as the report shows it: its metrics under a label (`logistic`, or `challenger` beside a champion). */
export type ReportModel = Omit<ModelMetrics, 'name'> & { name: string };

/**
 * What a report is drawn from, whichever command wrote the folder: the data in a sentence, the models
 * (the rules among them when they were scored) and their comparisons.
 */
export interface ReportRun {
  source: string;
  /** The data set in a sentence or two (plain text). */
  about: string;
  models: ReportModel[];
  comparisons: Array<{ model: string; baseline: string; aucDiff: number; ci95: [number, number] }>;
  /** Plain-text warnings shown under the summary (leakage suspects kept, dates without a scoring time …). */
  warnings: string[];
  /** A sentence said before the rest of the verdict (a champion gate's outcome). */
  verdict?: string;
  /** Weeks the hold-out spans (from --date): the decision panel then also speaks in leads per week. */
  holdoutWeeks?: number;
}

/** The model that ranks the hold-out best (highest AUC), the rules aside; undefined when only the rules ran. */
export function bestModel<M extends { name: string; auc: number }>(models: readonly M[]): M | undefined {
  return [...models].filter((m) => m.name !== 'rules').sort((a, b) => b.auc - a.auc)[0];
}

/** A training run's metrics.json as a report reads it. */
function runOfMetrics(metrics: MetricsJson): ReportRun {
  const d = metrics.dataset;
  return {
    source: d.source,
    about: `${d.source}: ${int(d.rows)} labelled leads, ${int(d.positives)} converted (${pct(d.positives / d.rows)}); ${d.split} split, ${int(d.trainRows)} training and ${int(d.testRows)} hold-out leads${d.cutoff ? ` (hold-out from ${d.cutoff.slice(0, 10)})` : ''}, seed ${d.seed}. Every figure below is measured on the hold-out leads only.`,
    models: metrics.models,
    comparisons: metrics.comparisons,
    warnings: [...metrics.leakage.filter((l) => !l.dropped).map((l) => `Leakage suspect, kept: ${l.reason}`), ...(metrics.warnings ?? [])],
    ...(d.holdoutWeeks ? { holdoutWeeks: d.holdoutWeeks } : {}),
  };
}

/** `evaluate --out`'s evaluation.json as a report reads it: the evaluated file is the hold-out. */
function runOfEvaluation(evaluation: EvaluationResult): ReportRun {
  const d = evaluation.dataset;
  const gate = evaluation.gate;
  const artifacts = evaluation.models.filter((m) => m.name !== 'rules').map((m) => `${evaluationLabel(evaluation, m)} (${m.artifact})`).join(' and ');
  return {
    source: d.source,
    about: `${d.source}: ${int(d.rows)} labelled leads, ${int(d.positives)} converted (${pct(d.positives / d.rows)}), scored by ${artifacts}. Every figure below is measured on these leads; they are a fair test only if none of them was in the model's training file.`,
    models: evaluation.models.map((m) => ({ ...m, name: evaluationLabel(evaluation, m) })),
    comparisons: evaluation.comparisons,
    warnings: Object.entries(evaluation.unseen).map(([column, n]) => `${int(n)} leads have a ${column} never seen in training (scored as other levels are).`),
    ...(gate ? { verdict: gate.passed
      ? `Gate passed: the challenger is not worse than the champion (lower 95% bound of the AUC difference ${gate.lowerBound.toFixed(4)} above −${gate.margin}).`
      : `Gate failed: the challenger may be worse than the champion (lower 95% bound ${gate.lowerBound.toFixed(4)} at or below −${gate.margin}); keep the champion.` } : {}),
  };
}

/** An evaluated model's label: its role beside a champion, else its name. */
export function evaluationLabel(evaluation: EvaluationResult, m: EvaluationResult['models'][number]): string {
  return evaluation.gate && m.name !== 'rules' ? String(m.details.role) : m.name;
}

/** The hold-out as holdout.csv holds it: outcomes, each model's probability, the rule score (when the rules were scored). */
export interface Holdout {
  /** The leads' 0-based data-row numbers in the file the run read. */
  rows: Int32Array;
  y: Uint8Array;
  probability: Record<string, Float64Array>;
  ruleScore?: Float64Array;
}

/**
 * Writes a folder's holdout.csv: one row per hold-out lead — `row` (the input's 1-based data-row number),
 * the id (when the leads have one), `outcome`, `p_<model>` per model, and `rule_score` when the rules were
 * scored — so that any figure of the report can be checked in a spreadsheet. Returns its path.
 *
 * @example
 * await writeHoldout(runDir, { rows: split.test, y, ids, probability: { logistic: p }, ruleScore });
 */
export async function writeHoldout(dir: string, holdout: { rows: ArrayLike<number>; y: ArrayLike<number>; id?: { name: string; values: ArrayLike<string | number | null> };
  probability: Record<string, ArrayLike<number>>; ruleScore?: ArrayLike<number> }): Promise<string> {
  const { rows, y, id, probability, ruleScore } = holdout;
  const path = join(dir, 'holdout.csv');
  const models = Object.keys(probability);
  const at = (values: ArrayLike<number | string | null>) => Array.from(rows, (r) => values[r] ?? null);
  await writeCsvColumns(path, ['row', ...(id ? [id.name] : []), 'outcome', ...models.map((name) => `p_${name}`), ...(ruleScore ? ['rule_score'] : [])], [
    Array.from(rows, (r) => r + 1), ...(id ? [at(id.values)] : []), at(y), ...models.map((name) => at(probability[name]!)), ...(ruleScore ? [at(ruleScore)] : []),
  ], { safe: true });
  return path;
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
  // Loops, not `Float64Array.from(cells, fn)`: that makes an iterator result per cell (70 MiB of garbage for a
  // 200,000-lead hold-out's columns).
  const column = (name: string) => {
    const cells = columns[names.indexOf(name)]!;
    const out = new Float64Array(cells.length);
    for (let i = 0; i < cells.length; i++) out[i] = Number(cells[i]);
    return out;
  };
  const probability: Record<string, Float64Array> = {};
  for (const name of names) if (name.startsWith('p_')) probability[name.slice(2)] = column(name);
  return { rows: Int32Array.from(column('row'), (r) => r - 1), y: Uint8Array.from(column('outcome')), probability, ...(names.includes('rule_score') ? { ruleScore: column('rule_score') } : {}) };
}

/**
 * The panel's script: reads the embedded table and shows the chosen model beside the rules at the chosen
 * share; with the hold-out's weeks, a weekly capacity sets the share (the largest whose leads per week fit);
 * with a profit strategy's values, the expected profit of each row.
 */
const PANEL_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('decision-data').textContent);
  var share = document.getElementById('share'), out = document.getElementById('share-out'), pick = document.getElementById('model');
  var perWeek = document.getElementById('per-week');
  var body = document.querySelector('#decision-table tbody');
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function fmt(n) { return Math.round(n).toLocaleString('en-US'); }
  function row(name, r, points) {
    var sent = r[1], found = r[2], missed = r[3], vain = r[4];
    var threshold = points ? r[0].toFixed(1) + ' pts' : 'p ' + r[0].toFixed(3) + ' (score ' + (Math.round(r[0] * 1000) / 10).toFixed(1) + ')';
    var cells = [name, fmt(sent) + (data.weeks ? ' (' + fmt(sent / data.weeks) + ' a week)' : ''), fmt(found), fmt(missed), fmt(vain),
      pct(sent ? found / sent : 0), pct(data.positives ? found / data.positives : 0), threshold];
    if (data.profit) cells.push(fmt(found * data.profit.value - sent * data.profit.cost));
    return '<tr><td>' + cells.join('</td><td>') + '</td></tr>';
  }
  function update() {
    var k = Number(share.value) - 1;
    out.textContent = share.value + '% of ' + fmt(data.leads) + ' leads';
    body.innerHTML = row(pick.value, data.models[pick.value][k], false) + (data.rules ? row('rules', data.rules[k], true) : '');
  }
  function fromWeek() {
    var want = Number(perWeek.value), rows = data.models[pick.value], k = 0;
    for (var i = 0; i < rows.length; i++) if (rows[i][1] / data.weeks <= want) k = i;
    share.value = String(k + 1);
    update();
  }
  var byWeek = false; // the last choice was a weekly capacity: a new model keeps the capacity, not the share
  share.addEventListener('input', function () { byWeek = false; update(); });
  pick.addEventListener('change', function () { if (byWeek) fromWeek(); else update(); });
  if (perWeek) perWeek.addEventListener('input', function () { byWeek = true; fromWeek(); });
  update();
})();
`;

/**
 * Writes `report.html` for whatever the folder holds: a training run (metrics.json), an evaluation
 * (evaluation.json, from `evaluate --out`) or a backtest (backtest.json). A folder with none is an exit-2
 * error naming them.
 *
 * @example
 * await reportFolder('models/latest');
 */
export async function reportFolder(dir: string): Promise<{ path: string; bytes: number; kind: 'run' | 'evaluation' | 'backtest' }> {
  const has = (name: string) => access(join(dir, name)).then(() => true, () => false);
  if (await has('metrics.json')) return { ...(await writeReport(dir)), kind: 'run' };
  if (await has('evaluation.json')) return { ...(await writeReport(dir, 'evaluation.json')), kind: 'evaluation' };
  if (await has('backtest.json')) return { ...(await writeBacktestReport(dir)), kind: 'backtest' };
  throw new DataError('NOT_A_RUN', `${dir} holds no training run (metrics.json), evaluation (evaluation.json) or backtest (backtest.json)`,
    'pass a folder written by `leadscore train`, `leadscore evaluate --out` or `leadscore backtest` (models/latest is the newest run)');
}

/**
 * Writes `report.html` into a run folder (from its metrics.json) or an evaluation folder (from its
 * evaluation.json) and returns its path.
 *
 * @example
 * const { path } = await writeReport('models/latest');
 */
export async function writeReport(runDir: string, file: 'metrics.json' | 'evaluation.json' = 'metrics.json'): Promise<{ path: string; bytes: number }> {
  const jsonPath = join(runDir, file);
  const writer = file === 'metrics.json' ? '`leadscore train`' : '`leadscore evaluate --out`';
  let json: MetricsJson & EvaluationResult;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as MetricsJson & EvaluationResult;
  } catch (err) {
    throw (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? new DataError('NOT_A_RUN', `${runDir} holds no ${file === 'metrics.json' ? 'training run' : 'evaluation'}: ${file} is missing`, `pass a folder written by ${writer}${file === 'metrics.json' ? ' (models/latest is the newest)' : ''}`)
      : new DataError('NOT_A_RUN', `${jsonPath} is not valid JSON`, `run ${writer} again to write the folder anew`);
  }
  if (!Array.isArray(json.models) || !json.dataset || !Array.isArray(json.comparisons)) {
    throw new DataError('NOT_A_RUN', `${jsonPath} is not a leadscore ${file}`, `pass a folder written by ${writer}`);
  }
  const run = file === 'metrics.json' ? runOfMetrics(json) : runOfEvaluation(json);
  const html = await renderReport(run, await readHoldout(runDir), runDir, await readExamples(runDir));
  const path = join(runDir, 'report.html');
  await writeFileAtomic(path, html);
  return { path, bytes: Buffer.byteLength(html) };
}

/** The report's HTML for a run, its hold-out and its example leads. */
async function renderReport(run: ReportRun, holdout: Holdout | null, runDir: string, examples: Examples | null = null): Promise<string> {
  const models = run.models.filter((m) => m.name !== 'rules');
  const rules = run.models.find((m) => m.name === 'rules');
  const best = bestModel(models);
  const vs = (name: string) => run.comparisons.find((c) => c.model === name && c.baseline === 'rules');
  const sections: string[] = [];

  // Summary
  const againstRules = best && vs(best.name) ? (() => {
    const c = vs(best.name)!;
    const confident = c.ci95[0] > 0 ? 'beats the rules with 95% confidence' : c.ci95[1] < 0 ? 'ranks leads worse than the rules, with 95% confidence' : 'cannot be told apart from the rules on this hold-out (95% interval spans zero)';
    return `${best.name} ranks the hold-out's leads best (AUC ${best.auc.toFixed(3)} against the rules' ${rules?.auc.toFixed(3) ?? '–'}) and ${confident}: AUC difference ${c.aucDiff >= 0 ? '+' : ''}${c.aucDiff.toFixed(3)}, 95% interval ${c.ci95[0].toFixed(3)} to ${c.ci95[1].toFixed(3)}.`;
  })() : best ? `${best.name} ranks the leads best (AUC ${best.auc.toFixed(3)}); no rules were scored beside it (evaluate --rules <file> adds them).` : 'Only the rules were evaluated.';
  const verdict = run.verdict ? `${run.verdict} ${againstRules.charAt(0).toUpperCase()}${againstRules.slice(1)}` : againstRules;
  const strategy = best?.threshold.strategy ?? rules?.threshold.strategy ?? '';
  sections.push(`<h2 id="summary">Summary</h2>
<p>${esc(run.about)}</p>
<p class="verdict">${esc(verdict)}</p>
${run.warnings.map((w) => `<p class="warning">${esc(w)}</p>`).join('\n')}
${table(['model', 'AUC', 'AUC vs rules (95% CI)', 'PR-AUC', 'lift at 10%', 'threshold', 'calls in vain (FP)', 'missed (FN)'], run.models.map((m) => {
    const c = vs(m.name);
    return [m.name, m.auc.toFixed(4), c ? `${c.aucDiff >= 0 ? '+' : ''}${c.aucDiff.toFixed(4)} (${c.ci95[0].toFixed(4)} to ${c.ci95[1].toFixed(4)})` : '–', m.prAuc.toFixed(4), m.liftAt10.toFixed(2),
      thresholdText(m.name, m.threshold.value), m.threshold.fp, m.threshold.fn];
  }))}
<p class="muted">Thresholds: ${esc(strategy)}, chosen on the training leads and applied unchanged to the hold-out.</p>`);

  if (!holdout) {
    sections.push('<p class="warning">This folder has no holdout.csv (it was written by an earlier leadscore): the curves and the decision panel need one row per hold-out lead. Train again to see them.</p>');
    return page('leadscore report', run.source, sections);
  }

  // Decision panel
  const ranked: Series[] = [...models.map((m) => ({ name: m.name, scores: holdout.probability[m.name]! })), ...(holdout.ruleScore ? [{ name: 'rules', scores: holdout.ruleScore }] : [])];
  const tables = ranked.map((s) => ({ name: s.name, rows: decisionRows(s.scores, holdout.y) }));
  const compact = (rows: DecisionRow[]) => rows.map((r) => [Number(r.threshold.toPrecision(6)), r.sent, r.found, r.missed, r.inVain]);
  const positives = holdout.y.reduce((s, v) => s + v, 0);
  // Only a profit strategy has values for the panel (the rules' "hot tier" of `evaluate` names no strategy to parse).
  const parsed = strategy.startsWith('profit:') ? parseThresholdStrategy(strategy) : undefined;
  const profit = parsed?.kind === 'profit' ? { value: parsed.value, cost: parsed.cost } : undefined;
  const weeks = run.holdoutWeeks;
  const ruleTable = tables.find((t) => t.name === 'rules');
  const panelData = { leads: holdout.y.length, positives, ...(weeks ? { weeks } : {}), ...(profit ? { profit } : {}),
    models: Object.fromEntries(tables.filter((t) => t.name !== 'rules').map((t) => [t.name, compact(t.rows)])), ...(ruleTable ? { rules: compact(ruleTable.rows) } : {}) };
  const focus = best ? tables.find((t) => t.name === best.name)! : tables[0]!;
  const head = ['', 'leads sent', 'conversions found', 'missed (FN)', 'calls in vain (FP)', 'precision', 'recall', 'threshold', ...(profit ? ['expected profit'] : [])];
  const perWeekAt10 = weeks ? Math.max(1, Math.round(focus.rows[9]!.sent / weeks)) : 0;
  if (models.length) {
    sections.push(`<h2 id="decision-panel">Decision: how many leads can sales call?</h2>
<div id="decision">
<label>Share of leads sent to sales <input type="range" id="share" min="1" max="100" value="10"> <output id="share-out">10%</output></label>
${weeks ? `<label>or: sales can call <input type="number" id="per-week" min="1" step="1" value="${perWeekAt10}" style="width:6em"> leads a week</label>` : ''}
<label>Model <select id="model">${models.map((m) => `<option${m === best ? ' selected' : ''}>${esc(m.name)}</option>`).join('')}</select></label>
<table id="decision-table"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody></tbody></table>
<p class="muted">From the ${int(holdout.y.length)} hold-out leads (${int(positives)} converted)${weeks ? `, ${weeks.toFixed(1)} weeks of them` : ''}: sending a share of them sends every lead at or above the threshold that share reaches${ruleTable ? '; the rules are shown at the same volume' : ''}.${weeks ? ' A weekly capacity picks the largest share whose leads per week fit in it.' : ''}${profit ? ` Expected profit: ${int(profit.value)} per conversion found, less ${int(profit.cost)} per lead sent (the run's --threshold profit: values).` : ''} Needs JavaScript; without it, the chart below answers the same question.</p>
</div>
<script type="application/json" id="decision-data">${JSON.stringify(panelData).replace(/</g, '\\u003c')}</script>
<script>${PANEL_SCRIPT}</script>
${figure(await renderSvg(tradeoffSpec(focus.name, focus.rows)), `Read across: at a share of leads sent (x), the calls that end without a conversion (false positives) and the buyers left uncalled (false negatives), for ${focus.name} on the hold-out. Where the lines cross, both mistakes are equally many.`)}`);
  }

  // Curves
  type Bins = ReliabilitySeries['bins'];
  const reliability = models.flatMap((m) => {
    const r = m.details.reliability as { before?: Bins; after?: Bins } | undefined;
    return r?.before && r.after ? [{ name: `${m.name} before calibration`, bins: r.before }, { name: `${m.name} (${String(m.details.calibration ?? 'calibrated')})`, bins: r.after }] : [];
  });
  const deciles = run.models.flatMap((m) => (Array.isArray(m.details.gainsByDecile) ? [{ name: m.name, deciles: m.details.gainsByDecile as Array<{ decile: number; lift: number }> }] : []));
  sections.push(`<h2 id="curves">Curves</h2>
${figure(await renderSvg(rocSpec(ranked, holdout.y)), 'Higher and further left is better: each curve shows the share of converters found against the share of non-converters sent as the threshold falls; the dashed diagonal is a random order. The area under it is the AUC.')}
${figure(await renderSvg(prSpec(ranked, holdout.y)), 'Higher is better: of the leads sent (precision) how many convert, as more of the converters are found (recall). The dashed line is the conversion rate: what calling at random gives.')}
${reliability.length ? figure(await renderSvg(calibrationSpec(reliability)), 'On the dashed diagonal a predicted 30% means 3 in 10 convert. Points above it: the model is too cautious there; below: too hopeful. Each model before and after the calibration map fitted on its training leads; bins of equal probability width with at least one lead.') : ''}
${figure(await renderSvg(gainsSpec(tables)), 'How many of all conversions the top share of leads holds: the steeper the start, the more a small sales team finds. The dashed diagonal is a random order.')}
${deciles.length ? figure(await renderSvg(liftSpec(deciles)), 'Each bar: how many times the average conversion rate a tenth of the hold-out leads reaches, the tenth with the highest scores first. A good ranking falls from left to right; the dashed line is the average.') : ''}
${best ? figure(await renderSvg(distributionSpec(best.name, holdout.probability[best.name]!, holdout.y)), `How ${best.name}'s probabilities spread for leads that converted and leads that did not: the less the two overlap, the fewer calls in vain at any threshold.`) : ''}`);

  // Decisions at the chosen threshold
  const matrices = run.models.map((m) => `<div style="display:inline-block;margin-right:2em"><strong>${esc(m.name)}</strong> (threshold ${thresholdText(m.name, m.threshold.value)})
${table(['', 'converted', 'not converted'], [['sent to sales', m.threshold.tp, m.threshold.fp], ['not sent', m.threshold.fn, m.threshold.tn]])}</div>`).join('');
  const tiers = rules?.details.tiers as Array<{ segment: string; leads: number; conversions: number; rate: number }> | undefined;
  const grades = rules?.details.grades as Array<{ segment: string; leads: number; conversions: number; rate: number }> | undefined;
  sections.push(`<h2 id="decisions">Decisions at the chosen threshold</h2>
<p>Each model's confusion matrix on the hold-out at its own threshold${rules ? ', beside the rules at theirs' : ''}.</p>
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
  if (examples?.leads.length) understanding.push(exampleSection(examples));
  if (understanding.length) sections.push(`<h2 id="understanding">Understanding the models</h2>\n${understanding.join('\n')}`);
  return page('leadscore report', run.source, sections);
}

/** The example leads: what each kind is, the lead, its outcome and score, and its reasons in words. */
function exampleSection(examples: Examples): string {
  const rows = examples.leads.map((l) => `<tr><td><strong>${esc(l.kind)}</strong><br><span class="muted">${esc(EXAMPLE_MEANING[l.kind])}</span></td>
<td>${esc(String(l.id ?? `row ${l.row}`))}</td><td>${l.outcome ? 'converted' : 'did not convert'}</td><td>${l.probability.toFixed(3)} (score ${l.score.toFixed(1)}, ${esc(l.tier)})</td>
<td>${esc(l.action)}</td><td style="text-align:left">${esc(l.reasons || 'no feature moved the score by 0.005 log-odds or more')}</td><td>${l.ruleScore === null ? '–' : l.ruleScore.toFixed(1)}</td></tr>`).join('\n');
  return `<h3 id="examples">Five hold-out leads, with ${esc(examples.model)}'s reasons</h3>
<p class="muted">Scored as <code>leadscore score</code> scores them (threshold ${examples.threshold.toFixed(3)}); each reason is a column, the lead's value and how much it moved the log-odds. The full list is examples.json.</p>
<table class="examples"><thead><tr><th>example</th><th>lead</th><th>outcome</th><th>probability</th><th>action</th><th>reasons</th><th>rule score</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

async function readCoefficients(runDir: string): Promise<Array<{ feature: string; coefficient: number; oddsRatio: number; pValue: string }>> {
  const path = join(runDir, 'logistic-coefficients.csv');
  if (!(await access(path).then(() => true, () => false))) return [];
  const { names, columns } = parseCsv(await readFile(path, 'utf8'), ',');
  const at = (name: string) => columns[names.indexOf(name)]!;
  return at('feature').map((f, i) => ({ feature: String(f), coefficient: Number(at('coefficient')[i]), oddsRatio: Number(at('odds_ratio')[i]), pValue: String(at('p_value')[i]) }))
    .filter((c) => Number.isFinite(c.coefficient)).sort((a, b) => Math.abs(b.coefficient) - Math.abs(a.coefficient));
}
