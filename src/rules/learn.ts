/**
 * A points scorecard learned from a fitted logistic model, as credit scorecards are built: every
 * attribute (a category, a bin of a numeric column at its training quantiles, a missing value) gets the
 * model's contribution for it, shifted so each column's lowest attribute scores 0 and scaled so the best
 * possible lead totals 100. The total is then a linear function of the model's log-odds (up to binning),
 * so the scorecard ranks leads as the model does, in points marketing can paste into its automation tool.
 * Date features (ages, months) cannot be written as rule conditions and are left out, with a note.
 */
import { isActivityAggregateName } from '../data/activities/activities.ts';
import { ConfigError } from '../errors.ts';
import type { FeatureSpec, NumericStats } from '../features/pipeline.ts';
import type { ModelArtifact } from '../models/artifact.ts';
import { calibrate } from '../models/calibration.ts';
import { logit } from '../models/loss.ts';
import { type Condition, type Criterion, DEFAULT_STRONG_ACTIONS, defaultRoutingMatrix, type RuleSet } from './rule-file.ts';

interface Attribute {
  label: string;
  when: Condition[];
  contribution: number;
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

function numericAttributes(column: string, s: NumericStats, beta: number, betaMissing: number | undefined): Attribute[] {
  const f = (v: number) => (s.log1p ? Math.log1p(Math.max(v, 0)) : v);
  const value = (v: number) => (beta * (f(v) - s.mean)) / s.sd;
  const { lower, mean } = s.bins;
  const out: Attribute[] = lower.map((lo, b) => {
    const hi = lower[b + 1] as number | undefined;
    const when: Condition[] = [];
    if (lo !== null) when.push({ column, op: 'gte', value: lo });
    if (hi !== undefined) when.push({ column, op: 'lt', value: hi });
    if (when.length === 0) when.push({ column, op: 'not_missing' }); // a single bin: every present value
    const label = lo === null ? (hi === undefined ? `${column} present` : `${column} < ${fmt(hi)}`) : hi === undefined ? `${column} ≥ ${fmt(lo)}` : `${column} ${fmt(lo)} to ${fmt(hi)}`;
    return { label, when, contribution: value(mean[b]!) };
  });
  if (betaMissing !== undefined) out.push({ label: `${column} missing`, when: [{ column, op: 'is_missing' }], contribution: value(s.median) + betaMissing });
  return out;
}

function attributesOf(spec: FeatureSpec, coef: Map<string, number>): Attribute[] | null {
  const c = (name: string) => coef.get(name) ?? 0;
  switch (spec.kind) {
    case 'numeric':
      return numericAttributes(spec.column, spec, c(spec.column), spec.indicator ? c(`${spec.column}__missing__`) : undefined);
    case 'boolean': {
      const out: Attribute[] = [
        { label: `${spec.column} = yes`, when: [{ column: spec.column, op: 'eq', value: 'yes' }], contribution: c(spec.column) },
        { label: `${spec.column} = no`, when: [{ column: spec.column, op: 'eq', value: 'no' }], contribution: 0 },
      ];
      if (spec.indicator) out.push({ label: `${spec.column} missing`, when: [{ column: spec.column, op: 'is_missing' }], contribution: spec.mode * c(spec.column) + c(`${spec.column}__missing__`) });
      return out;
    }
    case 'categorical': {
      const out: Attribute[] = spec.levels.map((level) => ({
        label: `${spec.column} = ${level}`, when: [{ column: spec.column, op: 'eq', value: level }], contribution: c(`${spec.column}=${level}`),
      }));
      // Everything else (rare in training, or never seen): the pooled level when the model has one, else nothing.
      out.push({ label: `${spec.column}: other values`, when: [{ column: spec.column, op: 'not_in', value: spec.levels }], contribution: spec.other ? c(`${spec.column}=__other__`) : 0 });
      if (spec.missing) out.push({ label: `${spec.column} missing`, when: [{ column: spec.column, op: 'is_missing' }], contribution: c(`${spec.column}=__missing__`) });
      return out;
    }
    case 'date':
      return null;
  }
}

export interface LearnedScorecard {
  rules: RuleSet;
  notes: string[];
  /** Points per unit of log-odds. */
  pointsPerLogit: number;
}

/**
 * @example
 * const { rules } = learnScorecard((await loadModel('models/latest/logistic.model.json')).artifact);
 * await writeFileAtomic('scorecard.yaml', ruleSetToYaml(rules));
 */
export function learnScorecard(artifact: ModelArtifact, options: { decimals?: number; name?: string } = {}): LearnedScorecard {
  if (artifact.model.kind !== 'logistic') {
    throw new ConfigError('NOT_LOGISTIC', `a scorecard is learned from a logistic model; this artifact holds "${artifact.model.kind}"`, 'pass the logistic.model.json of a run');
  }
  const decimals = options.decimals ?? 1;
  const state = artifact.model.state as { beta: number[]; featureNames: string[] };
  const coef = new Map(state.featureNames.map((name, j) => [name, state.beta[j + 1]!]));
  const notes: string[] = [];
  const groups: Array<{ column: string; attributes: Attribute[] }> = [];
  for (const spec of artifact.features.specs as FeatureSpec[]) {
    const attributes = attributesOf(spec, coef);
    if (!attributes) {
      notes.push(`${spec.column}: date features (age, month, weekday) cannot be written as rule conditions; left out`);
      continue;
    }
    groups.push({ column: spec.column, attributes });
  }
  const ranges = groups.map((g) => {
    const values = g.attributes.map((a) => a.contribution);
    return { min: Math.min(...values), max: Math.max(...values) };
  });
  const span = ranges.reduce((s, r) => s + (r.max - r.min), 0);
  if (!(span > 0)) throw new ConfigError('FLAT_MODEL', 'every coefficient is zero: there is nothing to turn into points', 'train with a larger logistic.C');
  const factor = 100 / span;
  const round = (x: number) => Number(x.toFixed(decimals));
  const criteria: Criterion[] = [];
  groups.forEach((g, k) => {
    for (const a of g.attributes) {
      const points = round((a.contribution - ranges[k]!.min) * factor);
      if (points === 0) continue;
      const name = `${g.column}_${a.label.slice(g.column.length)}`.toLowerCase().replace(/[^a-z0-9.]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?=[^a-z])/, 'c_');
      criteria.push({ name: uniqueName(name, criteria), label: a.label, family: isActivityAggregateName(g.column) ? 'engagement' : 'fit', when: a.when, points, disqualify: false, line: criteria.length + 1 });
    }
  });
  // Tiers on the model's scale: hot where the calibrated probability reaches the run's threshold, warm
  // where it reaches the training conversion rate.
  const zMin = state.beta[0]! + ranges.reduce((s, r) => s + r.min, 0);
  const scoreAt = (p: number) => (logitOfCalibrated(artifact, p) - zMin) * factor;
  const baseRate = artifact.training.positives / artifact.training.rows;
  let hot = Math.round(Math.min(99, Math.max(2, scoreAt(artifact.threshold.value))));
  let warm = Math.round(Math.min(hot - 1, Math.max(1, scoreAt(baseRate))));
  if (!(warm < hot)) [warm, hot] = [30, 70];
  const fitMax = groups.reduce((s, g, k) => s + (isActivityAggregateName(g.column) ? 0 : (ranges[k]!.max - ranges[k]!.min) * factor), 0);
  const grades = { A: Math.round(0.6 * fitMax), B: Math.round(0.4 * fitMax), C: Math.round(0.2 * fitMax) };
  if (!(grades.A > grades.B && grades.B > grades.C)) Object.assign(grades, { A: 3, B: 2, C: 1 });
  return {
    rules: {
      name: options.name ?? `scorecard learned from ${artifact.name} (${artifact.target.name})`, file: '<learned>', basePoints: 0,
      tiers: { warm, hot }, grades,
      routing: { matrix: defaultRoutingMatrix(), strongActions: DEFAULT_STRONG_ACTIONS.map((s) => ({ ...s })), strongActionGrades: ['A', 'B'], strongActionRoute: 'sales' },
      criteria,
    },
    notes,
    pointsPerLogit: factor,
  };
}

function uniqueName(name: string, criteria: Criterion[]): string {
  let candidate = name;
  for (let k = 2; criteria.some((c) => c.name === candidate); k++) candidate = `${name}_${k}`;
  return candidate;
}

/** The model log-odds whose calibrated probability first reaches p (calibration is monotone). */
function logitOfCalibrated(artifact: ModelArtifact, p: number): number {
  let lo = -30;
  let hi = 30;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (calibrate(artifact.calibration, 1 / (1 + Math.exp(-mid))) >= p) hi = mid;
    else lo = mid;
  }
  return Number.isFinite(hi) ? hi : logit(p);
}
