// `rows` leads from a sample file repeated, each with a distinct first-column id (L00000001, …), CRLF line
// endings: the file users meet in the scoring benchmarks (bench/run.ts, golden.sh, before-after.sh).
// With `uniqueNumber` (a numeric column's name), that column's value in row i also gets i added, so no
// two rows share it (a file of distinct leads, where no per-value cache can help).
//
//   node bench/distinct-leads.mjs data/sample/leads.csv /tmp/leads-1m.csv 1000000
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function writeDistinctLeads(from, to, rows, { uniqueNumber } = {}) {
  const [header, ...rest] = (await readFile(from, 'utf8')).trimEnd().split(/\r?\n/);
  const column = uniqueNumber === undefined ? -1 : header.split(',').indexOf(uniqueNumber);
  if (uniqueNumber !== undefined && column < 0) throw new Error(`no column ${uniqueNumber} in ${from}`);
  const out = createWriteStream(to);
  out.write(`${header}\r\n`);
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    let line = rest[i % rest.length];
    if (column >= 0) {
      const cells = line.split(',');
      if (cells[column] !== '' && Number.isFinite(Number(cells[column]))) cells[column] = String(Number(cells[column]) + i);
      line = cells.join(',');
    }
    buffer += `L${String(i + 1).padStart(8, '0')}${line.slice(line.indexOf(','))}\r\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [from, to, rows = '1000000'] = process.argv.slice(2);
  if (!from || !to) throw new Error('usage: node bench/distinct-leads.mjs <sample leads.csv> <output.csv> [rows]');
  await writeDistinctLeads(from, to, Number(rows));
}
