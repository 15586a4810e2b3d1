/**
 * The rule engine: binds a rule set to a dataset (and the activity log), then scores every lead:
 * points per criterion, score = sum clamped to [0, 100], tier, grade from fit points, routing action and
 * the reasons (every criterion that fired, with its points).
 */
import { aggregateAccountActivities, aggregateActivities, type ActivityLog, joinActivities } from '../data/activities/activities.ts';
import { closestNames } from '../data/closest-names.ts';
import type { Dataset } from '../data/io/dataset.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { columnSchema } from '../data/types/schema.ts';
import { compileCondition, type Predicate } from './conditions.ts';
import { activityPoints } from './decay.ts';
import { type Criterion, type EventSpec, type Grade, type RuleIssue, RuleFileError, type RuleSet, type Tier } from './rule-file.ts';
import { routeLead } from './routing.ts';
import { gradeOf, tierOf } from './tiers.ts';
import { columnValues } from '../data/columns.ts';

export interface ScoringContext {
  /** The activity log, needed by activity criteria and strong-action routing. */
  activities?: ActivityLog;
  /** Scoring time (epoch ms): one for all leads or one per lead. Needed with activities. */
  asOf?: number | ArrayLike<number>;
  /** Column holding the lead id that the activity log refers to. Default: `lead_id`, else the first id column. */
  leadId?: string;
  /** Column holding the account, for account-level activity columns (`account_*_contacts`). */
  account?: string;
}

export interface Reason {
  rule: string;
  label: string;
  points: number;
  /** For activity criteria: how many events, e.g. `3× in 30 days`. */
  detail?: string;
  disqualify?: boolean;
}

export interface RuleScores {
  /** 0–100, rounded to 2 decimals (tiers are decided on this value). */
  score: Float64Array;
  fitPoints: Float64Array;
  engagementPoints: Float64Array;
  tier: Tier[];
  grade: Grade[];
  action: string[];
  disqualified: Uint8Array;
  /** A strong recent action (demo request, pricing page in the last 7 days by default) happened. */
  strongAction: Uint8Array;
  /** The criteria that fired per lead (empty lists with `{ reasons: false }`). */
  reasons: Reason[][];
  /**
   * Per lead, the points of the criteria that fired, each rounded as its reason shows it, summed in the rule
   * file's order: what the reasons add up to (no base points, no clamp), kept without the reasons themselves.
   */
  firedPoints: Float64Array;
}

export interface BoundCriterion {
  criterion: Criterion;
  /** Whether a lead meets the criterion's conditions (all of them), by row. */
  predicate?: Predicate;
  /** Each condition alone, in the criterion's order, over the rows of its own column's values. */
  conditions?: Predicate[];
}

/** The id column used to join the activity log. */
export function leadIdColumn(data: Pick<Dataset, 'schema'>, wanted?: string): string | undefined {
  if (wanted) return wanted;
  if (columnSchema(data.schema, 'lead_id')) return 'lead_id';
  return data.schema.columns.find((c) => c.type === 'id')?.name;
}

function matchesType(type: string, spec: EventSpec): boolean {
  if (spec.stage) return type === `${spec.type}:${spec.stage}`;
  return type === spec.type || type.startsWith(`${spec.type}:`);
}

/**
 * Conditions may name activity aggregates (`pricing_page_view_30d`, `engagement_decayed`, … as
 * `aggregateActivities` names them, default windows and half-life): when the lead file lacks such a column
 * and the activity log is given, the aggregates are computed as of the scoring time and joined.
 */
export function withActivityColumns(rules: RuleSet, data: Dataset, context: ScoringContext): Dataset {
  const wanted = rules.criteria.flatMap((c) => (c.when ?? []).map((w) => w.column)).filter((name) => !columnSchema(data.schema, name));
  if (wanted.length === 0 || !context.activities || context.asOf === undefined) return data;
  const idName = leadIdColumn(data, context.leadId);
  if (!idName) return data;
  const ids = columnValues(data.table, idName) as ArrayLike<string | null>;
  let out = data;
  const aggregates = aggregateActivities(context.activities, ids, context.asOf);
  if (wanted.some((name) => aggregates.names.includes(name))) out = joinActivities(out, aggregates);
  if (context.account && columnSchema(data.schema, context.account) && wanted.some((name) => name.startsWith('account_'))) {
    const account = aggregateAccountActivities(context.activities, ids, columnValues(data.table, context.account) as ArrayLike<string | null>, context.asOf);
    if (wanted.some((name) => account.names.includes(name))) out = joinActivities(out, account);
  }
  return out;
}

