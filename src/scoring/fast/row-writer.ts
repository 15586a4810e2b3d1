/**
 * The byte path's CSV rows without reasons, notes, reason codes or kept columns, written in WebAssembly
 * (src/wasm/row-writer.wat) on the cell tables' memory, where the chunk and its id spans already are: the id's
 * bytes, the probability and score digits and each row's tail (decisions.ts `csvTail`). Its reference is
 * writer.ts (`writeId` then `ByteSink.scoreRow`), which writes every row it leaves: an id that is not copied
 * as it is, a probability whose text `toFixed` decides, a row the JavaScript scan read, a pair of decision
 * segments it has no tail for yet (the row that meets one teaches it that tail). `decide` numbers those
 * segments per row as `DecisionSegments.decide` does. A fresh `score` of a million distinct leads took 47 ms
 * less with the rows written here and 30 ms less again with them numbered here (BENCHMARKS.md, session 23);
 * the tests compare the writer with its reference on random ids and probabilities, byte for byte, and the
 * byte path with the table path on random cells.
 */
import { wasmModule } from '../../wasm/modules.ts';
import type { ByteSink } from './writer.ts';
import { type CellTables, WRITER_OUT_BYTES, WRITER_TABLE_BYTES } from './cell-tables.ts';
import type { Plan } from './plan.ts';
import type { ChunkResult } from '../chunk.ts';
import { tierBounds } from '../decisions.ts';
import { type DecisionSegments, KEYS, RULE_SCORES } from './decisions.ts';

interface Exports {
  decide(row: number, n: number, probs: number, fit: number, score: number, dq: number, first: number, second: number, keys: number, seconds: number, counts: number, order: number,
    threshold: number, baseRate: number, rules: number, a: number, b: number, c: number): number;
  write(row: number, n: number, probs: number, first: number, second: number, tokens: number, pairs: number, stride: number, tails: number, out: number, outEnd: number): number;
}

/** Why `write` stopped (row-writer.wat). */
const DONE = 0;
const STOP_FULL = 2;

// The writer's tables in their region (row-writer.wat): the tokens (by length), the pairs of segments, the tails.
const MAX_TOKENS = 64;
const TOKEN_BYTES = 32;
const MAX_TOKEN_LENGTH = 16;
const TOKENS = 0;
const TOKEN_ENTRIES = 256;
/** Segment numbers below this have a place in the pairs' table; rows of others are left to the JavaScript. */
const STRIDE = 64;
const PAIRS = TOKEN_ENTRIES + MAX_TOKENS * TOKEN_BYTES;
const MAX_TAILS = 512;
// The decisions' tables (row-writer.wat `decide`): each key's and rule score's segment + 1; a chunk's counts and order.
const KEY_SEGMENTS = PAIRS + STRIDE * STRIDE * 4;
const RULE_SEGMENTS = KEY_SEGMENTS + KEYS * 4;
const COUNTS = RULE_SEGMENTS + RULE_SCORES * 4;
const ORDER = COUNTS + KEYS * 4;
const TAILS = ORDER + (KEYS + 1) * 4;
const TAIL_BYTES = TAILS + MAX_TAILS * 8;
/** Room left after the last tail's bytes (the module copies sixteen bytes at a time). */
const SLACK = 16;

export class RowWriter {
  private instance: { memory: WebAssembly.Memory; exports: Exports } | null = null;
  private tails = 0;
  private tailBytes = 0;
  /** Rows written here and by the reference, chunks numbered here (the tests check which). */
  written = 0;
  leftToReference = 0;
  decided = 0;

