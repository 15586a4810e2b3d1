import { type Command, InvalidArgumentError } from 'commander';
import type { ScoreOptions } from '../scoring/score.ts';
import { DEFAULT_CHUNK_ROWS, TREE_REASONS_CHUNK_ROWS } from '../scoring/chunk-rows.ts';
import { createThroughputProgress } from './progress.ts';
import { createOutput, percent, warnEditedModels } from './output.ts';
import { parseCount, given, parseList, parsePositiveInteger, sourceOf } from './options.ts';
import { thousands } from '../thousands.ts';

interface ScoreFlags {
  model: string;
  trust?: boolean;
  input?: string;
  sql?: string;
  output: string;
  format?: string;
  rules?: string;
  activities?: string;
  asOf?: string;
  reasons: number;
  keep?: string;
  account?: string;
  accountAgg: 'any' | 'max' | 'mean';
  previous?: string;
  trendBand: number;
  id?: string;
  na?: string;
  onError: 'fail' | 'skip';
  chunkRows?: number;
  threads?: number;
  force?: boolean;
  capacity?: { count: number } | { share: number };
  json?: boolean;
}

/** `--capacity 50` (leads) or `--capacity 10%` (of the file's leads). */
function parseCapacity(value: string): { count: number } | { share: number } {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (share) {
    const x = Number(share[1]) / 100;
    if (!(x > 0 && x <= 1)) throw new InvalidArgumentError('expected a share above 0% and at most 100%');
    return { share: x };
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a number of leads (at least 1) or a share such as 10%');
  return { count: n };
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score new leads with a saved model: probability, score, tier, grade, action, reasons, rule score')
    .requiredOption('--model <artifact>', 'a <model>.model.json written by `leadscore train`')
    .option('--input <file>', 'the leads to score (CSV, Parquet, NDJSON)')
    .option('--sql <query>', 'read the leads from a DuckDB query instead of --input')
    .requiredOption('--output <file>', 'where to write the scores (never the input)')
    .option('--format <format>', 'csv, ndjson or parquet (default from the extension)')
    .option('--rules <file>', 'rule file for grade, action and rule score (default: the rules.yaml beside the model)')
    .option('--activities <file>', 'activity log, when the model uses activity features')
    .option('--as-of <when>', 'scoring time for activity features (default: the one the model was trained with)')
    .option('--reasons <n>', 'reasons per lead (0 for none)', parseCount, 3)
    .option('--keep <columns>', 'input columns to copy after the scores, comma-separated')
    .option('--account <column>', 'add account_probability, account_score and the account\'s top leads')
    .option('--account-agg <rule>', 'any (1 − ∏(1 − p): at least one converts), max or mean', (v: string) => {
      if (v !== 'any' && v !== 'max' && v !== 'mean') throw new InvalidArgumentError('use any, max or mean');
      return v;
    }, 'any')
    .option('--previous <file>', 'an earlier export: adds previous_score and trend (rising, steady, falling)')
    .option('--trend-band <points>', 'score change that counts as rising or falling', (v: string) => {
      const x = Number(v);
      if (!(x > 0)) throw new InvalidArgumentError('expected a positive number of points');
      return x;
    }, 5)
    .option('--id <column>', 'lead id column')
    .option('--na <tokens>', 'missing-value tokens: the model reads the file with its training tokens; given again, they must be the same')
    .option('--on-error <mode>', 'rows whose model columns hold values of the wrong type: fail (exit 2 naming the rows) or skip (score the rest; bad rows go to <output>.rejects.csv)', (v: string) => {
      if (v !== 'fail' && v !== 'skip') throw new InvalidArgumentError('use fail or skip');
      return v;
    }, 'fail')
    .option('--chunk-rows <n>', `rows per chunk when streaming a CSV (default: ${DEFAULT_CHUNK_ROWS}, or ${TREE_REASONS_CHUNK_ROWS} for a tree model's reasons)`, parsePositiveInteger)
    .option('--threads <n>', 'threads: 1, or 2 (the default on two cores: a worker scores chunks of a large CSV beside the main thread once the file is long enough to pay, and one shares a tree model\'s reasons; 1 starts no worker; same output)', parsePositiveInteger)
    .option('--capacity <n>', 'a team\'s capacity: the N (or N%) most likely leads of this file get action sales, the rest the routing sent become nurture (scores the file in memory)', parseCapacity)
    .option('--force', 'replace --output (and its rejects file) if it exists')
    .option('--trust', 'use a model edited after training (its content hash no longer matches), with a warning')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ScoreFlags) => {
      const out = createOutput(Boolean(flags.json));
      const input = sourceOf(flags.input, flags.sql, 'an --input file');
      const [{ assertMayReplace, assertNotInput, outputFormat }, { scoreFile }] = await Promise.all([import('../data/io/write.ts'), import('../scoring/stream.ts')]);
      assertNotInput(flags.output, [...(flags.input ? [flags.input] : []), flags.model, ...(flags.activities ? [flags.activities] : []), ...(flags.rules ? [flags.rules] : []), ...(flags.previous ? [flags.previous] : [])]);
      await assertMayReplace(flags.output, flags.force, '--output');
      const format = outputFormat(flags.output, flags.format);
      await warnEditedModels(flags.trust, flags.model);
      const options: ScoreOptions = {
        model: flags.model, trust: flags.trust === true, input, reasons: flags.reasons, onError: flags.onError, reasonCodes: format !== 'csv',
        ...given({
          rules: flags.rules, activities: flags.activities ? { path: flags.activities } : undefined, asOf: flags.asOf, keep: flags.keep ? parseList(flags.keep) : undefined,
          id: flags.id, na: flags.na,
        }),
        ...(flags.account ? { account: flags.account, accountAgg: flags.accountAgg } : {}),
        ...(flags.previous ? { previous: { path: flags.previous }, trendBand: flags.trendBand } : {}),
        ...(flags.capacity ? { capacity: flags.capacity } : {}),
      };
      const t0 = performance.now();
      // A CSV read chunk by chunk shows a progress bar (rows, rows/s, ETA) on a terminal.
      const progress = flags.input ? createThroughputProgress('score', flags.input) : undefined;
      const result = await scoreFile({ ...options, output: flags.output, format, ...(flags.chunkRows ? { chunkRows: flags.chunkRows } : {}), ...(flags.threads ? { threads: flags.threads } : {}),
        ...(progress ? { onProgress: (rows: number, bytes: number, total: number) => progress.update(rows, bytes, total), onConvert: () => progress.then('writing Parquet (DuckDB)…') } : {}) });
      progress?.stop();
      const seconds = (performance.now() - t0) / 1000;
      const s = result.summary;
      out.json({ output: flags.output, ...(result.rejectsPath ? { rejects: result.rejectsPath } : {}), ...s });
      out.say(`scored ${thousands(s.rows)} leads with ${s.model}${s.rules ? ` beside ${s.rules}` : ''} in ${seconds.toFixed(1)} s; wrote ${flags.output}`);
      if (s.rejected) out.say(`rejected ${thousands(s.rejected)} rows with values of the wrong type → ${result.rejectsPath}`);
      if (s.rows === 0) out.say(s.rejected ? 'no leads were scored: every row was rejected' : 'no leads were scored: the input has no rows (the output holds the header alone)');
      else out.say(`tiers: ${(['hot', 'warm', 'cold'] as const).map((t) => `${t} ${s.tiers[t]} (${percent(s.tiers[t] / s.rows)})`).join(', ')}; actions: ${Object.entries(s.actions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      if (s.accountRule) out.say(`account_probability: ${s.accountRule}`);
      if (s.capacity) out.say(`capacity: ${s.capacity.sales} most likely leads marked sales (the routing alone sent ${s.capacity.routedToSales})`);
      if (s.previousMatched !== undefined) out.say(`trend: ${s.previousMatched} of ${s.rows} leads had an earlier score (band ±${flags.trendBand} points)`);
      const unseen = Object.entries(s.unseen);
      if (unseen.length) out.say(`categories never seen in training (scored as the pooled level): ${unseen.map(([c, k]) => `${c} ${k} (${percent(k / s.rows)})`).join(', ')}`);
      for (const w of s.warnings) out.say(`warning: ${w}`);
      for (const note of s.notes ?? []) out.say(`note: ${note}`);
    });
}
