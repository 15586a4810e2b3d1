/**
 * The leakage guard: before training, every candidate feature's single-feature AUC on the training rows
 * (numbers by value, missing lowest; categories and booleans through their training conversion rate; dates
 * by time), flagged when it is too good to be known before the outcome:
 * - AUC ≥ 0.90; or
 * - AUC ≥ 0.80 and at least 0.10 above the next-best column (one field dominating all others); or
 * - a name that suggests post-outcome information (duration, status, stage, closed, won, lost, …).
 * AUC is reported as max(AUC, 1 − AUC): a column that ranks leads backwards is as informative.
 * A column filled exactly when the outcome happened (a conversion date) is a certain leak, found from its
 * missingness alone; a column whose being filled in alone ranks the outcome with AUC ≥ 0.80 (deal attributes
 * joined from won deals) is a suspect, whatever its values say.
 */
import type { Dataset } from '../data/io/dataset.ts';
import { rocAuc } from './metrics.ts';
import { bytesAt, columnValues, levelCodes, numbersAt } from '../data/columns.ts';

export interface LeakageOptions {
  /** Flag at or above this AUC. Default 0.90. */
  high?: number;
  /** Flag at or above this AUC when also `margin` above the next-best column. Default 0.80. */
  dominant?: number;
  margin?: number;
  /** Flag a column whose being filled in alone ranks leads at or above this AUC. Default 0.80. */
  presence?: number;
  /** Name fragments that suggest post-outcome information. */
  names?: readonly string[];
}

export const DEFAULT_LEAKY_NAMES = ['duration', 'status', 'stage', 'closed', 'won', 'lost', 'outcome', 'result', 'tags', 'quality', 'converted', 'churn'] as const;

export interface LeakageFlag {
  column: string;
  auc: number;
  /** `certain`: filled only for one outcome; `suspect`: flagged by AUC or name. */
  severity: 'certain' | 'suspect';
  reason: string;
}

export interface ColumnAuc {
  column: string;
  auc: number;
}

/** Single-feature AUC of one column over the rows, as max(AUC, 1 − AUC); categories by cross-fitted conversion rate. */
export function singleFeatureAuc(data: Dataset, column: string, y: Uint8Array, rows: Int32Array, values = columnValues(data.table, column) as ArrayLike<unknown>): number {
  const schema = data.schema.columns.find((c) => c.name === column)!;
  const yRows = bytesAt(y, rows);
  const n = rows.length;
  let scores: Float64Array;
  if (schema.type === 'numeric' || schema.type === 'date' || schema.type === 'datetime') {
    scores = numbersAt(values, rows);
    for (let k = 0; k < n; k++) if (Number.isNaN(scores[k]!)) scores[k] = Number.NEGATIVE_INFINITY;
  } else {
    // Categories (and booleans, and missing as a level) scored by their conversion rate, cross-fitted: rows in
    // even positions get the rate measured on the odd ones and vice versa (shrunk towards the overall rate by
    // one lead), so that many small levels cannot reach a high AUC by memorising their own outcomes.
    const { code, levels } = levelCodes(values, rows);
    const missing = levels.length; // missing as one more level
    const conv = [new Float64Array(missing + 1), new Float64Array(missing + 1)];
    const count = [new Float64Array(missing + 1), new Float64Array(missing + 1)];
    const totals = [[0, 0], [0, 0]];
    for (let k = 0; k < n; k++) {
      const half = k % 2;
      const level = code[k]! < 0 ? missing : code[k]!;
      conv[half]![level]! += yRows[k]!;
      count[half]![level]!++;
      totals[half]![0]! += yRows[k]!;
      totals[half]![1]! += 1;
    }
    scores = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const other = 1 - (k % 2);
      const level = code[k]! < 0 ? missing : code[k]!;
      const base = totals[other]![1]! > 0 ? totals[other]![0]! / totals[other]![1]! : 0;
      scores[k] = (conv[other]![level]! + base) / (count[other]![level]! + 1);
    }
  }
  const auc = rocAuc(scores, yRows);
  return Number.isNaN(auc) ? 0.5 : Math.max(auc, 1 - auc);
}

/**
 * Flags leaky columns among the dataset's features (minus `exclude`).
 *
 * @example
 * const { flags, aucs } = leakageGuard(data, target.y, split.train, { exclude: ['converted'] });
 */
export function leakageGuard(data: Dataset, y: Uint8Array, rows: Int32Array, options: LeakageOptions & { exclude?: readonly string[] } = {}): { flags: LeakageFlag[]; aucs: ColumnAuc[] } {
  const high = options.high ?? 0.9;
  const dominant = options.dominant ?? 0.8;
  const margin = options.margin ?? 0.1;
  const presenceAt = options.presence ?? 0.8;
  const byPresence = new Map<string, number>();
  const names = (options.names ?? DEFAULT_LEAKY_NAMES).map((n) => n.toLowerCase());
  const exclude = new Set(options.exclude ?? []);
  const yRows = bytesAt(y, rows);
  const flags: LeakageFlag[] = [];
  const aucs: ColumnAuc[] = [];
  for (const column of data.schema.columns) {
    if (exclude.has(column.name) || column.type === 'constant' || column.type === 'id' || column.type === 'text') continue;
    const values = columnValues(data.table, column.name) as ArrayLike<unknown>;
    if (column.missing > 0) {
      const filled = new Float64Array(rows.length);
      for (let k = 0; k < rows.length; k++) {
        const v = values[rows[k]!];
        filled[k] = v === null || v === undefined ? 0 : 1;
      }
      const presence = rocAuc(filled, yRows);
      if (presence >= 0.99 || presence <= 0.01) {
        flags.push({ column: column.name, auc: 1, severity: 'certain', reason: `\`${column.name}\` is filled only for ${presence >= 0.99 ? 'converted' : 'non-converted'} leads: it is recorded after the outcome` });
        continue;
      }
      if (Math.max(presence, 1 - presence) >= presenceAt) byPresence.set(column.name, Math.max(presence, 1 - presence));
    }
    if (!column.feature) continue;
    aucs.push({ column: column.name, auc: Number(singleFeatureAuc(data, column.name, y, rows, values).toFixed(4)) });
  }
  aucs.sort((a, b) => b.auc - a.auc || a.column.localeCompare(b.column));
  aucs.forEach((entry, k) => {
    const next = aucs[k === 0 ? 1 : 0]?.auc ?? 0.5;
    const lower = entry.column.toLowerCase();
    const named = names.find((n) => lower.split(/[^a-z0-9]+/).includes(n) || lower === n);
    let reason: string | null = null;
    if (entry.auc >= high) reason = `\`${entry.column}\` alone ranks leads with AUC ${entry.auc.toFixed(2)}: is it known before the lead is scored?`;
    else if (k === 0 && entry.auc >= dominant && entry.auc - next >= margin) {
      reason = `\`${entry.column}\` alone ranks leads with AUC ${entry.auc.toFixed(2)} (next best ${next.toFixed(2)}): is it known before the lead is scored?`;
    } else if (named) reason = `\`${entry.column}\` sounds like post-outcome information ("${named}"; AUC alone ${entry.auc.toFixed(2)}): is it known before the lead is scored?`;
    const filled = byPresence.get(entry.column);
    if (!reason && filled !== undefined) {
      reason = `whether \`${entry.column}\` is filled in alone ranks leads with AUC ${filled.toFixed(2)}: is it filled in only after the outcome (a deal's attribute)?`;
    }
    if (reason) flags.push({ column: entry.column, auc: entry.auc, severity: 'suspect', reason });
  });
  return { flags, aucs };
}
