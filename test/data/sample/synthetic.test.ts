import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE, SAMPLE_DIR } from '../../../src/data/sample/sample-paths.ts';
import { generateSample, writeSample } from '../../../src/data/sample/synthetic.ts';
import { tempDir } from '../../helpers.ts';

describe('synthetic sample', () => {
  it('is byte-identical for the same seed, and the committed sample is what the generator writes', async () => {
    const dir = await tempDir();
    await writeSample(dir, { rows: 20000, seed: 42 });
    for (const file of ['leads.csv', 'activities.csv', 'truth.csv']) {
      const fresh = await readFile(join(dir, file));
      const committed = await readFile(join(SAMPLE_DIR, file));
      expect(fresh.equals(committed), `${file} differs from data/sample/${file}: run leadscore generate --force`).toBe(true);
    }
  });

  it('changes with the seed', () => {
    const a = generateSample({ rows: 300, seed: 1 });
    const b = generateSample({ rows: 300, seed: 2 });
    expect(a.truth.columns[1]).not.toEqual(b.truth.columns[1]);
  });

  const sample = generateSample({ rows: 20000, seed: 42 });
  const col = (table: typeof sample.leads, name: string) => table.columns[table.names.indexOf(name)]!;

  it('has the documented columns and several contacts per account', () => {
    expect(sample.leads.names).toEqual(['lead_id', 'account_id', 'created_at', 'channel', 'country', 'industry', 'company_size',
      'annual_revenue', 'job_title', 'seniority', 'department', 'email_type', 'budget_confirmed', 'purchase_timeline',
      'newsletter_opt_in', 'converted', 'converted_at']);
    expect(sample.activities.names).toEqual(['lead_id', 'occurred_at', 'type', 'stage']);
    const accounts = new Set(col(sample.leads, 'account_id'));
    expect(accounts.size).toBeLessThan(0.6 * 20000);
    expect(new Set(col(sample.activities, 'type'))).toEqual(new Set(['page_view', 'pricing_page_view', 'content_download',
      'email_open', 'email_click', 'webinar_attended', 'demo_request', 'unsubscribe']));
  });

  it('spans 24 months and puts nothing after the extract date', () => {
    const created = col(sample.leads, 'created_at').map((t) => Date.parse(String(t)));
    expect(Math.min(...created)).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1));
    expect(Math.max(...created)).toBeLessThan(sample.extractedAt);
    const events = col(sample.activities, 'occurred_at').map((t) => Date.parse(String(t)));
    expect(Math.max(...events)).toBeLessThan(sample.extractedAt);
    const convertedAt = col(sample.leads, 'converted_at').filter((v) => v !== null).map((t) => Date.parse(String(t)));
    expect(Math.max(...convertedAt)).toBeLessThan(sample.extractedAt);
  });

  it('converts at the true rate among mature leads, and recent leads are not mature yet', () => {
    const p = col(sample.truth, 'probability') as number[];
    const y = col(sample.leads, 'converted') as number[];
    const created = col(sample.leads, 'created_at').map((t) => Date.parse(String(t)));
    const mature = created.map((t) => t < sample.extractedAt - 200 * 86_400_000);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const truthMature = mean(p.filter((_, i) => mature[i]));
    const observedMature = mean(y.filter((_, i) => mature[i]));
    expect(Math.abs(observedMature - truthMature)).toBeLessThan(0.01);
    const recent = created.map((t) => t >= sample.extractedAt - 30 * 86_400_000);
    expect(mean(y.filter((_, i) => recent[i]))).toBeLessThan(0.2 * mean(p.filter((_, i) => recent[i])));
  });

  it('follows the documented effects: student e-mails and unsubscribes lower the true probability', () => {
    const p = col(sample.truth, 'probability') as number[];
    const email = col(sample.leads, 'email_type');
    const mean = (pick: (i: number) => boolean) => {
      const xs = p.filter((_, i) => pick(i));
      return xs.reduce((s, x) => s + x, 0) / xs.length;
    };
    expect(mean((i) => email[i] === 'student')).toBeLessThan(0.5 * mean((i) => email[i] === 'corporate'));
    expect(SAMPLE.target).toBe('converted');
  });
});
