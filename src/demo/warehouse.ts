/**
 * The demo's warehouse step: the sample's leads as a warehouse table holds them (a Parquet file with
 * DuckDB's types: booleans, timestamps, integers), a logistic model trained from it on the leads' own
 * columns (a SQL export cannot compute the activity-log aggregates the demo's main models use), its scoring
 * SELECT written in every dialect, and the DuckDB form run over that table to show it gives leadscore's own
 * probabilities.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../data/io/dataset.ts';
import { queryColumns, sqlString } from '../data/io/duckdb.ts';
import { writeFileAtomic } from '../data/io/write.ts';
import { SAMPLE } from '../data/sample/sample-paths.ts';
import { loadModel, modelLabel } from '../models/artifact.ts';
import { DIALECTS } from '../scoring/sql/dialects.ts';
import { exportSql } from '../scoring/sql/export-sql.ts';
import { trainModels } from '../train/train.ts';

export interface WarehouseSummary {
  model: string;
  /** The table the model was trained from and the SQL scored, in the warehouse folder: the sample's leads as Parquet. */
  table: string;
  dialects: string[];
  /** Leads scored by the DuckDB form, and the largest |p_sql − p_leadscore| among them. */
  rows: number;
  maxAbsDiff: number;
}

/**
 * Writes the sample's leads as `<outDir>/warehouse/leads.parquet`, trains the lead-columns model from it into
 * `<outDir>/warehouse/run`, writes `score.<dialect>.sql` beside it and checks the DuckDB form, run over the
 * Parquet table, against leadscore's probabilities for `leads` (the sample as the demo loaded it from CSV).
 */
export async function warehouseStep(outDir: string, seed: number, leads: Dataset): Promise<{ summary: WarehouseSummary; folder: string }> {
  const folder = join(outDir, 'warehouse');
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const tableFile = 'leads.parquet';
  const table = join(folder, tableFile);
  await queryColumns(`COPY (SELECT * FROM read_csv(${sqlString(SAMPLE.leads)}, header = true)) TO ${sqlString(table)} (FORMAT parquet)`, table);
  const run = await trainModels({ data: { path: table }, target: SAMPLE.target, date: SAMPLE.date, seed, out: join(folder, 'run'), models: ['logistic'] });
  const loaded = await loadModel(join(run.runDir, 'logistic.model.json'));
  for (const dialect of DIALECTS) await writeFileAtomic(join(folder, `score.${dialect}.sql`), exportSql(loaded.artifact, dialect, 'leads'));
  const ours = loaded.predict(leads);
  const ids = leads.table.array(SAMPLE.id) as ArrayLike<string>;
  const byId = new Map(Array.from(ids, (id, i) => [String(id), ours[i]!]));
  const sql = exportSql(loaded.artifact, 'duckdb', `SELECT * FROM read_parquet(${sqlString(table)})`);
  const { names, columns } = await queryColumns(`SELECT CAST(${SAMPLE.id} AS VARCHAR) AS id, probability FROM (${sql}) AS scored`, 'the exported SQL');
  const sqlIds = columns[names.indexOf('id')] as string[];
  const sqlP = columns[names.indexOf('probability')] as number[];
  let maxAbsDiff = 0;
  for (let i = 0; i < sqlIds.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(sqlP[i]! - byId.get(sqlIds[i]!)!));
  return { summary: { model: modelLabel(loaded.artifact), table: tableFile, dialects: [...DIALECTS], rows: sqlIds.length, maxAbsDiff }, folder };
}
