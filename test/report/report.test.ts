import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decisionRows } from '../../src/report/decision-table.ts';
import { readHoldout, writeReport } from '../../src/report/report.ts';
import { trainModels } from '../../src/train/train.ts';
import { tempDir } from '../helpers.ts';
import { smallSample } from '../train/fixture.ts';

let runDir: string;
beforeAll(async () => {
  const sample = await smallSample();
  runDir = (await trainModels({ data: { path: sample.leads }, target: 'converted', exclude: ['converted_at'], params: ['gbdt.trees=30'], out: join(sample.dir, 'run') })).runDir;
}, 120_000);

describe('report.html', () => {
  it('is self-contained: no address outside the file (SVG namespaces aside), no script from elsewhere', async () => {
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html.replace(/xmlns(:xlink)?="[^"]+"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="(?!data:)/);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(6);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
  });

  it('embeds the decision table as computed independently from holdout.csv (20% of leads, every model)', async () => {
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="decision-data">(.*?)<\/script>/s.exec(html)![1]!) as { models: Record<string, number[][]>; rules: number[][] };
    const holdout = (await readHoldout(runDir))!;
    for (const [name, rows] of Object.entries(data.models)) {
      const p = holdout.probability[name]!;
      const cut = Float64Array.from(p).sort().reverse()[Math.ceil(0.2 * p.length) - 1]!;
      let fp = 0;
      let fn = 0;
      p.forEach((v, i) => {
        if (v >= cut && holdout.y[i] === 0) fp++;
        if (v < cut && holdout.y[i] === 1) fn++;
      });
      expect(rows[19]!.slice(3), name).toEqual([fn, fp]);
    }
    expect(data.rules[19]).toEqual((({ threshold, sent, found, missed, inVain }) => [Number(threshold.toPrecision(6)), sent, found, missed, inVain])(decisionRows(holdout.ruleScore, holdout.y)[19]!));
  });

  it('refuses a folder without a run (exit 2), and renders a run without holdout.csv with a note', async () => {
    const dir = await tempDir();
    await expect(writeReport(join(dir, 'empty'))).rejects.toMatchObject({ code: 'NOT_A_RUN', message: expect.stringContaining('holds no training run: metrics.json is missing') });
    const old = join(dir, 'old');
    await mkdir(old);
    await writeFile(join(old, 'metrics.json'), await readFile(join(runDir, 'metrics.json'), 'utf8'));
    const { path } = await writeReport(old);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('This run has no holdout.csv');
    expect(html).toContain('id="summary"');
    await rm(path);
  });
});