  /** `byLength[n]`: the missing-value tokens n bytes long (at most sixteen). */
  private constructor(private readonly plan: Plan, private readonly tables: CellTables, private readonly module: WebAssembly.Module, private readonly segments: DecisionSegments) {
    const byLength = plan.tokensOfLength;
    const region = new Uint8Array(tables.memory.buffer, tables.writer.tables, WRITER_TABLE_BYTES);
    const index = new Int32Array(region.buffer, region.byteOffset + TOKENS, 2 * (MAX_TOKEN_LENGTH + 1));
    let k = 0;
    byLength.forEach((tokens, length) => {
      index[2 * length] = k;
      index[2 * length + 1] = tokens.length;
      for (const token of tokens) {
        new Int32Array(region.buffer, region.byteOffset + TOKEN_ENTRIES + k * TOKEN_BYTES, 1)[0] = token.length;
        region.set(token, TOKEN_ENTRIES + k * TOKEN_BYTES + 16);
        k++;
      }
    });
  }

  /**
   * The writer for a plan's rows, or null where it does not take them: not CSV, rows with reasons, notes of
   * dates out of range, reason codes or kept columns, no id column (the row number is written instead), an id
   * typed as a number, date or yes/no (written as its typed value), more than 64 missing-value tokens or one
   * longer than sixteen bytes, or no WebAssembly. `segments`: the decision segments the rows' tails are made of.
   */
  static for(plan: Plan, tables: CellTables, segments: DecisionSegments): RowWriter | null {
    if (plan.format !== 'csv' || plan.reasons !== 0 || plan.rangeColumns.length > 0 || plan.reasonCodes || plan.keepColumns.length > 0) return null;
    if (plan.idAt < 0 || plan.idTyped) return null;
    if (plan.tokensOfLength.flat().length > MAX_TOKENS || plan.tokensOfLength.length > MAX_TOKEN_LENGTH + 1) return null;
    const module = wasmModule('row-writer');
    return module ? new RowWriter(plan, tables, module, segments) : null;
  }

  /**
   * The rows' two decision segments, as `DecisionSegments.decide` gives them (with the chunk's tier and action
   * counts added to `result`), numbered in WebAssembly: views of the tables' memory, valid until the tables
   * grow. Null — `DecisionSegments.decide` then numbers them — with rules whose scores are not each cell's
   * points (the engine scores those per chunk), or for a chunk of more rows than its regions hold.
   */
  decide(probability: Float64Array, result: ChunkResult): { first: Int32Array; second: Int32Array } | null {
    const n = probability.length;
    const { plan, segments } = this;
    const rules = plan.scorer.rules;
    if ((rules && !plan.ruleCells) || n > this.tables.rowCapacity) return null;
    const ruleRows = plan.ruleCells?.rows(n) ?? null;
    const { memory, exports } = this.bind();
    const at = this.tables.writer;
    const base = at.tables;
    new Float64Array(memory.buffer, at.probs, n).set(probability);
    if (ruleRows) {
      new Float64Array(memory.buffer, at.fit, n).set(ruleRows.fit);
      new Float64Array(memory.buffer, at.score, n).set(ruleRows.score);
      new Uint8Array(memory.buffer, at.dq, n).set(ruleRows.disqualified);
    }
    const counts = new Int32Array(memory.buffer, base + COUNTS, KEYS).fill(0);
    const order = new Int32Array(memory.buffer, base + ORDER, KEYS + 1);
    order[0] = 0;
    const keySegments = new Int32Array(memory.buffer, base + KEY_SEGMENTS, KEYS);
    const ruleSegments = new Int32Array(memory.buffer, base + RULE_SEGMENTS, RULE_SCORES);
    const header = new Int32Array(memory.buffer, 0, 8);
    const { threshold, baseRate } = tierBounds(plan.scorer);
    const grades = rules?.grades ?? { A: 0, B: 0, C: 0 };
    for (let row = 0; ;) {
      row = exports.decide(row, n, at.probs, at.fit, at.score, at.dq, at.first, at.second, base + KEY_SEGMENTS, base + RULE_SEGMENTS, base + COUNTS, base + ORDER,
        threshold, baseRate, ruleRows ? 1 : 0, grades.A, grades.B, grades.C);
      if (row >= n) break;
      // A key or rule score met for the first time: its segments made here, then that row again.
      keySegments[header[5]!] = segments.keySegment(header[5]!) + 1;
      ruleSegments[header[6]!] = segments.ruleSegment(header[6]!) + 1;
    }
    segments.countKeys(result, order.subarray(1, 1 + order[0]!), counts);
    this.decided++;
    return { first: new Int32Array(memory.buffer, at.first, n), second: new Int32Array(memory.buffer, at.second, n) };
  }

