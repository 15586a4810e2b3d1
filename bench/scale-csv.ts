/**
 * The scale set as a user's file: `rows` leads × 36 columns (a distinct `lead_id`, 30 numbers, 5 categories
 * as words, the target `converted` as 0/1), the recipe of the in-memory scale case and of peers.py --scale
 * (10 linear terms, a sine, an interaction, category effects), seeded, CRLF line endings, numbers with six
 * decimals, 1% of the cells of x5 empty (missing). Written in pieces, so ten million rows need no more
 * memory than one.
 *
 * Usage: node --import tsx bench/scale-csv.ts <out.csv> [rows] [seed]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRng } from '../src/random.ts';

export const SCALE_CARDS = [10, 30, 100, 200, 250];

/**
 * Writes the scale CSV.
 *
 * @example
 * await writeScaleCsv('/tmp/scale-1m.csv', 1_000_000);
 */
export async function writeScaleCsv(path: string, rows: number, seed = 7): Promise<void> {
  const rng = createRng(seed);
  const weights = Array.from({ length: 10 }, () => rng.normal());
  const effects = SCALE_CARDS.map((k) => Array.from({ length: k }, () => rng.normal()));
  const out = createWriteStream(path);
  const header = ['lead_id', ...Array.from({ length: 30 }, (_, j) => `x${j}`), ...SCALE_CARDS.map((_, c) => `c${c}`), 'converted'];
  let buffer = `${header.join(',')}\r\n`;
  const x = new Float64Array(30);
  const codes = new Int32Array(SCALE_CARDS.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < 30; j++) x[j] = rng.normal();
    SCALE_CARDS.forEach((k, c) => (codes[c] = rng.int(k)));
    let z = -2;
    for (let j = 0; j < 10; j++) z += 0.5 * weights[j]! * x[j]!;
    z += Math.sin(x[10]!) + 0.5 * x[11]! * x[12]!;
    SCALE_CARDS.forEach((_, c) => (z += 0.5 * effects[c]![codes[c]!]!));
    const y = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    let line = `L${String(i + 1).padStart(9, '0')}`;
    for (let j = 0; j < 30; j++) line += j === 5 && rng.next() < 0.01 ? ',' : `,${x[j]!.toFixed(6)}`;
    for (let c = 0; c < SCALE_CARDS.length; c++) line += `,level_${c}_${codes[c]}`;
    buffer += `${line},${y}\r\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, rows, seed] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/scale-csv.ts <out.csv> [rows] [seed]\n');
    process.exit(2);
  }
  await writeScaleCsv(path, Number(rows ?? 1_000_000), Number(seed ?? 7));
}
