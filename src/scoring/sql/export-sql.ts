/**
 * `export-sql`: one SELECT that applies a saved model inside a database — the feature pipeline as
 * expressions, the model (logistic: a linear expression; trees: a sum of CASE expressions), the calibration,
 * the 0–100 score and the tier — returning every input column plus leadscore_logit (the raw score),
 * probability, score and tier. Columns are read as the training file was (`artifact.reading`): its
 * missing-value tokens are NULL, yes/no columns by their own words, decimal commas as points. Dates must be
 * DATE/TIMESTAMP columns or ISO text in the database. Models with activity features cannot be written this way (their aggregates
 * need the event table), and are refused with a clear message.
 */
import { ConfigError } from '../../errors.ts';
import type { FeatureSpec, NumericStats } from '../../features/pipeline.ts';
import type { ColumnReading } from '../../data/types/reading.ts';
import { type ModelArtifact, modelLabel } from '../../models/artifact.ts';
import type { Calibrator } from '../../models/calibration.ts';
import { DIALECT, type Dialect, type DialectName, sqlNumber } from './dialects.ts';
import type { TreeFeatureSpec } from '../../features/tree-features.ts';
import { type Tree, treeFromJSON, type TreeJSON } from '../../models/gbdt/tree.ts';

/**
 * How the SQL reads a column, as leadscore read the training file (`artifact.reading`): its missing-value
 * tokens are NULL, a yes/no column's own words (or true/false, as a database types booleans) are 1/0,
 * decimal commas are decimal points.
 */
interface SqlReading {
  d: Dialect;
  naTokens: string[];
  columns: Map<string, ColumnReading>;
}

/** A column's value with the training missing-value tokens read as NULL. */
function valueOf(r: SqlReading, column: string): string {
  const col = r.d.ident(column);
  return `(CASE WHEN TRIM(${r.d.text(col)}) IN (${r.naTokens.map(r.d.str).join(', ')}) THEN NULL ELSE ${col} END)`;
}

/** A numeric column as a double (decimal commas read as points where training read them so). */
function numberOf(r: SqlReading, column: string): string {
  const v = valueOf(r, column);
  return r.columns.get(column)?.decimalComma ? r.d.double(`REPLACE(TRIM(${r.d.text(v)}), ',', '.')`) : r.d.double(v);
}

/** The test that a yes/no column holds its "yes" word (case-insensitive, as leadscore reads it). */
function isTrue(r: SqlReading, column: string, v: string): string {
  const words = r.columns.get(column)?.booleanTokens?.true ?? [];
  const all = [...new Set(['true', ...words.map((w) => w.toLowerCase())])];
  return `LOWER(TRIM(${r.d.text(v)})) IN (${all.map(r.d.str).join(', ')})`;
}

function numericExpr(d: Dialect, value: string, s: NumericStats, beta: number, betaMissing: number | undefined): string[] {
  const filled = `COALESCE(${value}, ${sqlNumber(s.median)})`;
  const transformed = s.log1p ? `LN(1 + GREATEST(${filled}, 0))` : filled;
  const terms = [`${sqlNumber(beta)} * ((${transformed} - ${sqlNumber(s.mean)}) / ${sqlNumber(s.sd)})`];
  if (betaMissing !== undefined) terms.push(`(CASE WHEN ${value} IS NULL THEN ${sqlNumber(betaMissing)} ELSE 0 END)`);
  return terms;
}

function specTerms(r: SqlReading, spec: FeatureSpec, coef: (name: string) => number): string[] {
  const { d } = r;
  const col = valueOf(r, spec.column);
  switch (spec.kind) {
    case 'numeric':
      return numericExpr(d, numberOf(r, spec.column), spec, coef(spec.column), spec.indicator ? coef(`${spec.column}__missing__`) : undefined);
    case 'boolean': {
      const terms = [`${sqlNumber(coef(spec.column))} * (CASE WHEN ${col} IS NULL THEN ${spec.mode} WHEN ${isTrue(r, spec.column, col)} THEN 1 ELSE 0 END)`];
      if (spec.indicator) terms.push(`(CASE WHEN ${col} IS NULL THEN ${sqlNumber(coef(`${spec.column}__missing__`))} ELSE 0 END)`);
      return terms;
    }
    case 'categorical': {
      const v = `TRIM(${d.text(col)})`;
      const whens = spec.levels.map((level) => `WHEN ${v} = ${d.str(level)} THEN ${sqlNumber(coef(`${spec.column}=${level}`))}`);
      const missing = spec.missing ? sqlNumber(coef(`${spec.column}=__missing__`)) : '0';
      const other = spec.other ? sqlNumber(coef(`${spec.column}=__other__`)) : '0';
      return [`(CASE WHEN ${col} IS NULL THEN ${missing} ${whens.join(' ')} ELSE ${other} END)`];
    }
    case 'date': {
      const age = `(CASE WHEN ${col} IS NULL THEN NULL ELSE ${d.daysBefore(spec.reference, col)} END)`;
      const terms = numericExpr(d, age, spec.age, coef(`${spec.column}__age_days`), spec.age.indicator ? coef(`${spec.column}__age_days__missing__`) : undefined);
      if (spec.months.length) terms.push(`(CASE ${spec.months.map((m) => `WHEN ${d.month(col)} = ${m} THEN ${sqlNumber(coef(`${spec.column}__month=${m}`))}`).join(' ')} ELSE 0 END)`);
      if (spec.weekdays.length) terms.push(`(CASE ${spec.weekdays.map((w) => `WHEN ${d.weekday(col)} = ${w} THEN ${sqlNumber(coef(`${spec.column}__weekday=${w}`))}`).join(' ')} ELSE 0 END)`);
      return terms;
    }
  }
}

