/**
 * The rule baseline as a scorer, beside the models: scores for rows (0–100), and a probability-like rank
 * (score / 100) so that AUC, conversion per tier and false positives/negatives at the hot threshold come out
 * of the same evaluation code as for models. Its artifact is the rule file itself, as YAML.
 */
import type { Dataset } from '../data/io/dataset.ts';
import { ModelFormatError } from '../errors.ts';
import { formatReasons, leadIdColumn, type RuleScores, type ScoringContext, scoreWithRules } from './engine.ts';
import { parseRuleFile, type RuleSet, ruleSetToYaml } from './rule-file.ts';
import { columnValues } from '../data/columns.ts';

export interface RuleScorerJSON {
  kind: 'rules';
  formatVersion: 1;
  params: Record<string, never>;
  state: { yaml: string };
  featureNames: string[];
  seeds: Record<string, never>;
}

/**
 * @example
 * const scorer = new RuleScorer(await loadRuleFile('data/rules/sample.yaml'));
 * const p = scorer.predictProba(leads, { activities: log, asOf }); // score / 100
 */
export class RuleScorer {
  readonly name = 'rules';
  constructor(readonly rules: RuleSet) {}

  /** `{ reasons: false }`: without each lead's list of fired criteria (much of the memory on large files). */
  score(data: Dataset, context: ScoringContext = {}, options: { reasons?: boolean } = {}): RuleScores {
    return scoreWithRules(this.rules, data, context, options);
  }

  /** score / 100: a rank in [0, 1] for metrics, not a calibrated probability. */
  predictProba(data: Dataset, context: ScoringContext = {}): Float64Array {
    return this.score(data, context, { reasons: false }).score.map((s) => s / 100);
  }

  /** The columns the rules read. */
  featureNames(): string[] {
    const names = new Set<string>();
    for (const c of this.rules.criteria) for (const w of c.when ?? []) names.add(w.column);
    return [...names];
  }

  toJSON(): RuleScorerJSON {
    return { kind: 'rules', formatVersion: 1, params: {}, state: { yaml: ruleSetToYaml(this.rules) }, featureNames: this.featureNames(), seeds: {} };
  }

  static fromJSON(json: unknown): RuleScorer {
    const j = json as Partial<RuleScorerJSON> | null;
    if (!j || j.kind !== 'rules') throw new ModelFormatError('MODEL_KIND', `not a rules artifact (kind ${JSON.stringify(j?.kind)})`, 'load it with the registry for its kind');
    if (j.formatVersion !== 1) throw new ModelFormatError('MODEL_VERSION', `rules artifact format version ${j.formatVersion} is not supported`, 'this leadscore reads version 1; re-export the rules');
    return new RuleScorer(parseRuleFile(j.state!.yaml, '<artifact>'));
  }
}

/**
 * The export table of `rules score`: id (or `row`), rule_score, rule_tier, grade, action, reasons,
 * fit_points, engagement_points.
 */
export function ruleExportColumns(data: Dataset, scores: RuleScores, options: { id?: string; reasons?: number } = {}): { names: string[]; columns: unknown[][] } {
  const n = scores.score.length;
  const idName = options.id ?? leadIdColumn(data);
  const ids = idName ? Array.from(columnValues(data.table, idName) as ArrayLike<unknown>) : Array.from({ length: n }, (_, i) => i + 1);
  return {
    names: [idName ?? 'row', 'rule_score', 'rule_tier', 'grade', 'action', 'reasons', 'fit_points', 'engagement_points'],
    columns: [
      ids, Array.from(scores.score), scores.tier, scores.grade, scores.action,
      scores.reasons.map((r) => formatReasons(r, options.reasons ?? 5)), Array.from(scores.fitPoints), Array.from(scores.engagementPoints),
    ],
  };
}
