/**
 * Choosing the "send to sales" threshold: max F1, Youden's J, a precision target, a recall target, sales
 * capacity (a share of leads, or K leads per week given the lead volume), or expected profit from a value
 * per won deal and a cost per sales contact. Every strategy reads the same `confusionAtThresholds` table.
 */
import { ConfigError } from '../errors.ts';
import { confusionAtThresholds } from './curves.ts';

export type ThresholdStrategy =
  | { kind: 'maxF1' }
  | { kind: 'youden' }
  | { kind: 'precision'; target: number }
  | { kind: 'recall'; target: number }
  | { kind: 'capacity'; share: number }
  | { kind: 'capacity'; perWeek: number }
  | { kind: 'profit'; value: number; cost: number };

/** The strategy as written on the command line: `maxF1`, `precision:0.4`, `capacity:10%`, `profit:5000,150` … */
export function strategyLabel(s: ThresholdStrategy): string {
  switch (s.kind) {
    case 'precision':
    case 'recall':
      return `${s.kind}:${s.target}`;
    case 'capacity':
      return 'share' in s ? `capacity:${Number((s.share * 100).toFixed(4))}%` : `capacity:${s.perWeek}/week`;
    case 'profit':
      return `profit:${s.value},${s.cost}`;
    default:
      return s.kind;
  }
}

const HINT = 'use maxF1, youden, precision:0.4, recall:0.8, capacity:10%, capacity:200/week or profit:5000,150 (value per won deal, cost per contact)';

/**
 * @example
 * parseThresholdStrategy('capacity:15%'); // { kind: 'capacity', share: 0.15 }
 */
export function parseThresholdStrategy(text: string): ThresholdStrategy {
  const t = text.trim();
  if (t === 'maxF1' || t === 'youden') return { kind: t };
  const m = /^(precision|recall|capacity|profit):(.+)$/.exec(t);
  if (!m) throw new ConfigError('BAD_THRESHOLD', `unknown threshold strategy "${text}"`, HINT);
  const [, kind, arg] = m as unknown as [string, string, string];
  const num = (v: string) => {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new ConfigError('BAD_THRESHOLD', `"${v}" in --threshold ${text} is not a number`, HINT);
    return x;
  };
  if (kind === 'precision' || kind === 'recall') {
    const target = num(arg);
    if (!(target > 0 && target <= 1)) throw new ConfigError('BAD_THRESHOLD', `${kind} target must be in (0, 1], got ${arg}`, HINT);
    return { kind, target };
  }
  if (kind === 'capacity') {
    if (arg.endsWith('%')) {
      const share = num(arg.slice(0, -1)) / 100;
      if (!(share > 0 && share <= 1)) throw new ConfigError('BAD_THRESHOLD', `capacity share must be in (0%, 100%], got ${arg}`, HINT);
      return { kind, share };
    }
    const perWeek = num(arg.replace(/\/week$/, ''));
    if (!(perWeek > 0)) throw new ConfigError('BAD_THRESHOLD', `capacity must be positive, got ${arg}`, HINT);
    return { kind, perWeek };
  }
  const parts = arg.split(',');
  if (parts.length !== 2) throw new ConfigError('BAD_THRESHOLD', `profit needs a value and a cost, got ${arg}`, HINT);
  const [value, cost] = parts.map(num) as [number, number];
  if (!(value > 0 && cost >= 0)) throw new ConfigError('BAD_THRESHOLD', 'profit needs a positive deal value and a non-negative contact cost', HINT);
  return { kind: 'profit', value, cost };
}

/**
 * The threshold that sends `count` leads: the count-th highest score (leads tied with it are sent too).
 * It reads no outcome, only the scores of the leads to be sent.
 *
 * @example
 * thresholdForCount(holdoutScores, 50 * weeks); // a team's 50 calls a week
 */
export function thresholdForCount(scores: ArrayLike<number>, count: number): number {
  if (!(count >= 1)) throw new RangeError(`thresholdForCount needs a count of at least 1, got ${count}`);
  const sorted = Float64Array.from(scores).sort().reverse();
  return sorted[Math.min(count, sorted.length) - 1]!;
}

/**
 * The threshold a strategy picks on the given rows (choose on training rows, apply to the hold-out).
 * Null when no threshold meets a precision target. A weekly capacity is not chosen here but on the leads'
 * own weeks (`thresholdForCount`).
 */
export function chooseThreshold(scores: ArrayLike<number>, y: ArrayLike<number>, strategy: ThresholdStrategy,
  options: { rows?: ArrayLike<number> } = {}): number | null {
  const t = confusionAtThresholds(scores, y, options.rows);
  const n = t.positives + t.negatives;
  const k = t.thresholds.length;
  let best = -1;
  let bestValue = -Infinity;
  const consider = (i: number, value: number) => {
    if (value > bestValue + 1e-15) {
      bestValue = value;
      best = i;
    }
  };
  switch (strategy.kind) {
    case 'maxF1':
      for (let i = 0; i < k; i++) consider(i, (2 * t.tp[i]!) / (2 * t.tp[i]! + t.fp[i]! + (t.positives - t.tp[i]!)));
      break;
    case 'youden':
      for (let i = 0; i < k; i++) consider(i, t.tp[i]! / t.positives - t.fp[i]! / t.negatives);
      break;
    case 'precision':
      // The lowest threshold (most leads) whose precision still meets the target.
      for (let i = 0; i < k; i++) if (t.tp[i]! / (t.tp[i]! + t.fp[i]!) >= strategy.target) best = i;
      break;
    case 'recall':
      for (let i = k - 1; i >= 0; i--) if (t.tp[i]! / t.positives >= strategy.target) best = i;
      break;
    case 'capacity': {
      // A weekly capacity is a number of leads, set on the scored leads' own weeks (`thresholdForCount`).
      if (!('share' in strategy)) throw new RangeError('internal: a weekly capacity is chosen with thresholdForCount on the leads\' own weeks');
      const share = strategy.share;
      // The highest threshold that sends at least that share.
      for (let i = 0; i < k; i++) {
        if (t.tp[i]! + t.fp[i]! >= share * n) {
          best = i;
          break;
        }
      }
      break;
    }
    case 'profit':
      for (let i = 0; i < k; i++) consider(i, t.tp[i]! * strategy.value - (t.tp[i]! + t.fp[i]!) * strategy.cost);
      break;
  }
  return best < 0 ? null : t.thresholds[best]!;
}
