/** Where the bundled sample lives, independent of the current folder. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (the one holding package.json). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SAMPLE_DIR = join(PACKAGE_ROOT, 'data', 'sample');

/**
 * The bundled sample's files and its column roles.
 *
 * @example
 * const leads = await loadDataset({ path: SAMPLE.leads });
 * const target = resolveTarget(leads, SAMPLE.target);
 */
export const SAMPLE = {
  leads: join(SAMPLE_DIR, 'leads.csv'),
  activities: join(SAMPLE_DIR, 'activities.csv'),
  truth: join(SAMPLE_DIR, 'truth.csv'),
  rules: join(PACKAGE_ROOT, 'data', 'rules', 'sample.yaml'),
  /** The bundled sample's target column, date column, id and account columns. */
  target: 'converted',
  date: 'created_at',
  id: 'lead_id',
  account: 'account_id',
} as const;
