import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest } from '../../src/backtest/backtest.ts';
import { reportFolder } from '../../src/report/report.ts';
import { tempDir } from '../helpers.ts';
import { smallSample } from '../train/fixture.ts';

describe('the backtest report', () => {
  it('is written beside backtest.json: the summary, five charts with titles and captions, the period table; self-contained', async () => {
    const sample = await smallSample();
    const out = join(sample.dir, 'bt');
    const result = await backtest({ data: { path: sample.leads }, target: 'converted', date: 'created_at', outcomeDate: 'converted_at', period: 'quarter', models: ['rules', 'logistic'], out });
    expect(result.files).toContain(join(out, 'report.html'));
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.replace(/xmlns(:xlink)?="[^"]+"/g, '')).not.toMatch(/https?:\/\//);
    expect(html.match(/<figure><svg /g)).toHaveLength(5);
    expect(html.match(/<figcaption>/g)).toHaveLength(5);
    for (const title of ['AUC per period', 'Lift at 10% per period', 'Precision at 10% per period', 'Conversions known and leads pending per period', 'Score drift per period']) expect(html).toContain(title);
    // The period table holds every period backtest.json holds, with its AUCs.
    for (const p of result.json.periods) expect(html).toContain(`<td>${p.start}</td>`);
    expect(html).toContain(`${result.json.summary.find((s) => s.name === 'logistic')!.auc.mean!.toFixed(4)}`);
    // `leadscore report` on the folder rewrites the same page.
    const again = await reportFolder(out);
    expect(again.kind).toBe('backtest');
    expect(await readFile(again.path, 'utf8')).toBe(html);
  }, 120_000);

  it('a folder with neither a run nor a backtest is refused, naming both', async () => {
    const dir = await tempDir();
    await expect(reportFolder(dir)).rejects.toMatchObject({ code: 'NOT_A_RUN', message: expect.stringContaining('holds no training run (metrics.json), evaluation (evaluation.json) or backtest (backtest.json)') });
  });
});
