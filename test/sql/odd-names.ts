/** A small leads file whose column names need quoting in every dialect, for the export-sql tests. */
import { writeTemp } from '../helpers.ts';

/** Column names a CRM export may hold: quotes, backticks, spaces, semicolons, non-ASCII letters, an attempt at injection. */
export const ODD_NAMES = ['it\'s visits', 'back`tick', 'two words', 'semi;colon', 'naïve größe', 'say "hi"', 'x"; DROP TABLE leads; --'];

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** 400 seeded leads with the given subset of ODD_NAMES as feature columns (the first is the visits count that drives conversion). */
export async function writeOddNamesCsv(dir: string, file: string, names: readonly string[] = ODD_NAMES): Promise<string> {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const keep = ODD_NAMES.map((name) => names.includes(name));
  const lines = [['lead_id', ...ODD_NAMES.filter((_, j) => keep[j]), 'converted'].map(csvField).join(',')];
  for (let i = 0; i < 400; i++) {
    const visits = Math.floor(next() * 20);
    const channel = ['web', 'email', 'event'][Math.floor(next() * 3)]!;
    const values = [String(visits), channel, (next() * 100).toFixed(1), next() < 0.1 ? '' : String(Math.floor(next() * 5)), ['ja', 'nein'][Math.floor(next() * 2)]!, (next() * 10).toFixed(2), channel === 'web' ? 'a' : 'b'];
    lines.push([`L${i}`, ...values.filter((_, j) => keep[j]), next() < 0.1 + visits / 30 ? '1' : '0'].map(csvField).join(','));
  }
  return writeTemp(dir, file, `${lines.join('\n')}\n`);
}
