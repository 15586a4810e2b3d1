/**
 * What the typed CSV reader's inference reads of a sampled column (column-shard.ts chooses each column's
 * builder from it), gathered from the sample's bytes instead of a string per cell: a column of plain numbers
 * (`plainSample`) or any column's present count and first texts (`textSample`). Both answer exactly what
 * `numericInference` gathers from the texts (property tests, test/data/io/two-threads.test.ts).
 */
import { ByteDictionary } from './byte-dictionary.ts';
import type { RecordBatch } from './column-builder.ts';
import { ownText } from './text-columns.ts';
import { isMissing } from '../types/missing.ts';
import { plainNumber } from '../types/plain-number.ts';
import type { NumericFacts } from '../types/schema.ts';

/** The sample's batches of records, each with the bytes its offsets point into. */
export type SampleBatches = ReadonlyArray<{ bytes: Buffer; batch: RecordBatch }>;

/**
 * A sampled column's facts read from its bytes where every cell is empty (missing: the inference's tokens
 * make an empty cell missing and no token a number, `plainBytesReadable`) or a plain number between spaces or
 * tabs (`plainNumber`, bit for bit `Number`): what `numericInference` gathers from the texts — the present
 * values in row order, their range, whether all are integers, their first five distinct texts — without a
 * string per cell. Null at the first other cell (a quoted one included): the texts are then read the reference
 * way.
 */
export function plainSample(sample: SampleBatches, c: number): PlainFacts | null {
  return plainSamples(sample, [c])[0]!;
}

/** A sampled column's facts read from its bytes (`plainSample`). */
export type PlainFacts = NumericFacts & { nums: Float64Array; texts: string[] };

/**
 * `plainSample` for several columns at once, reading the sample row by row (each row's cells together)
 * rather than column by column: over a sample of 100,000 wide rows a column-by-column pass met a cache miss
 * at nearly every cell (BENCHMARKS.md, session 17). A column is dropped (null) at its first other cell.
 */
export function plainSamples(sample: SampleBatches, columns: readonly number[]): Array<PlainFacts | null> {
  let rows = 0;
  for (const { batch } of sample) rows += batch.count;
  const states = columns.map((c) => ({ c, nums: new Float64Array(rows), present: 0, min: Infinity, max: -Infinity, integers: true, texts: [] as string[], plain: true }));
  let alive = states.length;
  for (const { bytes, batch } of sample) {
    const { starts, ends, width, count } = batch;
    for (let r = 0, row = 0; r < count && alive > 0; r++, row += width) {
      for (const state of states) {
        if (!state.plain) continue;
        const at = row + state.c;
        let s = starts[at]!;
        let e = ends[at]!;
        if (s >= 0) {
          while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
          while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
          if (s === e) continue;
        }
        const x = s < 0 ? Number.NaN : plainNumber(bytes, s, e);
        if (Number.isNaN(x)) {
          state.plain = false;
          alive--;
          continue;
        }
        state.nums[state.present++] = x;
        if (x < state.min) state.min = x;
        if (x > state.max) state.max = x;
        if (state.integers && !Number.isInteger(x)) state.integers = false;
        if (state.texts.length < 5) {
          const text = bytes.toString('latin1', s, e);
          if (!state.texts.includes(text)) state.texts.push(text);
        }
      }
    }
  }
  return states.map((state) => (state.plain ? { nums: state.nums.subarray(0, state.present), min: state.min, max: state.max, integers: state.integers, decimalComma: false, texts: state.texts } : null));
}

const SPACE = 32;
const TAB = 9;

/**
 * What `numericInference` gathers from a sampled column's texts, from its bytes: how many cells are present
 * (not missing) and the first five distinct trimmed texts, in the order first met. A cell of printable ASCII
 * that starts and ends with a visible character and is not a missing-value token's bytes is present and
 * its own trimmed text (as `isMissing` reads it); it is decoded only while fewer than five texts are known.
 * Any other cell is decoded and read as `numericInference` reads it.
 */
export function textSample(sample: SampleBatches, c: number, tokens: ReadonlySet<string>): { present: number; texts: string[] } {
  // A cell that is its own trimmed text is missing only if its bytes are a token's (`isMissing`: the
  // trimmed text is a token), which only a cell as short as the longest token can be.
  const longest = Math.max(0, ...[...tokens].map((t) => t.length));
  const tokenBytes = new ByteDictionary<true>(Infinity);
  for (const token of tokens) {
    const b = Buffer.from(token, 'utf8');
    tokenBytes.set(b, 0, b.length, true);
  }
  let present = 0;
  const texts: string[] = [];
  for (const { bytes, batch } of sample) {
    const { starts, ends, texts: quoted, width, count } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      const end = ends[at]!;
      if (start >= 0 && end > start && ownText(bytes, start, end) && (end - start > longest || tokenBytes.get(bytes, start, end) === undefined)) {
        present++;
        if (texts.length < 5) {
          const text = bytes.toString('latin1', start, end);
          if (!texts.includes(text)) texts.push(text);
        }
        continue;
      }
      const raw = start < 0 ? quoted[-1 - start]! : bytes.toString('utf8', start, end);
      if (isMissing(raw, tokens)) continue;
      present++;
      if (texts.length < 5) {
        const text = raw.trim();
        if (!texts.includes(text)) texts.push(text);
      }
    }
  }
  return { present, texts };
}
