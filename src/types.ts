/** Shared types used across stages. Imports nothing. */

/** A raw cell as a reader returns it, before schema inference. */
export type RawValue = string | number | boolean | Date | null;

/** Kinds of column the schema inference tells apart. */
export type ColumnType =
  | 'numeric'
  | 'boolean'
  | 'categorical'
  | 'date'
  | 'datetime'
  | 'id'
  | 'text'
  | 'constant';

/** Row indices of a split. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

export type SplitKind = 'stratified' | 'time' | 'group';
