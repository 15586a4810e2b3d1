/**
 * Column names a CRM export may hold — quotes, backticks, spaces, semicolons, non-ASCII letters, an attempt
 * at injection — are quoted per dialect: the exported SELECT runs in DuckDB (the duckdb and postgres forms)
 * and gives leadscore's own probabilities, and the injection attempt stays a column name (the table is still
 * there after the query). The other dialects' quoting is checked on the text here, and run in
 * engines.test.ts (PostgreSQL, and BigQuery, Snowflake and Spark through sqlglot).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetWithReading } from '../../src/data/io/dataset.ts';
import { queryColumns, sqlString } from '../../src/data/io/duckdb.ts';
import { loadModel } from '../../src/models/artifact.ts';
import { exportSql } from '../../src/scoring/sql/export-sql.ts';
import { trainModels } from '../../src/train/train.ts';
import { tempDir } from '../helpers.ts';
import { writeOddNamesCsv } from './odd-names.ts';

let dir: string;
let csv: string;
let run: string;
beforeAll(async () => {
  dir = await tempDir();
  csv = await writeOddNamesCsv(dir, 'odd-names.csv');
  run = (await trainModels({ data: { path: csv }, target: 'converted', models: ['logistic', 'gbdt'], out: join(dir, 'run') })).runDir;
}, 120_000);

describe('export-sql with awkward column names', () => {
  it.each([['logistic', 'duckdb'], ['logistic', 'postgres'], ['gbdt', 'duckdb'], ['gbdt', 'postgres']] as const)('%s, %s: runs in DuckDB with leadscore\'s probabilities, and the injection stays a name', async (kind, dialect) => {
    const loaded = await loadModel(join(run, `${kind}.model.json`));
    const features = JSON.stringify(loaded.artifact.features);
    expect(features).toContain('naïve größe');
    const data = await loadDatasetWithReading({ path: csv }, loaded.artifact.reading, new Map(loaded.artifact.reading.columns.map((c) => [c.name, c.type])));
    const p = loaded.predict(data);
    const table = `leads_${kind}_${dialect}`;
    const sql = exportSql(loaded.artifact, dialect, table);
    const script = `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_csv(${sqlString(csv)}, header = true); ${sql.trim().replace(/;\s*$/, '')}`;
    const { names, columns } = await queryColumns(script);
    expect((await queryColumns(`SELECT count(*) AS n FROM ${table}`)).columns[0]![0]).toBe(400);
    const q = columns[names.indexOf('probability')] as number[];
    expect(q).toHaveLength(p.length);
    for (let i = 0; i < p.length; i++) expect(Math.abs(q[i]! - p[i]!)).toBeLessThan(1e-9);
  });

  it('quotes names per dialect in the other forms (BigQuery escapes a backtick with a backslash, Spark doubles it, Snowflake doubles a quote)', async () => {
    const { artifact } = await loadModel(join(run, 'logistic.model.json'));
    expect(exportSql(artifact, 'bigquery', 'leads')).toContain('`back\\`tick`');
    expect(exportSql(artifact, 'bigquery', 'leads')).toContain("`it's visits`");
    expect(exportSql(artifact, 'spark', 'leads')).toContain('`back``tick`');
    expect(exportSql(artifact, 'snowflake', 'leads')).toContain('"say ""hi"""');
    expect(exportSql(artifact, 'bigquery', 'leads')).not.toMatch(/[^`\\]`back`tick/);
    expect(exportSql(artifact, 'spark', 'leads')).not.toMatch(/[^`]`back`tick/);
  });
});