  /**
   * Rows 0 … n − 1 of the chunk: written here up to `scanned` (the rows the cell scan read in WebAssembly,
   * whose id spans are in its memory), each row this leaves and every later one by `reference(i)`.
   */
  write(sink: ByteSink, n: number, scanned: number, probability: Float64Array, first: Int32Array, second: Int32Array, reference: (i: number) => void): void {
    const rows = Math.min(n, scanned);
    const { memory, exports } = this.bind();
    const at = this.tables.writer;
    new Float64Array(memory.buffer, at.probs, rows).set(probability.subarray(0, rows));
    // The segments' numbers, unless `decide` left them there.
    if (first.buffer !== memory.buffer || first.byteOffset !== at.first) new Int32Array(memory.buffer, at.first, rows).set(first.subarray(0, rows));
    if (second.buffer !== memory.buffer || second.byteOffset !== at.second) new Int32Array(memory.buffer, at.second, rows).set(second.subarray(0, rows));
    const header = new Int32Array(memory.buffer, 0, 8);
    const bytes = new Uint8Array(memory.buffer);
    let row = 0;
    while (row < rows) {
      const next = exports.write(row, rows, at.probs, at.first, at.second, at.tables + TOKENS, at.tables + PAIRS, STRIDE, at.tables + TAILS, at.out, at.out + WRITER_OUT_BYTES);
      sink.range(bytes, at.out, header[5]!);
      this.written += next - row;
      const why = header[6]!;
      if (why === DONE) {
        row = next;
        break;
      }
      if (why === STOP_FULL && next > row) {
        row = next;
        continue;
      }
      // A row left to the reference (or one longer than the output): written there; its pair's tail is learnt.
      reference(next);
      this.leftToReference++;
      this.learn(first[next]!, second[next]!);
      row = next + 1;
    }
    for (; row < n; row++) {
      reference(row);
      this.leftToReference++;
    }
  }

  /** This module's instance on the tables' memory (a new one after they grow). */
  private bind(): { memory: WebAssembly.Memory; exports: Exports } {
    if (this.instance?.memory !== this.tables.memory) {
      const memory = this.tables.memory;
      this.instance = { memory, exports: new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as Exports };
    }
    return this.instance;
  }

  /** The tail of a pair of segments, put in the tables where it has room (else its rows stay the reference's). */
  private learn(first: number, second: number): void {
    if (first >= STRIDE || second >= STRIDE || this.tails >= MAX_TAILS) return;
    const { memory } = this.bind();
    const base = this.tables.writer.tables;
    const pairs = new Int32Array(memory.buffer, base + PAIRS, STRIDE * STRIDE);
    if (pairs[first * STRIDE + second] !== 0) return;
    const tail = this.segments.csvTail(first, second);
    if (TAIL_BYTES + this.tailBytes + tail.length + SLACK > WRITER_TABLE_BYTES) return;
    new Uint8Array(memory.buffer).set(tail, base + TAIL_BYTES + this.tailBytes);
    const entry = new Int32Array(memory.buffer, base + TAILS + this.tails * 8, 2);
    entry[0] = TAIL_BYTES - TAILS + this.tailBytes; // from the tails' table, as the module reads it
    entry[1] = tail.length;
    this.tailBytes += tail.length;
    pairs[first * STRIDE + second] = ++this.tails;
  }
}
