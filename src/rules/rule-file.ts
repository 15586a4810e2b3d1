/**
 * Rule files: YAML validated with zod, every problem reported with the file, the line, the rule and what
 * is wrong. A rule file holds criteria (conditions on lead columns, or counts of activity-log events with
 * points per event, caps and decay), tier thresholds, grade thresholds and the routing matrix.
 */
import { readFile } from 'node:fs/promises';
import { isSeq, LineCounter, parseDocument, stringify, visit } from 'yaml';
import * as z from 'zod';
import { compilePattern } from './pattern.ts';
import { ConfigError } from '../errors.ts';

export const OPERATORS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'matches', 'is_missing', 'not_missing'] as const;
export type Operator = (typeof OPERATORS)[number];
export const TIERS = ['cold', 'warm', 'hot'] as const;
export type Tier = (typeof TIERS)[number];
export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const conditionSchema = z.object({
  column: z.string().min(1),
  op: z.string(),
  value: z.union([scalar, z.array(scalar)]).optional(),
}).strict();

const whenSchema = z.object({
  column: z.string().min(1).optional(),
  op: z.string().optional(),
  value: z.union([scalar, z.array(scalar)]).optional(),
  all: z.array(conditionSchema).min(1).optional(),
}).strict();

const decaySchema = z.object({
  half_life_days: z.number().positive().optional(),
  lose_points: z.number().positive().optional(),
  every_days: z.number().positive().optional(),
}).strict();

const eventSchema = z.object({
  type: z.string().min(1),
  stage: z.string().min(1).optional(),
  window_days: z.number().positive().optional(),
}).strict();

const activitySchema = eventSchema.extend({
  min_count: z.number().int().positive().optional(),
  points_per_event: z.number().optional(),
  cap: z.number().positive().optional(),
  decay: decaySchema.optional(),
}).strict();

const criterionSchema = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a rule name is letters, digits, _ . - and starts with a letter'),
  label: z.string().optional(),
  family: z.enum(['fit', 'engagement']).optional(),
  when: whenSchema.optional(),
  activity: activitySchema.optional(),
  points: z.number().optional(),
  disqualify: z.boolean().optional(),
}).strict();

const actionName = z.string().min(1);
const gradeRow = z.object({ A: actionName.optional(), B: actionName.optional(), C: actionName.optional(), D: actionName.optional() }).strict();

const ruleFileSchema = z.object({
  version: z.literal(1).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  base_points: z.number().optional(),
  tiers: z.object({ warm: z.number(), hot: z.number() }).strict().optional(),
  grades: z.object({ A: z.number(), B: z.number(), C: z.number() }).strict().optional(),
  routing: z.object({
    matrix: z.object({ hot: gradeRow.optional(), warm: gradeRow.optional(), cold: gradeRow.optional() }).strict().optional(),
    strong_actions: z.array(eventSchema).optional(),
    strong_action_grades: z.array(z.enum(GRADES)).optional(),
    strong_action_route: actionName.optional(),
  }).strict().optional(),
  criteria: z.array(criterionSchema).min(1, 'a rule file needs at least one criterion'),
}).strict();

type RawRuleFile = z.infer<typeof ruleFileSchema>;

export interface Condition {
  column: string;
  op: Operator;
  value?: string | number | boolean | Array<string | number | boolean>;
}

export interface EventSpec {
  type: string;
  stage?: string;
  windowDays?: number;
}

export interface ActivitySpec extends EventSpec {
  minCount: number;
  pointsPerEvent?: number;
  cap?: number;
  decay?: { halfLifeDays: number } | { losePoints: number; everyDays: number };
}

export interface Criterion {
  name: string;
  label: string;
  family: 'fit' | 'engagement';
  /** Conditions that must all hold (lead columns). */
  when?: Condition[];
  activity?: ActivitySpec;
  points: number;
  disqualify: boolean;
  /** 1-based line in the rule file, for messages. */
  line: number;
}

export type RoutingMatrix = Record<Tier, Record<Grade, string>>;

