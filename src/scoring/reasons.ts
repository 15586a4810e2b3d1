/**
 * Reasons in plain words: per lead, the original columns that moved its score most (log-odds
 * contributions from the logistic model or TreeSHAP), strongest first, with the lead's value:
 * `pricing_page_view_30d = 4 (+0.82); email_type = student (−1.10)`. The text starts with a column name,
 * never a sign, so spreadsheets read it as text.
 */

export interface ReasonInput {
  /** Original column names, one per contribution. */
  columns: readonly string[];
  /** Row-major n × columns contributions (log-odds). */
  values: Float64Array;
  /** The lead's value of a column, as text ('' when missing). */
  valueText: (row: number, column: string) => string;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** One reason as data: the column, the lead's value ('' when missing) and its log-odds contribution. */
export interface ReasonCode {
  column: string;
  value: string;
  contribution: number;
}

/**
 * The lead's strongest contributions (|log-odds| ≥ 0.005), strongest first, at most `max`.
 *
 * @example
 * pickReasons({ columns, values, valueText }, 0, 3); // [{ column: 'email_type', value: 'student', contribution: -1.1 }, …]
 */
export function pickReasons(input: ReasonInput, row: number, max: number): ReasonCode[] {
  const k = input.columns.length;
  const picked: Array<{ column: string; c: number }> = [];
  for (let j = 0; j < k; j++) {
    const c = input.values[row * k + j]!;
    if (Math.abs(c) >= 0.005) picked.push({ column: input.columns[j]!, c });
  }
  picked.sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || (a.column < b.column ? -1 : 1));
  return picked.slice(0, max).map(({ column, c }) => ({ column, value: input.valueText(row, column), contribution: Number(c.toFixed(4)) }));
}

/** Reasons as text: `email_type = student (−1.10); budget_confirmed = yes (+0.58)`. */
export function reasonText(codes: readonly ReasonCode[]): string {
  return codes.map(({ column, value, contribution }) => `${column}${value === '' ? ' missing' : ` = ${value}`} (${signed(contribution)})`).join('; ');
}

/**
 * @example
 * formatModelReasons({ columns, values, valueText }, 0, 3);
 */
export function formatModelReasons(input: ReasonInput, row: number, max: number): string {
  return reasonText(pickReasons(input, row, max));
}