/**
 * Checks a rule set against the data it will score: every column exists (with suggestions), every value
 * fits its column's type, and activity criteria have a log and known event types.
 */
export function bindRules(rules: RuleSet, data: Dataset, context: ScoringContext): BoundCriterion[] {
  const issues: RuleIssue[] = [];
  const names = data.schema.columns.map((c) => c.name);
  const issue = (c: Criterion, message: string) => issues.push({ file: rules.file, line: c.line, rule: c.name, message });
  const bound = rules.criteria.map((criterion): BoundCriterion => {
    if (criterion.when) {
      const predicates: Predicate[] = [];
      for (const cond of criterion.when) {
        const schema = columnSchema(data.schema, cond.column);
        if (!schema) {
          const near = closestNames(cond.column, names);
          issue(criterion, `unknown column "${cond.column}"${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : ''}`);
          continue;
        }
        const compiled = compileCondition(cond, columnValues(data.table, cond.column) as ArrayLike<unknown>, schema);
        if (compiled.ok) predicates.push(compiled.predicate);
        else issue(criterion, compiled.message);
      }
      const predicate: Predicate = predicates.length === 1 ? predicates[0]! : (i) => predicates.every((p) => p(i));
      return { criterion, predicate, conditions: predicates };
    }
    if (criterion.activity) {
      if (!context.activities) issue(criterion, 'counts activity-log events: pass the activity log (--activities <file>)');
      else if (!context.activities.typeNames.some((t) => matchesType(t, criterion.activity!))) {
        const known = [...new Set(context.activities.typeNames.map((t) => t.split(':')[0]!))];
        const near = closestNames(criterion.activity.type, known);
        issue(criterion, `no "${criterion.activity.type}${criterion.activity.stage ? `:${criterion.activity.stage}` : ''}" events in the activity log` +
          (near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : ` (it has: ${known.join(', ')})`));
      }
    }
    return { criterion };
  });
  if (context.activities) {
    if (context.asOf === undefined) {
      issues.push({ file: rules.file, line: 1, message: 'activity criteria are computed as of a scoring time, and none was given (--as-of)' });
    }
    if (!leadIdColumn(data, context.leadId)) {
      issues.push({ file: rules.file, line: 1, message: 'no lead id column to join the activity log on (name it with --id)' });
    }
  }
  if (issues.length > 0) throw new RuleFileError(issues, 'fix the rule file or the data; `leadscore rules check <file> --data <file>` lists every problem');
  return bound;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Scores every lead of a dataset with a rule set. `{ reasons: false }` skips collecting the fired criteria
 * (batch export shows only the score, tier, grade and action).
 *
 * @example
 * const rules = await loadRuleFile('data/rules/sample.yaml');
 * const scores = scoreWithRules(rules, leads, { activities: log, asOf: Date.UTC(2026, 0, 1) });
 * scores.tier[0]; // 'warm'
 */
export function scoreWithRules(rules: RuleSet, leads: Dataset, context: ScoringContext = {}, options: { reasons?: boolean } = {}): RuleScores {
  const data = withActivityColumns(rules, leads, context);
  const bound = bindRules(rules, data, context);
  const log = context.activities;
  const idName = log ? leadIdColumn(data, context.leadId) : undefined;
  const ids = idName ? (columnValues(data.table, idName) as ArrayLike<unknown>) : undefined;
  return scoreBound(rules, bound, data.table.numRows(), { ...(log ? { log } : {}), ...(ids ? { ids } : {}), ...(context.asOf !== undefined ? { asOf: context.asOf } : {}) }, options);
}

/**
 * Scores `n` leads with criteria already bound (`bindRules`): what `scoreWithRules` does once the rule
 * set is checked against the data. The streaming scorer binds once per file and calls this per chunk.
 */
export function scoreBound(rules: RuleSet, bound: readonly BoundCriterion[], n: number,
  activity: { log?: ActivityLog; ids?: ArrayLike<unknown>; asOf?: number | ArrayLike<number> }, options: { reasons?: boolean } = {}): RuleScores {
  const keepReasons = options.reasons ?? true;
  const out: RuleScores = {
    score: new Float64Array(n), fitPoints: new Float64Array(n), engagementPoints: new Float64Array(n),
    tier: new Array<Tier>(n), grade: new Array<Grade>(n), action: new Array<string>(n),
    disqualified: new Uint8Array(n), strongAction: new Uint8Array(n), reasons: new Array<Reason[]>(n), firedPoints: new Float64Array(n),
  };
  const { log, ids, asOf } = activity;
  const none: Reason[] = [];
  const noEvents: Array<{ type: string; age: number }> = [];

  for (let i = 0; i < n; i++) {
    const reasons: Reason[] = keepReasons ? [] : none;
    let total = rules.basePoints;
    let firedPoints = 0;
    let fit = 0;
    let engagement = 0;
    let disqualified = false;
    let strongAction = false;
    // This lead's events strictly before its scoring time, as (type, age in days).
    const events: Array<{ type: string; age: number }> = log ? [] : noEvents;
    if (log && ids && asOf !== undefined) {
      const cut = typeof asOf === 'number' ? asOf : asOf[i]!;
      const span = ids[i] === null ? undefined : log.index.get(String(ids[i]));
      if (span) {
        for (let k = span[0]; k < span[1]; k++) {
          const t = log.times[k]!;
          if (!(t < cut)) break;
          events.push({ type: log.types[k]!, age: (cut - t) / DAY_MS });
        }
      }
      strongAction = rules.routing.strongActions.some((s) => events.some((e) => matchesType(e.type, s) && e.age <= (s.windowDays ?? 7)));
    }
    for (const { criterion, predicate } of bound) {
      let points = 0;
      let fired = false;
      let detail: string | undefined;
      if (predicate) {
        fired = predicate(i);
        points = fired ? criterion.points : 0;
      } else if (criterion.activity) {
        const spec = criterion.activity;
        const ages = events.filter((e) => matchesType(e.type, spec) && (spec.windowDays === undefined || e.age <= spec.windowDays)).map((e) => e.age);
        fired = ages.length >= spec.minCount;
        points = fired ? activityPoints(ages, spec, criterion.points) : 0;
        if (fired) detail = `${ages.length}×${spec.windowDays ? ` in ${spec.windowDays} days` : ''}`;
      }
      if (!fired) continue;
      if (criterion.disqualify) {
        disqualified = true;
        if (keepReasons) reasons.push({ rule: criterion.name, label: criterion.label, points: 0, disqualify: true, ...(detail ? { detail } : {}) });
        continue;
      }
      if (points === 0) continue;
      total += points;
      firedPoints += round2(points);
      if (criterion.family === 'fit') fit += points;
      else engagement += points;
      if (keepReasons) reasons.push({ rule: criterion.name, label: criterion.label, points: round2(points), ...(detail ? { detail } : {}) });
    }
    const score = disqualified ? 0 : round2(Math.min(100, Math.max(0, total)));
    const tier = disqualified ? 'cold' : tierOf(score, rules.tiers);
    const grade = gradeOf(fit, rules.grades);
    out.score[i] = score;
    out.fitPoints[i] = round2(fit);
    out.engagementPoints[i] = round2(engagement);
    out.tier[i] = tier;
    out.grade[i] = grade;
    out.disqualified[i] = disqualified ? 1 : 0;
    out.strongAction[i] = strongAction ? 1 : 0;
    out.action[i] = routeLead(rules.routing, tier, grade, { strongAction, disqualified });
    out.reasons[i] = reasons;
    out.firedPoints[i] = firedPoints;
  }
  return out;
}

const signed = (p: number) => `${p > 0 ? '+' : '−'}${Math.abs(p)}`;

/**
 * Reasons in plain words, strongest first: `pricing page viewed (3× in 30 days) (+14.5); student e-mail (−30)`.
 * A disqualification comes first. The text starts with a word, never a sign (safe in spreadsheets).
 */
export function formatReasons(reasons: readonly Reason[], max = 5): string {
  const dq = reasons.filter((r) => r.disqualify).map((r) => `disqualified: ${r.label}`);
  const scored = reasons.filter((r) => !r.disqualify).sort((a, b) => Math.abs(b.points) - Math.abs(a.points)).slice(0, max)
    .map((r) => `${r.label}${r.detail ? ` (${r.detail})` : ''} (${signed(r.points)})`);
  return [...dq, ...scored].join('; ');
}
