import { writeDistinctLeads } from './distinct-leads.mjs';
import { SAMPLE } from '../src/data/sample/sample-paths.ts';
import { trainModels } from '../src/train/train.ts';
await trainModels({ data: { path: SAMPLE.leads }, target: SAMPLE.target, date: SAMPLE.date, out: '/tmp/prof/run', models: ['logistic', 'gbdt'], params: ['gbdt.trees=300', 'gbdt.earlyStopping=false', 'gbdt.maxDepth=6'] });
await writeDistinctLeads(SAMPLE.leads, '/tmp/prof/distinct.csv', 1_000_000, { uniqueNumber: 'annual_revenue' });
