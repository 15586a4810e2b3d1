/**
 * Drafting a rule file from history, as a marketer would weight what converts, on the **training rows
 * only**: for each category (and each quantile bin of a numeric column) its conversion rate against the
 * base rate, turned into points (a segment converting twice as often as average earns +15, rounded to
 * 5); the strongest 10–20 criteria kept. For each event type in the activity log, the decay half-life is
 * fitted from a grid (3–180 days): the one whose decayed event count best separates converters (highest
 * log-likelihood of a one-feature logistic fit; the AUC per half-life is reported beside it).
 * Tiers and grades are set at quantiles of the drafted scores on the training rows.
 */
import { type ActivityLog } from '../data/activities/activities.ts';
import { type Dataset, subsetDataset } from '../data/io/dataset.ts';
import { bytesAt, columnValues, floatsAt, levelCodes, numbersAt } from '../data/columns.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { kthSmallest } from '../data/types/order-statistic.ts';
import { rocAuc } from '../evaluation/metrics.ts';
import { leadIdColumn, scoreWithRules } from './engine.ts';
import { type Condition, type Criterion, DEFAULT_STRONG_ACTIONS, DEFAULT_GRADES, DEFAULT_TIERS, defaultRoutingMatrix, type RuleSet } from './rule-file.ts';

/** How a run's metrics.json names rules that train drafted (the `source` of its rules model). */
export const DRAFTED_SOURCE = 'drafted from the training rows';

export const HALF_LIFE_GRID = [3, 7, 14, 30, 60, 90, 180] as const;
/** Points for a segment whose conversion rate is twice the base rate. */
const POINTS_PER_DOUBLING = 15;

export interface DraftOptions {
  /** Columns never used (the target, ids and leaks are excluded anyway). */
  exclude?: string[];
  /** Target column name, excluded from criteria. */
  target?: string;
  activities?: ActivityLog;
  /** Scoring time(s) for the activity criteria, aligned with the dataset's rows. */
  asOf?: number | ArrayLike<number>;
  leadId?: string;
  /** At most this many criteria (default 16). */
  maxCriteria?: number;
  /** Minimum training rows a segment needs (default max(30, 1% of rows)). */
  minSupport?: number;
  name?: string;
}

export interface DraftNote {
  criterion: string;
  support: number;
  rate: number;
  /** For activity criteria: the fitted half-life, and the AUC of the decayed count per half-life tried. */
  halfLifeDays?: number;
  halfLifeAuc?: Record<number, number>;
}

export interface DraftResult {
  rules: RuleSet;
  baseRate: number;
  trainRows: number;
  notes: DraftNote[];
}

const round5 = (x: number) => 5 * Math.round(x / 5);
const pointsFor = (rate: number, base: number) => Math.max(-40, Math.min(40, round5((POINTS_PER_DOUBLING / Math.LN2) * Math.log(rate / base))));

interface Candidate {
  criterion: Omit<Criterion, 'line'>;
  column: string;
  /** 1 for the training rows (by position in `rows`) the criterion fires on. */
  members: Uint8Array;
  /** Evidence strength: support × squared log-lift (a chi-square-like weight). */
  strength: number;
  note: DraftNote;
}

/** A drafted disqualifier needs this many training leads in its segment… */
export const DISQUALIFY_MIN_LEADS = 100;
/** …and the upper 95% bound of their conversion rate at most this share of the base rate. */
export const DISQUALIFY_SHARE = 0.2;

