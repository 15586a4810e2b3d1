import { spawnSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { resolve } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryColumns, sqlString } from '../../../src/data/io/duckdb.ts';
import { readTable } from '../../../src/data/io/read.ts';
import { DataError } from '../../../src/errors.ts';
import { tempDir, writeTemp } from '../../helpers.ts';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'leadscore.js');
const CSV = 'lead_id,channel,note,score\r\nL1,webinar,"likes ""pricing"", asks\nfor demo",1.5\r\nL2,referral,,2\r\n';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe('readTable', () => {
  it('reads CSV with CRLF, quotes and embedded line breaks', async () => {
    const path = await writeTemp(dir, 'a.csv', CSV);
    const t = await readTable({ path });
    expect(t.format).toBe('csv');
    expect(t.delimiter).toBe(',');
    expect(t.names).toEqual(['lead_id', 'channel', 'note', 'score']);
    expect(t.columns[2]).toEqual(['likes "pricing", asks\nfor demo', '']);
    expect(t.rows).toBe(2);
  });

  it('reads TSV, semicolon and pipe files by detecting the delimiter', async () => {
    for (const [name, d] of [['t.tsv', '\t'], ['s.csv', ';'], ['p.txt', '|']] as const) {
      const path = await writeTemp(dir, name, `a${d}b${d}c\n1${d}x y${d}3\n`);
      const t = await readTable({ path });
      expect(t.delimiter).toBe(d);
      expect(t.columns[1]).toEqual(['x y']);
    }
  });

  it('honours an explicit delimiter', async () => {
    const path = await writeTemp(dir, 'forced.csv', 'a;b,c\n1;2,3\n');
    expect((await readTable({ path }, { delimiter: ',' })).names).toEqual(['a;b', 'c']);
  });

  it('reads CSV through DuckDB above the size threshold, with the same values as the JS parser', async () => {
    const path = await writeTemp(dir, 'big.csv', CSV);
    const js = await readTable({ path });
    const viaDuckDb = await readTable({ path }, { bigFileBytes: 0 });
    expect(viaDuckDb.names).toEqual(js.names);
    // DuckDB reads an empty field as NULL; both are missing values.
    expect(viaDuckDb.columns.map((c) => c.map((v) => v ?? ''))).toEqual(js.columns);
  });

  it('reads gzip-compressed CSV through DuckDB', async () => {
    const path = await writeTemp(dir, 'z.csv.gz', gzipSync(Buffer.from('a;b\n1;x\n2;y\n')));
    const t = await readTable({ path });
    expect(t.delimiter).toBe(';');
    expect(t.columns[1]).toEqual(['x', 'y']);
  });

  it('reads Parquet with typed values', async () => {
    const path = `${dir}/leads.parquet`;
    await queryColumns(`copy (select 'L' || i::varchar as lead_id, i::bigint as n, i % 2 = 0 as even, date '2025-01-01' + i::int as d
      from range(3) t(i)) to ${sqlString(path)} (format parquet)`);
    const t = await readTable({ path });
    expect(t.format).toBe('parquet');
    expect(t.names).toEqual(['lead_id', 'n', 'even', 'd']);
    expect(t.columns[1]).toEqual([0, 1, 2]);
    expect(t.columns[2]).toEqual([true, false, true]);
    expect((t.columns[3]![1] as Date).toISOString()).toBe('2025-01-02T00:00:00.000Z');
  });

  it('reads NDJSON, filling keys a record lacks with null', async () => {
    const path = await writeTemp(dir, 'r.ndjson', '{"a":1,"b":"x"}\n\n{"a":2,"c":true}\n');
    const t = await readTable({ path });
    expect(t.format).toBe('ndjson');
    expect(t.names).toEqual(['a', 'b', 'c']);
    expect(t.columns).toEqual([[1, 2], ['x', null], [null, true]]);
  });

  it('reads a JSON array of records', async () => {
    const path = await writeTemp(dir, 'r.json', '[{"a":1,"nested":{"k":2}},{"a":null}]');
    const t = await readTable({ path });
    expect(t.format).toBe('json');
    expect(t.columns).toEqual([[1, null], ['{"k":2}', null]]);
  });

  it('runs a SQL query in DuckDB', async () => {
    const path = await writeTemp(dir, 'q.csv', 'channel,n\nwebinar,3\nreferral,5\nwebinar,4\n');
    const t = await readTable({ sql: `select channel, sum(n) as total from read_csv(${sqlString(path)}) group by channel order by channel` });
    expect(t.format).toBe('sql');
    expect(t.columns).toEqual([['referral', 'webinar'], [5, 7]]);
  });

  it.each([
    ['a missing file', () => readTable({ path: `${dir}/nope.csv` }), 'no such file'],
    ['a folder', () => readTable({ path: dir }), 'is a folder'],
    ['a path through a file', async () => readTable({ path: `${await writeTemp(dir, 'plain.csv', 'a\n1\n')}/x.csv` }), 'a part of the path before the file name is a file'],
    ['invalid JSON', async () => readTable({ path: await writeTemp(dir, 'bad.json', '[{"a":1},') }), 'is not valid JSON'],
    ['invalid NDJSON', async () => readTable({ path: await writeTemp(dir, 'bad.ndjson', '{"a":1}\n{a:2}\n') }), 'line 2 of'],
    ['a JSON object', async () => readTable({ path: await writeTemp(dir, 'obj.json', '{"a":1}') }), 'not an array'],
    ['bad SQL', () => readTable({ sql: 'select * from no_such_table' }), 'DuckDB could not run'],
  ])('rejects %s with a DataError and a hint', async (_what, run, message) => {
    const err = await run().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toContain(message);
    expect((err as DataError).hint.length).toBeGreaterThan(10);
  });

  it('says "permission denied", not "no such file", for a file this user cannot read', async () => {
    const path = await writeTemp(dir, 'secret.csv', 'a,b\n1,2\n');
    await chmod(path, 0o000);
    // Root reads anything: there (CI runs as root) the CLI runs as root without the capabilities that
    // override file permissions; another user is refused by the permissions themselves.
    if (process.getuid?.() === 0) {
      const r = spawnSync('setpriv', ['--bounding-set=-dac_override,-dac_read_search', '--', process.execPath, BIN, 'inspect', path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error: cannot read ${path}: permission denied`);
      expect(r.stderr).toMatch(/^hint: give your user read access/m);
    } else {
      await expect(readTable({ path })).rejects.toThrow(`cannot read ${path}: permission denied`);
    }
  });
});

/** A ZIP archive of stored (uncompressed) entries, as a workbook or an archive is laid out. */
function zipOf(entries: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const file = Buffer.from(name);
    // The local and central headers both hold the CRC, the sizes and the name's length (at their own offsets).
    const header = (size: number, signature: number, at: number) => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      b.writeUInt32LE(crc32(data), at);
      b.writeUInt32LE(data.length, at + 4);
      b.writeUInt32LE(data.length, at + 8);
      b.writeUInt16LE(file.length, at + 12);
      return b;
    };
    const local = header(30, 0x04034b50, 14);
    local.writeUInt16LE(20, 4);
    const central = header(46, 0x02014b50, 16);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, file, data);
    centrals.push(central, file);
    offset += 30 + file.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

describe('spreadsheets and archives where a CSV is read', () => {
  const workbook = zipOf({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    'xl/workbook.xml': '<workbook><sheets><sheet name="Leads" sheetId="1"/></sheets></workbook>',
    'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row><c t="inlineStr"><is><t>lead_id</t></is></c></row></sheetData></worksheet>',
  });

  it.each([
    ['an .xlsx', 'leads.xlsx', workbook, 'is an Excel workbook (.xlsx), not a CSV file'],
    ['an .xlsx renamed .csv', 'leads.csv', workbook, 'is an Excel workbook (.xlsx), not a CSV file'],
    ['an .xls renamed .csv', 'old.csv', Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...Buffer.from(';;;\n1;2;3;4\n'.repeat(40))]), 'is an Excel 97–2003 workbook (.xls), not a CSV file'],
    ['a ZIP of CSVs', 'export.csv', zipOf({ 'leads.csv': 'a,b\n1,2\n' }), 'is a ZIP archive, not a CSV file'],
  ])('%s is named for what it is, never a CSV parse error (readTable and inspect)', async (_what, name, bytes, message) => {
    const path = await writeTemp(dir, name, bytes);
    const err = await readTable({ path }).then(() => null, (e: unknown) => e as DataError);
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toBe(`${path} ${message}`);
    const r = spawnSync(process.execPath, [BIN, 'inspect', path], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/fields but the header/);
    expect(r.stderr).toMatch(/^hint: (open it in Excel or LibreOffice|unzip it)/m);
  });
});
