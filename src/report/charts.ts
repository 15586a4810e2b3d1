/**
 * The report's charts: Vega-Lite specs rendered to SVG in Node (`vega` + `vega-lite`: compile, then
 * `View.toSVG()` with no renderer, so no canvas package), inlined in the HTML. Each chart has a title and
 * labelled axes; its caption lives in the report beside it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { confusionAtThresholds } from '../evaluation/curves.ts';
import type { DecisionRow } from './decision-table.ts';

/** Scores of one model (or the rules) on the hold-out, with the outcomes. */
export interface Series {
  name: string;
  scores: ArrayLike<number>;
}

const WIDTH = 420;
const HEIGHT = 260;

/**
 * A Vega-Lite spec as inline SVG.
 *
 * @example
 * const svg = await renderSvg({ title: 'ROC', mark: 'line', data: { values }, encoding: { … } });
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded here, not at the top: vega's canvas probe awaits at its top level, and a module graph with a
  // top-level await cannot be require()d — leadscore's would then fail in CommonJS callers (tslab notebooks).
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = (title: string) => ({ title: { text: title, anchor: 'start' as const }, width: WIDTH, height: HEIGHT, config: { font: 'system-ui, sans-serif', view: { stroke: null }, legend: { labelLimit: 260 } } });

/** At most this many points a curve (evenly by rank), so a 45,000-row hold-out stays a small SVG. */
function thin<T>(points: T[], most = 200): T[] {
  if (points.length <= most) return points;
  return Array.from({ length: most }, (_, k) => points[Math.round((k * (points.length - 1)) / (most - 1))]!);
}

/**
 * ROC curves of every series, with the diagonal of a random ranking.
 *
 * @example
 * const svg = await renderSvg(rocSpec([{ name: 'gbdt', scores: holdout.probability.gbdt }, { name: 'rules', scores: holdout.ruleScore }], holdout.y));
 */
export function rocSpec(series: Series[], y: ArrayLike<number>): TopLevelSpec {
  const values = series.flatMap((s) => {
    const t = confusionAtThresholds(s.scores, y);
    const pts = [{ fpr: 0, tpr: 0 }, ...Array.from(t.thresholds, (_, i) => ({ fpr: t.fp[i]! / t.negatives, tpr: t.tp[i]! / t.positives }))];
    return thin(pts).map((p) => ({ ...p, model: s.name }));
  });
  return { ...base('ROC curve: conversions found against non-converters sent'), data: { values },
    layer: [
      { mark: { type: 'line', interpolate: 'step-after' }, encoding: { x: { field: 'fpr', type: 'quantitative', title: 'false positive rate (non-converters sent)' }, y: { field: 'tpr', type: 'quantitative', title: 'true positive rate (conversions found)' }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ a: 0 }, { a: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } } },
    ] } as TopLevelSpec;
}

/**
 * Precision against recall for every series, with the base rate as the line of a random ranking.
 *
 * @example
 * const svg = await renderSvg(prSpec([{ name: 'gbdt', scores: holdout.probability.gbdt }], holdout.y));
 */
export function prSpec(series: Series[], y: ArrayLike<number>): TopLevelSpec {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const values = series.flatMap((s) => {
    const t = confusionAtThresholds(s.scores, y);
    return thin(Array.from(t.thresholds, (_, i) => ({ recall: t.tp[i]! / t.positives, precision: t.tp[i]! / (t.tp[i]! + t.fp[i]!) }))).map((p) => ({ ...p, model: s.name }));
  });
  return { ...base('Precision and recall: how many sent convert, against how many converters are found'), data: { values },
    layer: [
      { mark: 'line', encoding: { x: { field: 'recall', type: 'quantitative', title: 'recall (share of conversions found)' }, y: { field: 'precision', type: 'quantitative', title: 'precision (share of sent leads that convert)', scale: { domain: [0, 1] } }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ rate: positives / y.length }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { y: { field: 'rate', type: 'quantitative' } } },
    ] } as TopLevelSpec;
}

/** A model's reliability bins before or after its calibration map (metrics.json holds both). */
export interface ReliabilitySeries {
  name: string;
  bins: Array<{ meanPredicted: number; observedRate: number; count: number }>;
}

/**
 * Mean predicted probability against the observed conversion rate, per probability bin, before and after calibration.
 *
 * @example
 * const svg = await renderSvg(calibrationSpec([{ name: 'logistic', bins: metrics.models[1].details.reliability.after }]));
 */
