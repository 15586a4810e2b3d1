/** What the CLI prints, read as a user copies from it: hints that paste into a shell, p-values, units. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderLeaderboard } from '../../src/cli/train.ts';
import { renderEvaluation } from '../../src/cli/evaluate.ts';
import { shownPath } from '../../src/cli/output.ts';
import { shellWord } from '../../src/shell-word.ts';
import { evaluateModel } from '../../src/evaluation/evaluate.ts';
import { type TrainResult, trainModels } from '../../src/train/train.ts';
import { smallSample } from '../train/fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let run: TrainResult;
let leads: string;

beforeAll(async () => {
  sample = await smallSample();
  // A column with a space in its name that gives the outcome away (a CRM's "Call Minutes").
  const lines = (await readFile(sample.leads, 'utf8')).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const converted = header.indexOf('converted');
  leads = join(sample.dir, 'with-space.csv');
  await writeFile(leads, [`${lines[0]},Call Minutes`, ...lines.slice(1).map((l, i) => `${l},${Number(l.split(',')[converted]) * 9 + (i % 11)}`)].join('\n') + '\n');
  run = await trainModels({ data: { path: leads }, target: 'converted', exclude: ['converted_at'], models: ['rules', 'logistic'], out: join(sample.dir, 'run') });
});

describe('CLI wording', () => {
  it('quotes a column name with a space in a hint, so it pastes into a shell', () => {
    expect(shellWord('Lead Quality')).toBe("'Lead Quality'");
    expect(shellWord("O'Brien list")).toBe("'O'\\''Brien list'");
    expect(shellWord('duration')).toBe('duration');
    expect(renderLeaderboard(run.metrics)).toContain("--exclude 'Call Minutes' to leave it out");
  });

  it('says p < 1e-16 rather than p = 0, labels the rules\' threshold in points, and names the trade-off\'s columns', () => {
    const text = renderLeaderboard({ ...run.metrics, comparisons: run.metrics.comparisons.map((c) => ({ ...c, pValue: 0 })) });
    expect(text).toContain('DeLong p < 1e-16');
    expect(text).not.toContain('p = 0)');
    expect(text).toMatch(/^rules .* \d+\.\d pts /m);
    expect(text).toMatch(/^logistic .* p 0\.\d{3} /m);
    expect(text).toMatch(/sent to sales\s+conversions found \(TP\)\s+conversions missed \(FN\)\s+contacts in vain \(FP\)/);
  });

  it('an --exclude name that is not there suggests the nearest, as a flag to paste', async () => {
    await expect(trainModels({ data: { path: leads }, target: 'converted', exclude: ['Call Minute'], models: ['rules'], out: join(sample.dir, 'typo') }))
      .rejects.toMatchObject({ message: '--exclude column "Call Minute" not found', hint: "did you mean --exclude 'Call Minutes'?" });
  });

  it('evaluate without a champion calls the model by its name, not "challenger"', async () => {
    const result = await evaluateModel({ model: join(run.runDir, 'logistic.model.json'), data: { path: leads }, rules: join(run.runDir, 'rules.yaml') });
    const text = renderEvaluation(result);
    expect(text).not.toContain('challenger');
    expect(text).toMatch(/^logistic\s+model\s/m);
    expect(text).toContain('logistic vs rules: AUC');
  });

  it('prints paths below the current folder relative to it, others absolute (never ../../x)', () => {
    expect(shownPath(join(process.cwd(), 'models', 'x'))).toBe(join('models', 'x'));
    expect(shownPath('/tmp/elsewhere/run')).toBe('/tmp/elsewhere/run');
    expect(shownPath(process.cwd())).toBe('.');
  });
});