/** One-sided 95% Wilson upper bound of a rate of `k` in `n`. */
export function wilsonUpper(k: number, n: number): number {
  const z = 1.645;
  const p = k / n;
  return (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
}

/**
 * Drafts a rule set from the training rows.
 *
 * @example
 * const { rules } = draftRules(data, target.y, split.train, { target: 'converted', activities: log, asOf });
 * await writeFileAtomic('rules.yaml', ruleSetToYaml(rules));
 */
export function draftRules(data: Dataset, y: Uint8Array, rows: Int32Array, options: DraftOptions = {}): DraftResult {
  const n = rows.length;
  let positives = 0;
  for (const r of rows) positives += y[r]!;
  const base = positives / n;
  const minSupport = options.minSupport ?? Math.max(30, Math.ceil(0.01 * n));
  const exclude = new Set([...(options.exclude ?? []), ...(options.target ? [options.target] : [])]);
  // Smoothed rate: a segment with little data is pulled toward the base rate.
  const smoothed = (conv: number, count: number) => (conv + 20 * base) / (count + 20);
  const candidates: Candidate[] = [];

  /** A segment as a candidate criterion, from its leads and conversions; `members` (its rows' flags) is made only for a candidate. */
  const candidate = (column: string, condition: Condition[], label: string, count: number, conv: number, members: () => Uint8Array) => {
    if (count < minSupport || count > n - minSupport) return;
    const rate = smoothed(conv, count);
    // A disqualifier only where conversion is all but nil, with enough leads to say so: the one-sided 95%
    // upper bound of the segment's rate at most a fifth of the base rate (students, competitors, junk).
    const disqualify = count >= Math.max(minSupport, DISQUALIFY_MIN_LEADS) && wilsonUpper(conv, count) <= DISQUALIFY_SHARE * base;
    const points = disqualify ? 0 : pointsFor(rate, base);
    if (points === 0 && !disqualify) return;
    const words = label.replace('≥', 'at least').replace('<', 'under').replace('=', 'is');
    const name = `${column}_${words}`.toLowerCase().replace(/[^a-z0-9.]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(?=[^a-z])/, 'c_');
    candidates.push({
      column,
      members: members(),
      strength: count * Math.log(rate / base) ** 2,
      criterion: { name, label: `${column} ${label}`, family: 'fit', when: condition, points, disqualify },
      note: { criterion: name, support: count, rate: conv / count },
    });
  };
  /** Leads and conversions per segment from each training row's segment (−1: none), and a segment's rows' flags made when asked. */
  const bySegment = (segment: Int32Array, segments: number) => {
    const counts = new Float64Array(segments);
    const convs = new Float64Array(segments);
    for (let k = 0; k < n; k++) {
      const s = segment[k]!;
      if (s < 0) continue;
      counts[s]!++;
      convs[s]! += y[rows[k]!]!;
    }
    const members = (s: number) => () => {
      const flags = new Uint8Array(n);
      for (let k = 0; k < n; k++) if (segment[k] === s) flags[k] = 1;
      return flags;
    };
    return { counts, convs, members };
  };
  for (const column of data.schema.columns) {
    if (!column.feature || exclude.has(column.name)) continue;
    const values = columnValues(data.table, column.name) as ArrayLike<unknown>;
    if (column.type === 'categorical' || column.type === 'boolean') {
      // One pass gives every level's leads and conversions (a level per pass would cost levels × rows).
      const { code, levels } = levelCodes(values, rows);
      const segments = bySegment(code, levels.length);
      levels.forEach((level, j) => {
        const text = column.type === 'boolean' ? (level ? 'yes' : 'no') : String(level);
        candidate(column.name, [{ column: column.name, op: 'eq', value: text }], `= ${text}`, segments.counts[j]!, segments.convs[j]!, segments.members(j));
      });
    } else if (column.type === 'numeric') {
      const at = numbersAt(values, rows); // NaN where missing
      const kept = new Float64Array(n);
      let count = 0;
      let min = Infinity;
      for (let k = 0; k < n; k++) {
        const v = at[k]!;
        if (Number.isNaN(v)) continue;
        kept[count++] = v;
        if (v < min) min = v;
      }
      if (count === 0) continue;
      // The present values' quintile edges, by selection (the values a sort puts there, without the sort).
      const present = kept.subarray(0, count);
      const edges = [...new Set([0.2, 0.4, 0.6, 0.8].map((q) => kthSmallest(present, Math.floor(q * count))))].filter((e) => e > min);
      // Each row's range (k: below edges[k] and at or above edges[k − 1]; the last: at or above the top edge).
      const range = new Int32Array(n).fill(-1);
      for (let k = 0; k < n; k++) {
        const v = at[k]!;
        if (Number.isNaN(v)) continue;
        let b = 0;
        while (b < edges.length && v >= edges[b]!) b++;
        range[k] = b;
      }
      const { counts, convs, members } = bySegment(range, edges.length + 1);
      edges.forEach((edge, k) => {
        const lo = k === 0 ? undefined : edges[k - 1]!;
        const cond: Condition[] = lo === undefined ? [{ column: column.name, op: 'lt', value: edge }]
          : [{ column: column.name, op: 'gte', value: lo }, { column: column.name, op: 'lt', value: edge }];
        candidate(column.name, cond, lo === undefined ? `< ${edge}` : `${lo} to ${edge}`, counts[k]!, convs[k]!, members(k));
      });
      const top = edges[edges.length - 1];
      if (top !== undefined) candidate(column.name, [{ column: column.name, op: 'gte', value: top }], `≥ ${top}`, counts[edges.length]!, convs[edges.length]!, members(edges.length));
    }
    if (column.missing > 0 && (column.type === 'categorical' || column.type === 'boolean' || column.type === 'numeric')) {
      const isMissing = new Int32Array(n);
      for (let k = 0; k < n; k++) isMissing[k] = values[rows[k]!] === null ? 0 : -1;
      const missing = bySegment(isMissing, 1);
      candidate(column.name, [{ column: column.name, op: 'is_missing' }], 'missing', missing.counts[0]!, missing.convs[0]!, missing.members(0));
    }
  }

  if (options.activities && options.asOf !== undefined) {
    candidates.push(...draftActivityCriteria(data, y, rows, base, minSupport, options));
  }

  // Keep the strongest, at most three per column so that no single column dominates, and none that fires on
  // nearly the same leads as a stronger one (student e-mail, seniority Student and title Student are one signal).
  candidates.sort((a, b) => b.strength - a.strength || a.criterion.name.localeCompare(b.criterion.name));
  const perColumn = new Map<string, number>();
  const kept: Candidate[] = [];
  for (const c of candidates) {
    const used = perColumn.get(c.column) ?? 0;
    if (used >= 3) continue;
    if (kept.some((k) => jaccard(k.members, c.members) > 0.6)) continue;
    perColumn.set(c.column, used + 1);
    kept.push(c);
    if (kept.length >= (options.maxCriteria ?? 16)) break;
  }
  const criteria: Criterion[] = kept.map((c, i) => ({ ...c.criterion, line: i + 1 }));
  const draft: RuleSet = {
    name: options.name ?? 'drafted from history',
    file: '<draft>',
    basePoints: 0,
    tiers: { ...DEFAULT_TIERS },
    grades: { ...DEFAULT_GRADES },
    // No grade-based disqualification in a draft (cold D leads still converted at a third of the base rate on
    // bank-marketing): only the disqualifier criteria above disqualify.
    routing: { matrix: { ...defaultRoutingMatrix(), cold: { ...defaultRoutingMatrix().cold, D: 'nurture' } }, strongActions: DEFAULT_STRONG_ACTIONS.map((s) => ({ ...s })), strongActionGrades: ['A', 'B'], strongActionRoute: 'sales' },
    criteria,
  };
  // Drafted points sum to totals that may be negative: base points put the median training lead at 20,
  // tiers fall at the top 30% (warm) and top 10% (hot) of training scores, grades at fit-point quantiles
  // (A top 15%, B next 25%, C next 30%, D the rest).
  const scoreRows = subsetDataset(data, rows);
  const asOfRows = options.asOf === undefined ? undefined : typeof options.asOf === 'number' ? options.asOf : floatsAt(options.asOf, rows);
  const context = { ...(options.activities ? { activities: options.activities } : {}), ...(asOfRows !== undefined ? { asOf: asOfRows } : {}), ...(options.leadId ? { leadId: options.leadId } : {}) };
  const rawTotals = rawPointTotals(draft, scoreRows, context);
  const median = quantile(rawTotals.total, 0.5);
  const offset = round5(20 - median);
  draft.basePoints = offset;
  const shifted = rawTotals.total.map((t) => Math.min(100, Math.max(0, t + offset)));
  const warm = Math.max(1, Math.round(quantile(shifted, 0.7)));
  const hot = Math.max(warm + 1, Math.min(100, Math.round(quantile(shifted, 0.9))));
  draft.tiers = { warm, hot };
  const fit = rawTotals.fit;
  const c = Math.round(quantile(fit, 0.3));
  const b = Math.max(c + 1, Math.round(quantile(fit, 0.6)));
  const a = Math.max(b + 1, Math.round(quantile(fit, 0.85)));
  draft.grades = { A: a, B: b, C: c };
  return { rules: draft, baseRate: base, trainRows: n, notes: kept.map((k) => k.note) };
}

function jaccard(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    either += a[i]! | b[i]!;
  }
  return either === 0 ? 0 : both / either;
}

