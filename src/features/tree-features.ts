/**
 * Features for the trees: no one-hot, no scaling. Numbers and booleans as numbers, categories as codes
 * (levels ordered by training frequency, a level never seen in training treated as missing and counted),
 * dates as age in days at the scoring time plus month and weekday. Missing is NaN. Fitted on the training
 * rows only; serialisable.
 */
import type { Dataset } from '../data/dataset.ts';
import { DAY_MS } from '../data/dates.ts';
import { columnSchema } from '../data/schema.ts';
import { DataError } from '../errors.ts';

export type TreeFeatureSpec =
  | { kind: 'numeric'; column: string }
  | { kind: 'boolean'; column: string }
  | { kind: 'categorical'; column: string; levels: string[] }
  | { kind: 'date'; column: string; reference: number };

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
      const values = data.table.array(column.name) as ArrayLike<unknown>;
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
          for (const r of rows) if (typeof values[r] === 'number') reference = Math.max(reference, values[r] as number);
          if (Number.isFinite(reference)) specs.push({ kind: 'date', column: column.name, reference });
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
    const rows = options.rows ?? Int32Array.from({ length: data.table.numRows() }, (_, i) => i);
    const n = rows.length;
    const columns: Float64Array[] = [];
    const names: string[] = [];
    const kinds: Array<'numeric' | 'categorical'> = [];
    const groups: string[] = [];
    const unseen: Record<string, number> = {};
    const add = (name: string, group: string, kind: 'numeric' | 'categorical', values: Float64Array) => {
      columns.push(values);
      names.push(name);
      kinds.push(kind);
      groups.push(group);
    };
    for (const s of this.specs) {
      if (!columnSchema(data.schema, s.column)) {
        throw new DataError('FEATURE_MISSING', `column "${s.column}" that the model was trained on is missing`, 'score a file with the same columns as the training data');
      }
      const values = data.table.array(s.column) as ArrayLike<unknown>;
      const get = (i: number) => values[rows[i]!];
      switch (s.kind) {
        case 'numeric':
          add(s.column, s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (typeof get(i) === 'number' ? (get(i) as number) : Number.NaN)));
          break;
        case 'boolean':
          add(s.column, s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (get(i) === null || get(i) === undefined ? Number.NaN : get(i) ? 1 : 0)));
          break;
        case 'categorical': {
          const index = new Map(s.levels.map((l, k) => [l, k]));
          add(s.column, s.column, 'categorical', Float64Array.from({ length: n }, (_, i) => {
            const v = get(i);
            if (v === null || v === undefined) return Number.NaN;
            const code = index.get(String(v));
            if (code === undefined) {
              unseen[s.column] = (unseen[s.column] ?? 0) + 1;
              return Number.NaN;
            }
            return code;
          }));
          break;
        }
        case 'date': {
          const asOf = options.asOf;
          const t = (i: number) => (typeof get(i) === 'number' ? (get(i) as number) : Number.NaN);
          add(`${s.column}__age_days`, s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => {
            const ref = asOf === undefined ? s.reference : typeof asOf === 'number' ? asOf : asOf[rows[i]!]!;
            return (ref - t(i)) / DAY_MS;
          }));
          add(`${s.column}__month`, s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (Number.isNaN(t(i)) ? Number.NaN : new Date(t(i)).getUTCMonth() + 1)));
          add(`${s.column}__weekday`, s.column, 'numeric', Float64Array.from({ length: n }, (_, i) => (Number.isNaN(t(i)) ? Number.NaN : new Date(t(i)).getUTCDay())));
          break;
        }
      }
    }
    return { columns, n, p: columns.length, names, kinds, groups, unseen };
  }

  toJSON(): { formatVersion: 1; kind: 'tree'; specs: TreeFeatureSpec[] } {
    return { formatVersion: 1, kind: 'tree', specs: structuredClone(this.specs) };
  }

  static fromJSON(json: { formatVersion: number; specs: TreeFeatureSpec[] }): TreeFeatures {
    if (json.formatVersion !== 1) throw new RangeError(`tree feature format ${json.formatVersion} is not supported`);
    return new TreeFeatures(structuredClone(json.specs));
  }
}