export interface RuleSet {
  name: string;
  /** The file it came from, for messages. */
  file: string;
  /** Points every lead starts with (before criteria). */
  basePoints: number;
  tiers: { warm: number; hot: number };
  grades: { A: number; B: number; C: number };
  routing: {
    matrix: RoutingMatrix;
    strongActions: EventSpec[];
    strongActionGrades: Grade[];
    strongActionRoute: string;
  };
  criteria: Criterion[];
}

export const DEFAULT_TIERS = { warm: 30, hot: 70 } as const;
export const DEFAULT_GRADES = { A: 40, B: 25, C: 10 } as const;

/** The default routing's actions, most urgent first (a rule file may name others). */
export const ACTIONS: readonly string[] = ['sales', 'review', 'nurture', 'disqualify'];

/** The default routing: hot A/B → sales, hot C/D → review, cold D → disqualify, otherwise nurture. */
export function defaultRoutingMatrix(): RoutingMatrix {
  return {
    hot: { A: 'sales', B: 'sales', C: 'review', D: 'review' },
    warm: { A: 'nurture', B: 'nurture', C: 'nurture', D: 'nurture' },
    cold: { A: 'nurture', B: 'nurture', C: 'nurture', D: 'disqualify' },
  };
}

export const DEFAULT_STRONG_ACTIONS: EventSpec[] = [
  { type: 'demo_request', windowDays: 7 },
  { type: 'pricing_page_view', windowDays: 7 },
];

/** One problem in a rule file. */
export interface RuleIssue {
  file: string;
  line: number;
  rule?: string;
  message: string;
}

function formatRuleIssue(issue: RuleIssue): string {
  return `${issue.file}:${issue.line}: ${issue.rule ? `rule "${issue.rule}": ` : ''}${issue.message}`;
}

/** A rule file that cannot be used; `issues` lists every problem with its line. */
export class RuleFileError extends ConfigError {
  readonly issues: RuleIssue[];
  constructor(issues: RuleIssue[], hint = 'fix the rule file; `leadscore rules check <file>` lists every problem') {
    const first = issues[0]!;
    super('RULE_FILE_INVALID', formatRuleIssue(first) + (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''), hint);
    this.name = 'RuleFileError';
    this.issues = issues;
  }
}

const NEEDS_NO_VALUE = new Set<Operator>(['is_missing', 'not_missing']);
const NEEDS_LIST = new Set<Operator>(['in', 'not_in']);
const NEEDS_ORDERED = new Set<Operator>(['gt', 'gte', 'lt', 'lte']);

/**
 * Parses and validates rule-file text.
 *
 * @example
 * const rules = parseRuleFile(await readFile('data/rules/sample.yaml', 'utf8'), 'data/rules/sample.yaml');
 * rules.criteria.length; // 16
 */
