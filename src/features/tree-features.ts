/**
 * Features for the trees: no one-hot, no scaling. Numbers and booleans as numbers, categories as codes
 * (levels ordered by training frequency, a level never seen in training treated as missing and counted),
 * dates as age in days at the scoring time plus month and weekday. Missing is NaN. Fitted on the training
 * rows only; serialisable.
 */
import type { Dataset } from '../data/io/dataset.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { columnSchema } from '../data/types/schema.ts';
import { DataError } from '../errors.ts';
import { allRows, columnValues } from '../data/columns.ts';

export type TreeFeatureSpec =
  | { kind: 'numeric'; column: string }
  | { kind: 'boolean'; column: string }
  | { kind: 'categorical'; column: string; levels: string[] }
  | { kind: 'date'; column: string; reference: number; /** The earliest training date (the range scoring checks leads against). */ earliest: number };

export interface TreeDesign {
  /** One column per feature, NaN where missing; categorical features hold level codes 0, 1, 2, … */
  columns: Float64Array[];
  n: number;
  p: number;
  names: string[];
  kinds: Array<'numeric' | 'categorical'>;
  /** Original column of each feature. */
  groups: string[];
  unseen: Record<string, number>;
}

/**
 * Appends one spec's feature columns for `rows` of its column's typed values to `design`; returns how
 * many values were categories never seen in training (marked per row in `unseenAt` if given).
 */
function transformSpec(s: TreeFeatureSpec, values: ArrayLike<unknown>, rows: Int32Array, asOf: number | ArrayLike<number> | undefined, design: TreeDesign, unseenAt?: Uint8Array): number {
  const n = rows.length;
  let unseen = 0;
  const add = (name: string, kind: 'numeric' | 'categorical', column: Float64Array) => {
    design.columns.push(column);
    design.names.push(name);
    design.kinds.push(kind);
    design.groups.push(s.column);
  };
  const get = (i: number) => values[rows[i]!];
  switch (s.kind) {
    case 'numeric':
      add(s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (typeof get(i) === 'number' ? (get(i) as number) : Number.NaN)));
      break;
    case 'boolean':
      add(s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (get(i) === null || get(i) === undefined ? Number.NaN : get(i) ? 1 : 0)));
      break;
    case 'categorical': {
      const index = new Map(s.levels.map((l, k) => [l, k]));
      add(s.column, 'categorical', Float64Array.from({ length: n }, (_, i) => {
        const v = get(i);
        if (v === null || v === undefined) return Number.NaN;
        const code = index.get(String(v));
        if (code === undefined) {
          unseen++;
          if (unseenAt) unseenAt[i] = 1;
          return Number.NaN;
        }
        return code;
      }));
      break;
    }
    case 'date': {
      const t = (i: number) => (typeof get(i) === 'number' ? (get(i) as number) : Number.NaN);
      add(`${s.column}__age_days`, 'numeric', Float64Array.from({ length: n }, (_, i) => {
        const ref = asOf === undefined ? s.reference : typeof asOf === 'number' ? asOf : asOf[rows[i]!]!;
        return (ref - t(i)) / DAY_MS;
      }));
      add(`${s.column}__month`, 'numeric', Float64Array.from({ length: n }, (_, i) => (Number.isNaN(t(i)) ? Number.NaN : new Date(t(i)).getUTCMonth() + 1)));
      add(`${s.column}__weekday`, 'numeric', Float64Array.from({ length: n }, (_, i) => (Number.isNaN(t(i)) ? Number.NaN : new Date(t(i)).getUTCDay())));
      break;
    }
  }
  return unseen;
}

/**
 * @example
 * const features = TreeFeatures.fit(data, split.train, { exclude: ['converted'] });
 * const design = features.transform(data);
 */
export class TreeFeatures {
  private constructor(readonly specs: TreeFeatureSpec[]) {}

  static fit(data: Dataset, rows: Int32Array, options: { exclude?: string[] } = {}): TreeFeatures {
    const exclude = new Set(options.exclude ?? []);
    const specs: TreeFeatureSpec[] = [];
    for (const column of data.schema.columns) {
      if (!column.feature || exclude.has(column.name)) continue;
      const values = columnValues(data.table, column.name) as ArrayLike<unknown>;
      switch (column.type) {
        case 'numeric':
          specs.push({ kind: 'numeric', column: column.name });
          break;
        case 'boolean':
          specs.push({ kind: 'boolean', column: column.name });
          break;
        case 'categorical': {
          const counts = new Map<string, number>();
          for (const r of rows) if (values[r] !== null && values[r] !== undefined) counts.set(String(values[r]), (counts.get(String(values[r])) ?? 0) + 1);
          const levels = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([l]) => l);
          if (levels.length >= 2) specs.push({ kind: 'categorical', column: column.name, levels });
          break;
        }
        case 'date':
        case 'datetime': {
          let reference = -Infinity;
          let earliest = Infinity;
          for (const r of rows) {
            if (typeof values[r] !== 'number') continue;
            reference = Math.max(reference, values[r] as number);
            earliest = Math.min(earliest, values[r] as number);
          }
          if (Number.isFinite(reference)) specs.push({ kind: 'date', column: column.name, reference, earliest });
          break;
        }
        default:
          break;
      }
    }
    if (specs.length === 0) throw new DataError('NO_FEATURES', 'no usable feature columns on the training rows', 'check `leadscore inspect` on the file');
    return new TreeFeatures(specs);
  }

  transform(data: Dataset, options: { rows?: Int32Array; asOf?: number | ArrayLike<number> } = {}): TreeDesign {
    const rows = options.rows ?? allRows(data.table.numRows());
    const design: TreeDesign = { columns: [], n: rows.length, p: 0, names: [], kinds: [], groups: [], unseen: {} };
    for (const s of this.specs) {
      if (!columnSchema(data.schema, s.column)) {
        throw new DataError('FEATURE_MISSING', `column "${s.column}" that the model was trained on is missing`, 'score a file with the same columns as the training data');
      }
      const unseen = transformSpec(s, columnValues(data.table, s.column) as ArrayLike<unknown>, rows, options.asOf, design);
      if (unseen > 0) design.unseen[s.column] = unseen;
    }
    design.p = design.columns.length;
    return design;
  }

  /**
   * One spec's feature columns for a list of its column's typed values (each value a row), and which
   * values are categories never seen in training. The streaming scorer works out each distinct cell of a
   * column once this way (the same code as `transform`, so the same numbers).
   */
  transformValues(spec: number, values: ArrayLike<unknown>, asOf?: number | ArrayLike<number>): { columns: Float64Array[]; unseen: Uint8Array } {
    const design: TreeDesign = { columns: [], n: values.length, p: 0, names: [], kinds: [], groups: [], unseen: {} };
    const unseenAt = new Uint8Array(values.length);
    transformSpec(this.specs[spec]!, values, allRows(values.length), asOf, design, unseenAt);
    return { columns: design.columns, unseen: unseenAt };
  }

  toJSON(): { formatVersion: 1; kind: 'tree'; specs: TreeFeatureSpec[] } {
    return { formatVersion: 1, kind: 'tree', specs: structuredClone(this.specs) };
  }

  static fromJSON(json: { formatVersion: number; specs: TreeFeatureSpec[] }): TreeFeatures {
    if (json.formatVersion !== 1) throw new RangeError(`tree feature format ${json.formatVersion} is not supported`);
    return new TreeFeatures(structuredClone(json.specs));
  }
}
