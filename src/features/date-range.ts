/**
 * Dates used as features, said plainly: what the model reads from a date column (its age at the scoring
 * time, its month, its weekday), and which new leads fall outside the dates the model was trained on.
 * Without a scoring time, a date's age counts from the latest training date, so a lead dated after every
 * training lead is scored by extrapolation: such leads are counted and named, never scored silently.
 */
import { formatDate } from '../data/types/dates.ts';
import { shellWord } from '../shell-word.ts';

/** A date feature's training range (epoch ms): what both feature encoders record for a date column. */
export interface DateRange {
  column: string;
  earliest: number;
  /** The latest training date (the reference ages count from without a scoring time). */
  latest: number;
}

/**
 * The date columns of a model's feature specs, with their training range.
 *
 * @example
 * dateRanges(artifact.features.specs); // [{ column: 'signup_date', earliest: …, latest: … }]
 */
export function dateRanges(specs: ReadonlyArray<{ kind: string; column: string; reference?: number; earliest?: number }>): DateRange[] {
  return specs.flatMap((s) => (s.kind === 'date' && s.reference !== undefined && s.earliest !== undefined ? [{ column: s.column, earliest: s.earliest, latest: s.reference }] : []));
}

/** True when a typed date (epoch ms) lies outside its column's training range; missing values are not. */
export function outsideRange(range: DateRange, value: unknown): boolean {
  return typeof value === 'number' && !Number.isNaN(value) && (value < range.earliest || value > range.latest);
}

const day = (ms: number) => formatDate(ms, true).slice(0, 10);

/** The training dates as words: `2024-01-01 to 2025-06-30`. */
export function trainingSpan(range: DateRange): string {
  return `${day(range.earliest)} to ${day(range.latest)}`;
}

/** The reasons item for a lead whose date falls outside the training range. */
export function outsideRangeText(range: DateRange, value: number): string {
  return `${range.column} ${day(value)} is outside the training dates (${trainingSpan(range)})`;
}

/**
 * What a date feature means, for the training notes; with a warning when no scoring time anchors it.
 *
 * @example
 * dateFeatureNote({ column: 'signup_date', earliest, latest }, { anchored: false });
 */
export function dateFeatureNote(range: DateRange, options: { anchored: boolean; timeColumn?: string }): { note: string; warning?: string } {
  const span = trainingSpan(range);
  if (options.anchored) {
    return { note: `${range.column}: a date feature — its age in days at each lead's scoring time, its month and its weekday (training dates ${span})` };
  }
  const note = `${range.column}: a date feature — its age in days counted from ${day(range.latest)} (the latest training date), its month and its weekday (training dates ${span})`;
  const warning = `${range.column} is a date used as a feature with no scoring time: its age counts from ${day(range.latest)}, so the model's view of a lead moves with the calendar and leads dated after ${day(range.latest)} are extrapolated (scoring counts them). `
    + (options.timeColumn ? `Pass --exclude ${shellWord(range.column)} if it is not meant as a feature.` : `Pass --date ${shellWord(range.column)} if it orders the leads in time (it is then not a feature), or --exclude ${shellWord(range.column)}.`);
  return { note, warning };
}