export function parseRuleFile(text: string, file = '<rules>'): RuleSet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (path: ReadonlyArray<string | number>): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  if (doc.errors.length > 0) {
    throw new RuleFileError(doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return { file, line, message: `YAML syntax error at line ${line}, column ${col}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
    }), 'check the indentation and quoting; values with a colon or starting with a symbol need quotes');
  }
  if (doc.contents === null) throw new RuleFileError([{ file, line: 1, message: 'the rule file is empty' }], 'start from `leadscore rules draft` or data/rules/sample.yaml');
  // A tag asks a YAML reader to build something other than plain values (`!!js/function`, `!!binary`, a
  // custom type): a rule file needs none, and none is read.
  const tags: RuleIssue[] = [];
  visit(doc, (_key, node) => {
    const tag = (node as { tag?: string; range?: [number, number, number] } | null)?.tag;
    if (tag) tags.push({ file, line: lineCounter.linePos((node as { range: [number, number, number] }).range[0]).line, message: `YAML tag ${tag.replace('tag:yaml.org,2002:', '!!')} refused: a rule file holds plain values only` });
  });
  if (tags.length > 0) throw new RuleFileError(tags, 'remove the tag (write the value plainly, quoted if it must stay text)');
  let content: unknown;
  try {
    content = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new RuleFileError([{ file, line: 1, message: `YAML aliases expand too far (${(err as Error).message.split('\n')[0]})` }], 'write the criteria out instead of nesting aliases');
  }
  // Parsed once per file: zod's compiled fast path (a `new Function` per object schema) costs more to make than it saves (-13 ms a command).
  const parsed = ruleFileSchema.safeParse(content, { jitless: true });
  const ruleNameAt = (path: ReadonlyArray<PropertyKey>): string | undefined => {
    if (path[0] !== 'criteria' || typeof path[1] !== 'number') return undefined;
    const name = doc.getIn(['criteria', path[1], 'name']);
    return typeof name === 'string' ? name : `#${path[1] + 1}`;
  };
  if (!parsed.success) {
    throw new RuleFileError(parsed.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const rule = ruleNameAt(path);
      return { file, line: lineOf(path), ...(rule ? { rule } : {}), message: zodMessage(issue, path) };
    }));
  }
  const raw = parsed.data;
  const issues: RuleIssue[] = [];
  const at = (path: Array<string | number>, message: string) => {
    const rule = ruleNameAt(path);
    issues.push({ file, line: lineOf(path), ...(rule ? { rule } : {}), message });
  };
  // Each criterion's line from its item of the criteria list (`lineOf` walks the document from its root
  // for each: 9 ms of a cold start for sixteen criteria).
  const criteriaNode = doc.get('criteria', true);
  const criterionLine = (i: number): number => {
    const range = isSeq(criteriaNode) ? (criteriaNode.items[i] as { range?: [number, number, number] } | undefined)?.range : undefined;
    return range ? lineCounter.linePos(range[0]).line : lineOf(['criteria', i]);
  };
  const criteria = raw.criteria.map((c, i) => buildCriterion(c, i, at, criterionLine(i)));
  const names = new Map<string, number>();
  raw.criteria.forEach((c, i) => {
    if (names.has(c.name)) at(['criteria', i, 'name'], `duplicate rule name (first used on line ${lineOf(['criteria', names.get(c.name)!])})`);
    else names.set(c.name, i);
  });
  const tiers = raw.tiers ?? { ...DEFAULT_TIERS };
  if (!(tiers.warm > 0 && tiers.warm < tiers.hot && tiers.hot <= 100)) {
    at(['tiers'], `tier thresholds out of order: need 0 < warm (${tiers.warm}) < hot (${tiers.hot}) ≤ 100`);
  }
  const grades = raw.grades ?? { ...DEFAULT_GRADES };
  if (!(grades.A > grades.B && grades.B > grades.C)) {
    at(['grades'], `grade thresholds out of order: need A (${grades.A}) > B (${grades.B}) > C (${grades.C}) fit points`);
  }
  if (issues.length > 0) throw new RuleFileError(issues);

  const matrix = defaultRoutingMatrix();
  for (const tier of TIERS) Object.assign(matrix[tier], raw.routing?.matrix?.[tier] ?? {});
  return {
    name: raw.name ?? 'rules',
    file,
    basePoints: raw.base_points ?? 0,
    tiers,
    grades,
    routing: {
      matrix,
      strongActions: raw.routing?.strong_actions?.map(toEventSpec) ?? DEFAULT_STRONG_ACTIONS.map((s) => ({ ...s })),
      strongActionGrades: raw.routing?.strong_action_grades ?? ['A', 'B'],
      strongActionRoute: raw.routing?.strong_action_route ?? 'sales',
    },
    criteria,
  };
}