/**
 * Log-likelihood of the best one-feature logistic fit P(y) = σ(a + b·x), by Newton's method on (a, b).
 * Used to compare decayed counts under different half-lives: the higher, the better x separates y.
 */
export function logisticLogLikelihood(x: Float64Array, y: Uint8Array): number {
  let a = 0;
  let b = 0;
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  a = Math.log(mean / (1 - mean));
  let ll = -Infinity;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0, next = 0;
    // Rows where x is 0 (most, for a decayed count of events) all have z = a: their terms, made once.
    const p0 = 1 / (1 + Math.exp(-a));
    const w0 = p0 * (1 - p0);
    const ll0 = [-Math.log1p(Math.exp(a)), -Math.log1p(Math.exp(-a))];
    for (let i = 0; i < y.length; i++) {
      const xi = x[i]!;
      let p: number;
      let w: number;
      if (xi === 0 && b * xi === 0) {
        p = p0;
        w = w0;
        next += ll0[y[i]!]!;
      } else {
        const z = a + b * xi;
        p = 1 / (1 + Math.exp(-z));
        w = p * (1 - p);
        next += y[i] ? -Math.log1p(Math.exp(-z)) : -Math.log1p(Math.exp(z));
      }
      const r = y[i]! - p;
      ga += r;
      gb += r * xi;
      haa += w;
      hab += w * xi;
      hbb += w * xi * xi;
    }
    ll = next;
    const det = haa * hbb - hab * hab;
    if (!(det > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return ll;
}

/** The value at `q` of the sorted values (0 for none), by selection: what a sort puts there, for numbers without NaN or −0 as these point totals are. */
function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return 0;
  return kthSmallest(Float64Array.from(values), Math.min(values.length - 1, Math.floor(q * values.length)));
}

function rawPointTotals(rules: RuleSet, data: Dataset, context: Parameters<typeof scoreWithRules>[2]): { total: Float64Array; fit: Float64Array } {
  // Every fired criterion's points, unclamped, as the reasons would add them up (without building a list
  // of reasons per lead: on 800,000 training rows that list was most of the memory the rules step took).
  const scores = scoreWithRules(rules, data, context, { reasons: false });
  return { total: scores.firedPoints, fit: scores.fitPoints };
}

function draftActivityCriteria(data: Dataset, y: Uint8Array, rows: Int32Array, base: number, minSupport: number, options: DraftOptions): Candidate[] {
  const log = options.activities!;
  const idName = leadIdColumn(data, options.leadId);
  if (!idName) return [];
  const ids = columnValues(data.table, idName) as ArrayLike<unknown>;
  const asOf = options.asOf!;
  const out: Candidate[] = [];
  const WINDOW = 90;
  // Each training row's events [from, to) and its as-of time, found once for every type.
  const n = rows.length;
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const cuts = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    cuts[k] = typeof asOf === 'number' ? asOf : asOf[r]!;
    const span = ids[r] === null ? undefined : log.index.get(String(ids[r]));
    if (span) [from[k], to[k]] = span;
  }
  const yRows = bytesAt(y, rows);
  const offsets = new Int32Array(n + 1);
  const decayed = new Float64Array(n);
  for (const type of log.typeNames) {
    // Ages of this type's events inside the window, per training row: row k's are ages[offsets[k], offsets[k + 1]).
    const ages: number[] = [];
    let withEvents = 0;
    for (let k = 0; k < n; k++) {
      const cut = cuts[k]!;
      for (let e = from[k]!; e < to[k]!; e++) {
        const t = log.times[e]!;
        if (!(t < cut)) break;
        const age = (cut - t) / DAY_MS;
        if (log.types[e] === type && age <= WINDOW) ages.push(age);
      }
      if (ages.length > offsets[k]!) withEvents++;
      offsets[k + 1] = ages.length;
    }
    if (withEvents < minSupport) continue;
    // A row's decayed count: its events' weights summed in order (0 without any).
    const decay = (h: number): void => {
      for (let k = 0; k < n; k++) {
        let sum = 0;
        for (let e = offsets[k]!; e < offsets[k + 1]!; e++) sum += 0.5 ** (ages[e]! / h);
        decayed[k] = sum;
      }
    };
    const aucs: Record<number, number> = {};
    let bestH: number = HALF_LIFE_GRID[0];
    let bestLl = -Infinity;
    for (const h of HALF_LIFE_GRID) {
      decay(h);
      aucs[h] = Math.round(rocAuc(decayed, yRows) * 10000) / 10000;
      const ll = logisticLogLikelihood(decayed, yRows);
      if (ll > bestLl + 1e-9) {
        bestLl = ll;
        bestH = h;
      }
    }
    const bestSeparation = Math.abs(aucs[bestH]! - 0.5);
    let conv = 0;
    let eventsTotal = 0;
    const members = new Uint8Array(n);
    decay(bestH);
    for (let k = 0; k < n; k++) {
      if (offsets[k + 1]! > offsets[k]!) {
        members[k] = 1;
        conv += yRows[k]!;
        eventsTotal += decayed[k]!;
      }
    }
    const rate = (conv + 20 * base) / (withEvents + 20);
    const total = pointsFor(rate, base);
    if (total === 0 || bestSeparation < 0.01) continue;
    const meanDecayed = eventsTotal / withEvents;
    const perEvent = Math.max(1, Math.round(Math.abs(total) / Math.max(meanDecayed, 1)));
    const [eventType, stage] = type.split(':') as [string, string | undefined];
    const name = type.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    out.push({
      column: `activity:${type}`,
      strength: withEvents * Math.log(rate / base) ** 2,
      criterion: {
        name, label: `${type.replace(':', ' (')}${stage ? ')' : ''} events`.replaceAll('_', ' '), family: 'engagement', disqualify: false, points: 0,
        activity: {
          type: eventType, ...(stage ? { stage } : {}), windowDays: WINDOW, minCount: 1,
          pointsPerEvent: Math.sign(total) * perEvent, cap: Math.max(Math.abs(total), perEvent) * 2, decay: { halfLifeDays: bestH },
        },
      },
      members,
      note: { criterion: name, support: withEvents, rate: conv / withEvents, halfLifeDays: bestH, halfLifeAuc: aucs },
    });
  }
  return out;
}
