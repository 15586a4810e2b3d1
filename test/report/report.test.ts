import fc from 'fast-check';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decisionRows } from '../../src/report/decision-table.ts';
import { pickExamples, readExamples } from '../../src/report/examples.ts';
import { readHoldout, reportFolder, writeReport } from '../../src/report/report.ts';
import { evaluateModel } from '../../src/evaluation/evaluate.ts';
import { trainModels } from '../../src/train/train.ts';
import { tempDir } from '../helpers.ts';
import { smallSample } from '../train/fixture.ts';

let runDir: string;
let sample: Awaited<ReturnType<typeof smallSample>>;
beforeAll(async () => {
  sample = await smallSample();
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
    expect(data.rules[19]).toEqual((({ threshold, sent, found, missed, inVain }) => [Number(threshold.toPrecision(6)), sent, found, missed, inVain])(decisionRows(holdout.ruleScore!, holdout.y)[19]!));
  });

  it('refuses a folder without a run (exit 2), and renders a run without holdout.csv with a note', async () => {
    const dir = await tempDir();
    await expect(writeReport(join(dir, 'empty'))).rejects.toMatchObject({ code: 'NOT_A_RUN', message: expect.stringContaining('holds no training run: metrics.json is missing') });
    const old = join(dir, 'old');
    await mkdir(old);
    await writeFile(join(old, 'metrics.json'), await readFile(join(runDir, 'metrics.json'), 'utf8'));
    const { path } = await writeReport(old);
    const html = await readFile(path, 'utf8');
    expect(html).toContain('This folder has no holdout.csv');
    expect(html).toContain('id="summary"');
    await rm(path);
  });
});

describe('example leads', () => {
  it('picks the top, borderline, false positive, false negative and lowest lead, each a different lead, ties to the earlier row', () => {
    //            row: 0    1    2    3    4    5    6
    const p = [0.9, 0.2, 0.6, 0.05, 0.31, 0.9, 0.01];
    const y = [1, 0, 0, 1, 1, 0, 0];
    expect(pickExamples(p, y, [0, 1, 2, 3, 4, 5, 6], 0.3)).toEqual([
      { kind: 'top', index: 0 }, { kind: 'borderline', index: 4 }, { kind: 'false positive', index: 5 },
      { kind: 'false negative', index: 3 }, { kind: 'low score', index: 6 },
    ]);
    // Only the rows given count; a kind with no lead left is left out, a lead shown once.
    expect(pickExamples(p, y, [0, 4], 0.3)).toEqual([{ kind: 'top', index: 0 }, { kind: 'borderline', index: 4 }]);
    // A top lead that did not convert leaves "false positive" to the next one.
    expect(pickExamples(p, y, [5, 2, 1], 0.3)).toEqual([{ kind: 'top', index: 5 }, { kind: 'borderline', index: 1 }, { kind: 'false positive', index: 2 }]);
  });

  it('picks what the comparator sorts picked, over ties and rows given in any order (property)', () => {
    // The picking as it was written with comparators, ties to the earlier row.
    const reference = (p: number[], y: number[], rows: number[], threshold: number) => {
      const order = [...rows].sort((a, b) => p[b]! - p[a]! || a - b);
      const lowest = [...order].reverse();
      const sent = (r: number) => p[r]! >= threshold;
      const rankings: Array<[string, number[]]> = [['top', order], ['borderline', [...rows].sort((a, b) => Math.abs(p[a]! - threshold) - Math.abs(p[b]! - threshold) || a - b)],
        ['false positive', order.filter((r) => sent(r) && y[r] === 0)], ['false negative', lowest.filter((r) => !sent(r) && y[r] === 1)], ['low score', lowest]];
      const seen = new Set<number>();
      return rankings.flatMap(([kind, ranking]) => {
        const index = ranking.find((r) => !seen.has(r));
        if (index === undefined) return [];
        seen.add(index);
        return [{ kind, index }];
      });
    };
    fc.assert(fc.property(fc.array(fc.record({ p: fc.integer({ min: 0, max: 10 }).map((v) => v / 10), y: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 0, max: 10 }).map((v) => v / 10), fc.infiniteStream(fc.nat()), (leads, threshold, shuffle) => {
        const p = leads.map((l) => l.p);
        const y = leads.map((l) => l.y);
        const rows = leads.map((_, r) => r).filter((r) => r % 3 !== 1 || leads.length < 3);
        for (let i = rows.length - 1; i > 0; i--) {
          const j = shuffle.next().value % (i + 1);
          [rows[i], rows[j]] = [rows[j]!, rows[i]!];
        }
        expect(pickExamples(p, y, rows, threshold)).toEqual(reference(p, y, rows, threshold));
      }), { numRuns: 300 });
  });

  it('are hold-out leads scored as `score` scores them: the same probability as holdout.csv, reasons in words', async () => {
    const examples = (await readExamples(runDir))!;
    const holdout = await readFile(join(runDir, 'holdout.csv'), 'utf8');
    const [header, ...lines] = holdout.trimEnd().split('\n');
    const names = header!.split(',');
    const byRow = new Map(lines.map((l) => l.split(',')).map((r) => [Number(r[0]), r]));
    expect(examples.leads.map((l) => l.kind)).toEqual(['top', 'borderline', 'false positive', 'false negative', 'low score']);
    for (const lead of examples.leads) {
      const row = byRow.get(lead.row)!; // a hold-out lead
      expect(row, lead.kind).toBeDefined();
      expect(lead.probability).toBeCloseTo(Number(row[names.indexOf(`p_${examples.model}`)]), 12);
      expect(lead.outcome).toBe(Number(row[names.indexOf('outcome')]));
      expect(lead.reasons).toMatch(/^[a-z_]+ (=|missing)/);
    }
    const [fp, fn] = [examples.leads[2]!, examples.leads[3]!];
    expect(fp.outcome === 0 && fp.probability >= examples.threshold).toBe(true);
    expect(fn.outcome === 1 && fn.probability < examples.threshold).toBe(true);
    const html = await readFile(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('id="examples"');
    expect(html).toContain(examples.leads[0]!.reasons.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });
});

describe('evaluate --out', () => {
  it('writes evaluation.json, holdout.csv (challenger, champion, rules), examples and a report with the gate', async () => {
    const out = join(await tempDir(), 'eval');
    const result = await evaluateModel({ model: join(runDir, 'gbdt.model.json'), champion: join(runDir, 'logistic.model.json'), rules: join(runDir, 'rules.yaml'),
      data: { path: sample.leads }, out });
    expect(result.written!.files.map((f) => f.slice(out.length + 1))).toEqual(['evaluation.json', 'holdout.csv', 'examples.json', 'report.html']);
    const [header, ...lines] = (await readFile(join(out, 'holdout.csv'), 'utf8')).trimEnd().split('\n');
    expect(header).toBe('row,lead_id,outcome,p_challenger,p_champion,rule_score');
    expect(lines).toHaveLength(result.dataset.rows);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain(result.gate!.passed ? 'Gate passed' : 'Gate failed');
    expect(html).toContain('<option selected>challenger</option>');
    expect(JSON.parse(await readFile(join(out, 'evaluation.json'), 'utf8'))).toEqual((({ written: _w, ...rest }) => rest)(result));
    // `leadscore report` on the folder rewrites it; a second evaluate into it is refused, and leaves it as it was.
    expect((await reportFolder(out)).kind).toBe('evaluation');
    await expect(evaluateModel({ model: join(runDir, 'gbdt.model.json'), data: { path: sample.leads }, out })).rejects.toMatchObject({ code: 'WOULD_OVERWRITE' });
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe(html);
  });
});
