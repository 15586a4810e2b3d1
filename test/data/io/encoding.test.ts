/**
 * Latin-1 / Windows-1252 exports are read through a UTF-8 copy by every CSV reader: the same values, the
 * same schema and the same scores as the file saved as UTF-8 — in the reference reader, the columnar reader
 * (a long file) and the scoring stream.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvColumnar } from '../../../src/data/io/columnar.ts';
import { loadDataset } from '../../../src/data/io/dataset.ts';
import { utf8Path } from '../../../src/data/io/read.ts';
import { scoreFile } from '../../../src/scoring/stream.ts';
import { trainModels } from '../../../src/train/train.ts';
import { tempDir } from '../../helpers.ts';

const CITIES = ['Zürich', 'Köln', 'Besançon', 'Málaga', 'Åre'];

function leads(rows: number): string {
  const lines = ['lead_id,city,visits,note,converted'];
  for (let i = 0; i < rows; i++) lines.push(`L${i},${CITIES[i % 5]},${(i * 7) % 23},${i % 3 === 0 ? 'café' : 'plain'},${(i * 7) % 23 > 15 || (i % 5 === 0 && i % 2 === 0) ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe('a Latin-1 export', () => {
  it('is read as the same file saved as UTF-8, by the reference reader and the columnar reader', async () => {
    for (const rows of [300, 2000]) {
      const utf8 = join(dir, `utf8-${rows}.csv`);
      const latin1 = join(dir, `latin1-${rows}.csv`);
      await writeFile(utf8, leads(rows));
      await writeFile(latin1, Buffer.from(leads(rows), 'latin1'));
      expect(await utf8Path(utf8)).toBe(utf8);
      expect(await utf8Path(latin1)).not.toBe(latin1);
      const a = await loadDataset({ path: utf8 });
      const b = await loadDataset({ path: latin1 });
      expect(b.schema).toEqual(a.schema);
      expect(b.table.array('city')).toEqual(a.table.array('city'));
      const c = await readCsvColumnar(latin1, ',', { sampleRows: 100 });
      const d = await readCsvColumnar(utf8, ',', { sampleRows: 100 });
      if (!('dataset' in c) || !('dataset' in d)) throw new Error('expected datasets');
      expect(c.dataset.schema).toEqual(d.dataset.schema);
      expect(Array.from(c.dataset.table.array('note') as ArrayLike<unknown>)).toEqual(Array.from(d.dataset.table.array('note') as ArrayLike<unknown>));
    }
  });

  it('is scored byte for byte as the UTF-8 file is', async () => {
    await writeFile(join(dir, 'train.csv'), leads(600));
    const run = await trainModels({ data: { path: join(dir, 'train.csv') }, target: 'converted', models: ['logistic'], out: join(dir, 'run') });
    const model = join(run.runDir, 'logistic.model.json');
    const text = leads(5000).replace(',converted', ',outcome');
    await writeFile(join(dir, 'new-utf8.csv'), text);
    await writeFile(join(dir, 'new-latin1.csv'), Buffer.from(text, 'latin1'));
    for (const name of ['utf8', 'latin1']) {
      await scoreFile({ model, input: { path: join(dir, `new-${name}.csv`) }, output: join(dir, `scores-${name}.csv`), format: 'csv', keep: ['city'] });
    }
    const utf8 = await readFile(join(dir, 'scores-utf8.csv'), 'utf8');
    expect(utf8).toContain('Besançon');
    expect(await readFile(join(dir, 'scores-latin1.csv'), 'utf8')).toBe(utf8);
  });
});