/**
 * σ(z) = 1 / (1 + e^−z), with z held within ±700: PostgreSQL and BigQuery raise an error where EXP
 * overflows a double (beyond 709), which would fail the whole query for one extreme row. Past ±700 the
 * probability is already 0 or 1 to within 1e-300.
 */
function sigmoid(z: string): string {
  return `(1 / (1 + EXP(-GREATEST(LEAST(${z}, 700), -700))))`;
}

function calibrated(cal: Calibrator, z: string): string {
  switch (cal.kind) {
    case 'none':
      return sigmoid(z);
    case 'platt':
      // logit(σ(z)) = z, so Platt is σ(a·z + b) on the raw score.
      return sigmoid(`${sqlNumber(cal.a)} * (${z}) + ${sqlNumber(cal.b)}`);
    case 'isotonic': {
      const p = sigmoid(z);
      const { x, y } = cal;
      // Same semantics as calibrate(): at or below the first knot its value; between knots the line from the
      // last knot ≤ p; at a repeated knot (a step) the value of its last copy; past the end the last value.
      const parts = [`WHEN ${p} <= ${sqlNumber(x[0]!)} THEN ${sqlNumber(y[0]!)}`];
      for (let k = 1; k < x.length; k++) {
        if (x[k] === x[k - 1]) continue;
        const slope = (y[k]! - y[k - 1]!) / (x[k]! - x[k - 1]!);
        parts.push(`WHEN ${p} < ${sqlNumber(x[k]!)} THEN ${sqlNumber(y[k - 1]!)} + (${p} - ${sqlNumber(x[k - 1]!)}) * ${sqlNumber(slope)}`);
      }
      return `(CASE ${parts.join(' ')} ELSE ${sqlNumber(y[y.length - 1]!)} END)`;
    }
  }
}

/**
 * The tree features (tree-features.ts) as SQL expressions, NULL where the model sees a missing value;
 * categories as their training code (0 = most frequent level), NULL for a level never seen in training.
 */
function treeFeatureExprs(r: SqlReading, specs: TreeFeatureSpec[]): Array<{ expr: string; levels?: number }> {
  const { d } = r;
  return specs.flatMap((spec): Array<{ expr: string; levels?: number }> => {
    const col = valueOf(r, spec.column);
    switch (spec.kind) {
      case 'numeric':
        return [{ expr: numberOf(r, spec.column) }];
      case 'boolean':
        return [{ expr: `(CASE WHEN ${col} IS NULL THEN NULL WHEN ${isTrue(r, spec.column, col)} THEN 1 ELSE 0 END)` }];
      case 'categorical': {
        const v = `TRIM(${d.text(col)})`;
        return [{ expr: `(CASE ${spec.levels.map((level, k) => `WHEN ${v} = ${d.str(level)} THEN ${k}`).join(' ')} ELSE NULL END)`, levels: spec.levels.length }];
      }
      case 'date': {
        return [{ expr: `(CASE WHEN ${col} IS NULL THEN NULL ELSE ${d.daysBefore(spec.reference, col)} END)` }, { expr: d.month(col) }, { expr: d.weekday(col) }];
      }
    }
  });
}

/**
 * One tree as a nested CASE. The missing direction is folded into the test (`x IS NULL OR test` when
 * missing values go left; a NULL test already goes right), so no subtree is written twice and the SQL
 * grows with the number of nodes. A categorical split looks its code up in a string of 0s and 1s (1 =
 * left) rather than in an IN list: DuckDB rewrites IN lists into joins, and hundreds of them made
 * its planning take seconds (BENCHMARKS.md, "Design measurements").
 */
