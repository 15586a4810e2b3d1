/**
 * Which chunks the byte path takes: an allow-list. The table path (stream.ts `scoreChunk`) is the
 * definition of the output; the byte path is an accelerator that must write the same bytes, so it takes a
 * job only where every option set is one it implements, the model kind and the output format are ones it
 * implements, and the input's layout is one its scan reads. Anything else — including an option added to
 * `ScoreOptions` later, which TypeScript makes this file decide on — is scored the table way, and the
 * stream counts the chunks each path wrote (`chunks.bytePath`, `chunks.tablePath`).
 */
import type { ChunkJob } from '../chunk.ts';
import type { ScoreOptions, Scorer } from '../score.ts';
import type { ScoreFileOptions, StreamOptions } from '../stream.ts';

/**
 * Every scoring option: true where the byte path writes what the table path writes with it set. (The
 * differential tests in test/scoring/fast/ run each true one.)
 */
const OPTIONS: Record<keyof ScoreOptions, boolean> = {
  model: true,
  /** Only how the model is loaded (both paths score the loaded model). */
  trust: true,
  input: true,
  rules: true,
  /** Lead-level activity features (account-level ones are refused below). */
  activities: true,
  asOf: true,
  reasons: true,
  keep: true,
  id: true,
  na: true,
  /** NDJSON's `reason_codes`. */
  reasonCodes: true,
  /** A chunk holding a value of the wrong type is handed to the table path, which fails or rejects. */
  onError: true,
  account: false,
  /** Read only with `account`. */
  accountAgg: true,
  previous: false,
  /** Read only with `previous`. */
  trendBand: true,
  /** A batch decision over the whole file: scored in memory, never streamed. */
  capacity: false,
  /** How many threads score (chunks, TreeSHAP): never what is written. */
  threads: true,
};

/** How a stream runs, not what it writes: a lead's output never depends on these (the product's promise). */
const RUNNING: ReadonlySet<string> = new Set<Exclude<keyof StreamOptions | keyof ScoreFileOptions, keyof ScoreOptions>>([
  'output', 'format', 'chunkRows', 'rejectsPath', 'onProgress', 'onConvert', 'parallelMinBytes', 'parallelMinMs',
]);

/** Logistic regression, trees and the network (which reads the tree features as trees do). */
const MODEL_KINDS: ReadonlySet<string> = new Set(['logistic', 'gbdt', 'mlp']);

/**
 * Why the byte path does not take this scorer's chunks of this layout, or null where it does (whether it
 * can then plan them is `plan.ts`'s to say: an id column the input lacks, rules on columns it lacks …).
 */
export function refusal(scorer: Scorer, job: Pick<ChunkJob, 'delimiter'>, format: string): string | null {
  for (const [key, value] of Object.entries(scorer.options)) {
    if (value === undefined) continue;
    if (RUNNING.has(key)) continue;
    if (!(key in OPTIONS)) return `option ${key} is not on its list`;
    if (!OPTIONS[key as keyof ScoreOptions]) return `option ${key}`;
  }
  const { kind } = scorer.loaded.artifact.model;
  if (!MODEL_KINDS.has(kind)) return `a ${kind} model`;
  if (scorer.loaded.artifact.activities?.account) return 'account-level activity features';
  if (format !== 'csv' && format !== 'ndjson') return `${format} output`;
  if (job.delimiter.length !== 1) return 'a delimiter of more than one character';
  return null;
}

/** A chunk starting with a UTF-8 byte order mark is read by the table path (the parser drops the mark). */
export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}