function zodMessage(issue: z.core.$ZodIssue, fullPath: ReadonlyArray<string | number>): string {
  // Inside a rule the message already names the rule: show the path within it.
  const path = fullPath[0] === 'criteria' && typeof fullPath[1] === 'number' ? fullPath.slice(2) : fullPath;
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  if (issue.code === 'unrecognized_keys') return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where}missing (required)`;
  return `${where}${issue.message}`;
}

function toEventSpec(e: z.infer<typeof eventSchema>): EventSpec {
  return { type: e.type, ...(e.stage ? { stage: e.stage } : {}), ...(e.window_days ? { windowDays: e.window_days } : {}) };
}

function buildCriterion(c: RawRuleFile['criteria'][number], i: number, at: (path: Array<string | number>, m: string) => void, line: number): Criterion {
  const base = ['criteria', i];
  if (c.when && c.activity) at([...base, 'activity'], 'give either "when" (a condition on a column) or "activity" (events), not both');
  if (!c.when && !c.activity) at(base, 'needs "when" (a condition on a column) or "activity" (events)');
  let when: Condition[] | undefined;
  if (c.when) {
    if (c.when.all) {
      if (c.when.column || c.when.op) at([...base, 'when'], 'give either one condition (column, op, value) or "all: [...]", not both');
      when = c.when.all.map((cond, k) => checkCondition(cond, [...base, 'when', 'all', k], at));
    } else if (!c.when.column || !c.when.op) {
      at([...base, 'when'], 'a condition needs "column" and "op" (and "value" for most operators)');
    } else {
      when = [checkCondition({ column: c.when.column, op: c.when.op, ...(c.when.value !== undefined ? { value: c.when.value } : {}) }, [...base, 'when'], at)];
    }
  }
  let activity: ActivitySpec | undefined;
  if (c.activity) {
    const a = c.activity;
    let decay: ActivitySpec['decay'];
    if (a.decay) {
      const d = a.decay;
      if (d.half_life_days !== undefined && (d.lose_points !== undefined || d.every_days !== undefined)) {
        at([...base, 'activity', 'decay'], 'decay is either half_life_days or lose_points + every_days, not both');
      } else if (d.half_life_days !== undefined) {
        decay = { halfLifeDays: d.half_life_days };
      } else if (d.lose_points !== undefined && d.every_days !== undefined) {
        decay = { losePoints: d.lose_points, everyDays: d.every_days };
      } else {
        at([...base, 'activity', 'decay'], 'decay needs half_life_days, or both lose_points and every_days');
      }
    }
    if (a.points_per_event === undefined && c.points === undefined && !c.disqualify) {
      at([...base, 'activity'], 'needs "points" (when the events occur) or "points_per_event"');
    }
    if (a.points_per_event !== undefined && c.points !== undefined) {
      at([...base, 'points'], 'give either "points" or "activity.points_per_event", not both');
    }
    activity = {
      ...toEventSpec(a), minCount: a.min_count ?? 1,
      ...(a.points_per_event !== undefined ? { pointsPerEvent: a.points_per_event } : {}),
      ...(a.cap !== undefined ? { cap: a.cap } : {}),
      ...(decay ? { decay } : {}),
    };
  } else if (c.points === undefined && !c.disqualify) {
    at(base, 'needs "points" (or "disqualify: true")');
  }
  return {
    name: c.name,
    label: c.label ?? c.name.replaceAll('_', ' '),
    family: c.family ?? (c.activity ? 'engagement' : 'fit'),
    ...(when ? { when } : {}),
    ...(activity ? { activity } : {}),
    points: c.points ?? 0,
    disqualify: c.disqualify ?? false,
    line,
  };
}

function checkCondition(cond: z.infer<typeof conditionSchema>, path: Array<string | number>, at: (path: Array<string | number>, m: string) => void): Condition {
  const op = cond.op as Operator;
  if (!(OPERATORS as readonly string[]).includes(cond.op)) {
    at([...path, 'op'], `unknown operator "${cond.op}" (use one of ${OPERATORS.join(', ')})`);
    return { column: cond.column, op: 'eq' };
  }
  const v = cond.value;
  if (NEEDS_NO_VALUE.has(op)) {
    if (v !== undefined && v !== true) at([...path, 'value'], `${op} takes no value`);
  } else if (v === undefined) {
    at([...path, 'op'], `${op} needs a value`);
  } else if (NEEDS_LIST.has(op)) {
    if (!Array.isArray(v) || v.length === 0) at([...path, 'value'], `${op} needs a list of values, e.g. [a, b]`);
  } else if (op === 'between') {
    if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x === 'boolean')) at([...path, 'value'], 'between needs [low, high]');
    else if (typeof v[0] === 'number' && typeof v[1] === 'number' && v[0] > v[1]) at([...path, 'value'], `between needs low ≤ high, got [${v[0]}, ${v[1]}]`);
  } else if (Array.isArray(v)) {
    at([...path, 'value'], `${op} takes one value, not a list`);
  } else if (NEEDS_ORDERED.has(op) && typeof v === 'boolean') {
    at([...path, 'value'], `${op} needs a number or a date`);
  } else if (op === 'matches') {
    try {
      compilePattern(String(v));
    } catch (err) {
      at([...path, 'value'], `regular expression not accepted (patterns are matched in linear time: no lookarounds or back-references): ${(err as Error).message}`);
    }
  }
  return { column: cond.column, op, ...(v !== undefined ? { value: v } : {}) };
}

/**
 * Reads and validates a rule file.
 *
 * @example
 * const rules = await loadRuleFile('data/rules/sample.yaml');
 */
export async function loadRuleFile(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError('RULE_FILE_NOT_FOUND', `cannot read rule file ${path}`, 'check the path, or draft one with `leadscore rules draft --data <file> --target <col> --out rules.yaml`');
  }
  return parseRuleFile(text, path);
}

/**
 * The rule set as YAML text in the file format (what `rules draft` writes).
 *
 * @example
 * await writeFile('drafted.yaml', ruleSetToYaml(rules, 'Drafted from 2025 leads.'));
 */
export function ruleSetToYaml(rules: RuleSet, header?: string): string {
  const criteria = rules.criteria.map((c) => {
    const out: Record<string, unknown> = { name: c.name };
    if (c.label !== c.name.replaceAll('_', ' ')) out.label = c.label;
    out.family = c.family;
    if (c.when) out.when = c.when.length === 1 ? { ...c.when[0] } : { all: c.when.map((w) => ({ ...w })) };
    if (c.activity) {
      const a = c.activity;
      out.activity = {
        type: a.type, ...(a.stage ? { stage: a.stage } : {}), ...(a.windowDays ? { window_days: a.windowDays } : {}),
        ...(a.minCount !== 1 ? { min_count: a.minCount } : {}),
        ...(a.pointsPerEvent !== undefined ? { points_per_event: a.pointsPerEvent } : {}),
        ...(a.cap !== undefined ? { cap: a.cap } : {}),
        ...(a.decay ? { decay: 'halfLifeDays' in a.decay ? { half_life_days: a.decay.halfLifeDays } : { lose_points: a.decay.losePoints, every_days: a.decay.everyDays } } : {}),
      };
    }
    if (!(c.activity?.pointsPerEvent !== undefined) && (c.points !== 0 || !c.disqualify)) out.points = c.points;
    if (c.disqualify) out.disqualify = true;
    return out;
  });
  // The routing where it differs from the default (a drafted file nurtures cold D leads; a file of the user's
  // may name its own strong actions): what is written reads back as the same rules.
  const defaults = defaultRoutingMatrix();
  const matrix = Object.fromEntries(TIERS.flatMap((tier) => {
    const cells = Object.fromEntries(GRADES.filter((g) => rules.routing.matrix[tier][g] !== defaults[tier][g]).map((g) => [g, rules.routing.matrix[tier][g]]));
    return Object.keys(cells).length ? [[tier, cells]] : [];
  }));
  const { strongActions, strongActionGrades, strongActionRoute } = rules.routing;
  const eventText = (e: EventSpec) => ({ type: e.type, ...(e.stage ? { stage: e.stage } : {}), ...(e.windowDays ? { window_days: e.windowDays } : {}) });
  const routing = {
    ...(Object.keys(matrix).length ? { matrix } : {}),
    ...(JSON.stringify(strongActions) !== JSON.stringify(DEFAULT_STRONG_ACTIONS) ? { strong_actions: strongActions.map(eventText) } : {}),
    ...(strongActionGrades.join() !== 'A,B' ? { strong_action_grades: strongActionGrades } : {}),
    ...(strongActionRoute !== 'sales' ? { strong_action_route: strongActionRoute } : {}),
  };
  const body = {
    version: 1,
    name: rules.name,
    ...(rules.basePoints !== 0 ? { base_points: rules.basePoints } : {}),
    tiers: rules.tiers,
    grades: rules.grades,
    ...(Object.keys(routing).length ? { routing } : {}),
    criteria,
  };
  return `${header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : ''}${stringify(body, { lineWidth: 0 })}`;
}
