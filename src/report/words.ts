/**
 * Figures as every printout words them (the CLI's tables, the report, the model cards), so a threshold or
 * a p-value reads the same wherever a user meets it.
 */

/**
 * A threshold as the model states it: a probability, or the rules' points.
 *
 * @example
 * thresholdText('rules', 50); // '50.0 pts'
 */
export function thresholdText(model: string, value: number): string {
  return model === 'rules' ? `${value.toFixed(1)} pts` : `p ${value.toFixed(3)}`;
}

/**
 * A p-value as text: below what a double can tell from zero, `p < 1e-16` (never `p = 0`).
 *
 * @example
 * pValueText(0); // 'p < 1e-16'
 */
export function pValueText(p: number): string {
  return p < 1e-16 ? 'p < 1e-16' : `p = ${p}`;
}