function treeCase(tree: Tree, features: Array<{ expr: string; levels?: number }>): string {
  const node = (i: number): string => {
    const f = tree.feature[i]!;
    if (f < 0) return sqlNumber(tree.value[i]!);
    const { expr: x, levels } = features[f]!;
    let test: string;
    const offset = tree.categoryOffset[i]!;
    if (offset >= 0 && levels !== undefined) {
      let mask = '';
      for (let code = 0; code < levels; code++) mask += tree.categoryBits[offset + 1 + Math.min(code, 254)] === 1 ? '1' : '0';
      test = `SUBSTR('${mask}', ${x} + 1, 1) = '1'`;
    } else {
      test = `${x} <= ${sqlNumber(tree.threshold[i]!)}`;
    }
    if (tree.missingLeft[i] === 1) test = `${x} IS NULL OR ${test}`;
    return `CASE WHEN ${test} THEN ${node(tree.left[i]!)} ELSE ${node(tree.right[i]!)} END`;
  };
  return node(0);
}

/** The SELECT around the raw score: calibration, probability, the 0–100 score and the tier. */
function wrap(artifact: ModelArtifact, d: Dialect, inner: string[]): string {
  const p = calibrated(artifact.calibration, 'logits.leadscore_logit');
  const baseRate = artifact.training.positives / artifact.training.rows;
  return [
    `-- leadscore export-sql: ${modelLabel(artifact)}, dialect ${d.name}`,
    `-- tier: hot when probability >= ${artifact.threshold.value} (the run's ${artifact.threshold.strategy} threshold), warm from the training rate ${Number(baseRate.toFixed(6))}`,
    'SELECT scored.*,',
    `  ${d.round1('scored.probability * 100')} AS score,`,
    `  CASE WHEN scored.probability >= ${sqlNumber(artifact.threshold.value)} THEN 'hot' WHEN scored.probability >= ${sqlNumber(baseRate)} THEN 'warm' ELSE 'cold' END AS tier`,
    'FROM (',
    `  SELECT logits.*, ${p} AS probability`,
    '  FROM (',
    ...inner,
    `  ) AS logits${d.fence}`,
    ') AS scored',
  ].join('\n') + '\n';
}

/**
 * One SELECT that scores a leads table inside a database: logistic models as a linear expression, tree
 * models as the base score plus one nested CASE per tree (in the trees' order, so the sum is the same
 * floating-point sum as in leadscore).
 *
 * @example
 * console.log(exportSql(artifact, 'duckdb', 'leads'));
 */
export function exportSql(artifact: ModelArtifact, dialectName: DialectName, table: string): string {
  if (artifact.model.kind !== 'logistic' && artifact.model.kind !== 'gbdt') {
    throw new ConfigError('SQL_MODEL_KIND', `export-sql writes logistic and gbdt models; this artifact holds "${artifact.model.kind}"`, 'export the logistic.model.json or gbdt.model.json of the run');
  }
  if (artifact.activities) {
    throw new ConfigError('SQL_ACTIVITIES', 'this model uses activity-log features, which a SELECT over the leads table cannot compute',
      'train a model without --activities for a SQL export, or score with `leadscore score`');
  }
  const d = DIALECT[dialectName];
  const r: SqlReading = { d, naTokens: artifact.reading.naTokens, columns: new Map(artifact.reading.columns.map((c) => [c.name, c])) };
  const source = /^[A-Za-z_][\w.]*$/.test(table) ? table : `(${table})`;
  if (artifact.model.kind === 'gbdt') {
    const state = artifact.model.state as { baseScore: number; trees: TreeJSON[] };
    // Every feature (a number, a 0/1, a category's code, a date's age) is computed once per row in an inner
    // SELECT, then read by name in the trees' tests.
    const computed = treeFeatureExprs(r, artifact.features.specs as TreeFeatureSpec[]).map((e, f) => ({ name: d.ident(`leadscore_feature_${f}`), ...e }));
    const features = computed.map((c) => ({ expr: `features.${c.name}`, ...(c.levels !== undefined ? { levels: c.levels } : {}) }));
    const trees = state.trees.map((t) => `(${treeCase(treeFromJSON(t), features)})`);
    return wrap(artifact, d, [
      `    SELECT features.*,\n      ${[d.double(sqlNumber(state.baseScore)), ...trees].join('\n      + ')} AS leadscore_logit`,
      `    FROM (\n      SELECT leads.*${computed.map((c) => `,\n        ${c.expr} AS ${c.name}`).join('')}\n      FROM ${source} AS leads${d.fence}\n    ) AS features${d.fence}`,
    ]);
  }
  const state = artifact.model.state as { beta: number[]; featureNames: string[] };
  const coefficients = new Map(state.featureNames.map((name, j) => [name, state.beta[j + 1]!]));
  const coef = (name: string) => coefficients.get(name) ?? 0;
  const specs = artifact.features.specs as FeatureSpec[];
  const terms = [sqlNumber(state.beta[0]!), ...specs.flatMap((s) => specTerms(r, s, coef))];
  return wrap(artifact, d, [`    SELECT leads.*,\n      ${terms.join('\n      + ')} AS leadscore_logit`, `    FROM ${source} AS leads${d.fence}`]);
}
