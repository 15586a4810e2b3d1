/**
 * The design matrix a linear model is fitted on, held by columns: each encoded feature is either a dense
 * column of values, or — for a 0/1 feature such as a one-hot level or a missing flag that is 1 on at most
 * half the rows — the rows where it is 1, ascending. One-hot blocks of wide categories are almost all
 * zeros: 1,000,000 rows × 621 encoded features is 5 GB as a dense float64 matrix and about 0.3 GB here.
 *
 * Every sum over a column (linear predictor, gradient, Hessian, means) visits its non-zero rows in
 * ascending order, so a column gives the same bits whichever way it is held: adding the zeros a dense
 * column holds changes no partial sum.
 */

export type DesignColumn = { kind: 'dense'; values: Float64Array } | { kind: 'ones'; rows: Int32Array };

export interface Design {
  columns: DesignColumn[];
  n: number;
  p: number;
  names: string[];
}

/**
 * A dense column as the design holds it: the rows where it is 1 when it is 0/1 and 1 on at most half the
 * rows, else its values (not copied).
 */
export function designColumn(values: Float64Array): DesignColumn {
  const n = values.length;
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v === 1) ones++;
    else if (v !== 0) return { kind: 'dense', values };
  }
  if (ones * 2 > n) return { kind: 'dense', values };
  const rows = new Int32Array(ones);
  let k = 0;
  for (let i = 0; i < n; i++) if (values[i] === 1) rows[k++] = i;
  return { kind: 'ones', rows };
}

/** A one-hot block given by each row's level (−1: none) as one column of ones per level, its rows ascending. */
export function oneHotColumns(index: Int32Array, width: number): DesignColumn[] {
  const counts = new Int32Array(width);
  for (const k of index) if (k >= 0) counts[k]!++;
  const levels = Array.from(counts, (count) => new Int32Array(count));
  const filled = new Int32Array(width);
  index.forEach((k, i) => {
    if (k >= 0) levels[k]![filled[k]!++] = i;
  });
  return levels.map((rows) => ({ kind: 'ones', rows }));
}

/**
 * A design from a column-major n × p matrix (the columns are views of `X`, not copies).
 *
 * @example
 * const design = denseDesign(Float64Array.from([0, 1, 1, 2.5, 3, 0.5]), 3, 2, ['is_customer', 'visits']);
 */
export function denseDesign(X: Float64Array, n: number, p: number, names: string[]): Design {
  if (X.length !== n * p) throw new RangeError(`X has ${X.length} values, ${n} rows × ${p} features need ${n * p}`);
  const columns = Array.from({ length: p }, (_, j) => designColumn(X.subarray(j * n, (j + 1) * n)));
  return { columns, n, p, names };
}

/** Column `j` as n values (a new array for a column held as its rows of ones). */
export function columnValues(design: Design, j: number): Float64Array {
  const column = design.columns[j]!;
  if (column.kind === 'dense') return column.values;
  const out = new Float64Array(design.n);
  for (const i of column.rows) out[i] = 1;
  return out;
}

/**
 * The design restricted to `rows` (in the order given), copied. Columns of ones stay columns of ones,
 * their rows renumbered (and ascending whatever the order of `rows`).
 */
export function designRows(design: Design, rows: ArrayLike<number>): Design {
  const n = rows.length;
  let position: Int32Array | null = null;
  const columns = design.columns.map((column): DesignColumn => {
    if (column.kind === 'dense') {
      const values = new Float64Array(n);
      for (let k = 0; k < n; k++) values[k] = column.values[rows[k]!]!;
      return { kind: 'dense', values };
    }
    if (!position) {
      position = new Int32Array(design.n).fill(-1);
      for (let k = 0; k < n; k++) position[rows[k]!] = k;
    }
    let count = 0;
    for (const i of column.rows) if (position[i]! >= 0) count++;
    const kept = new Int32Array(count);
    let c = 0;
    for (const i of column.rows) if (position[i]! >= 0) kept[c++] = position[i]!;
    return { kind: 'ones', rows: kept.sort() };
  });
  return { columns, n, p: design.p, names: design.names };
}

/**
 * For each row, the columns of ones it is 1 in (ascending), as offsets into one array: row i's are
 * `columns[start[i]] … columns[start[i + 1] − 1]`. The Hessian sums pairs of such columns row by row.
 */
export interface OnesByRow {
  start: Int32Array;
  columns: Int32Array;
}

export function onesByRow(design: Pick<Design, 'columns' | 'n'>): OnesByRow {
  const start = new Int32Array(design.n + 1);
  for (const column of design.columns) if (column.kind === 'ones') for (const i of column.rows) start[i + 1]!++;
  for (let i = 0; i < design.n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, design.n);
  const columns = new Int32Array(start[design.n]!);
  design.columns.forEach((column, j) => {
    if (column.kind === 'ones') for (const i of column.rows) columns[fill[i]!++] = j;
  });
  return { start, columns };
}