export function calibrationSpec(series: ReliabilitySeries[]): TopLevelSpec {
  const values = series.flatMap((s) => s.bins.filter((b) => b.count > 0).map((b) => ({ predicted: b.meanPredicted, observed: b.observedRate, leads: b.count, model: s.name })));
  return { ...base('Calibration: predicted probability against the conversion rate observed'), data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'predicted', type: 'quantitative', title: 'mean predicted probability (per bin)' }, y: { field: 'observed', type: 'quantitative', title: 'observed conversion rate' }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ a: 0 }, { a: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } } },
    ] } as TopLevelSpec;
}

/**
 * Lift per decile of leads (highest scores first) for every model and the rules.
 *
 * @example
 * const svg = await renderSvg(liftSpec([{ name: 'gbdt', deciles: metrics.models[0].details.gainsByDecile }]));
 */
export function liftSpec(series: Array<{ name: string; deciles: Array<{ decile: number; lift: number }> }>): TopLevelSpec {
  const values = series.flatMap((s) => s.deciles.map((d) => ({ decile: d.decile, lift: d.lift, model: s.name })));
  return { ...base('Lift by decile: how much more often each tenth of leads converts than average'), data: { values },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'decile', type: 'ordinal', title: 'decile of leads (1 = the highest scores)' }, xOffset: { field: 'model' }, y: { field: 'lift', type: 'quantitative', title: 'lift (conversion rate ÷ average)' }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { y: { field: 'one', type: 'quantitative' } } },
    ] } as TopLevelSpec;
}

/**
 * Cumulative gains: the share of conversions found by sending the top share of leads, per series.
 *
 * @example
 * const svg = await renderSvg(gainsSpec([{ name: 'gbdt', rows: decisionRows(holdout.probability.gbdt, holdout.y) }]));
 */
export function gainsSpec(tables: Array<{ name: string; rows: DecisionRow[] }>): TopLevelSpec {
  const values = tables.flatMap((t) => [{ share: 0, found: 0, model: t.name }, ...t.rows.map((r) => ({ share: r.share / 100, found: r.recall, model: t.name }))]);
  return { ...base('Cumulative gains: conversions found by calling the top share of leads'), data: { values },
    layer: [
      { mark: 'line', encoding: { x: { field: 'share', type: 'quantitative', title: 'share of leads sent to sales', axis: { format: '%' } }, y: { field: 'found', type: 'quantitative', title: 'share of conversions found', axis: { format: '%' } }, color: { field: 'model', type: 'nominal', title: 'model' } } },
      { data: { values: [{ a: 0 }, { a: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } } },
    ] } as TopLevelSpec;
}

/**
 * Calls in vain (FP) and conversions missed (FN) against the share of leads sent, for one model: the decision panel's static form.
 *
 * @example
 * const svg = await renderSvg(tradeoffSpec('gbdt', decisionRows(holdout.probability.gbdt, holdout.y)));
 */
export function tradeoffSpec(name: string, rows: DecisionRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => [{ share: r.share / 100, leads: r.inVain, what: 'calls in vain (FP)' }, { share: r.share / 100, leads: r.missed, what: 'conversions missed (FN)' }]);
  return { ...base(`${name}: calls in vain and conversions missed, by share of leads sent to sales`), data: { values },
    mark: 'line', encoding: { x: { field: 'share', type: 'quantitative', title: 'share of leads sent to sales', axis: { format: '%' } }, y: { field: 'leads', type: 'quantitative', title: 'hold-out leads' }, color: { field: 'what', type: 'nominal', title: '' } } } as TopLevelSpec;
}

/**
 * The distribution of one model's probability among converted and not converted hold-out leads.
 *
 * @example
 * const svg = await renderSvg(distributionSpec('gbdt', holdout.probability.gbdt, holdout.y));
 */
export function distributionSpec(name: string, scores: ArrayLike<number>, y: ArrayLike<number>): TopLevelSpec {
  const bins = 20;
  const counts = new Map<string, number>();
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.floor(scores[i]! * bins));
    const key = `${b}|${y[i] ? 'converted' : 'not converted'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const values = [...counts.entries()].map(([key, leads]) => {
    const [b, outcome] = key.split('|');
    return { from: Number(b) / bins, to: (Number(b) + 1) / bins, outcome, leads };
  });
  return { ...base(`${name}: probability among converted and not converted leads`), data: { values },
    mark: { type: 'bar', opacity: 0.7 }, encoding: { x: { field: 'from', type: 'quantitative', bin: { binned: true, step: 1 / bins }, title: 'predicted probability' }, x2: { field: 'to' },
      y: { field: 'leads', type: 'quantitative', title: 'hold-out leads', stack: null }, color: { field: 'outcome', type: 'nominal', title: '' } } } as TopLevelSpec;
}
