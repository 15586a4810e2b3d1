import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/data/io/dataset.ts';
import { stratifiedSplit } from '../../../src/data/split.ts';
import { resolveTarget } from '../../../src/data/target.ts';
import { rocAuc } from '../../../src/evaluation/metrics.ts';
import { FeaturePipeline } from '../../../src/features/pipeline.ts';
import { LogisticRegression } from '../../../src/models/logistic/logistic.ts';
import { createRng } from '../../../src/random.ts';
import { BANK, HAVE_SHARED, SHOPPERS } from '../../helpers.ts';

// scikit-learn 1.2.1 LogisticRegression(C=1) with ../shared/bench/peers.py's encoding, on leadscore's own
// stratified 80/20 split (seed 42, fork "split"): bench/sklearn-same-split.py, run here on 2026-11-24.
const CASES = [
  { name: 'bank-marketing', path: BANK, target: 'y', exclude: [] as string[], sklearnAuc: 0.9080026783245128 },
  { name: 'bank-marketing without duration', path: BANK, target: 'y', exclude: ['duration'], sklearnAuc: 0.7744994952097011 },
  { name: 'online-shoppers', path: SHOPPERS, target: 'Revenue', exclude: [] as string[], sklearnAuc: 0.9040746751615399 },
];

describe.skipIf(!HAVE_SHARED)('logistic regression on the shared datasets, against scikit-learn on the same split', () => {
  it.each(CASES)('$name: AUC within 0.002 of scikit-learn', async ({ path, target, exclude, sklearnAuc }) => {
    const data = await loadDataset({ path });
    const t = resolveTarget(data, target);
    const split = stratifiedSplit(t.y, { testSize: 0.2, rng: createRng(42).fork('split') });
    // The same encoding as the peer: no log1p.
    const pipeline = FeaturePipeline.fit(data, split.train, { exclude: [target, ...exclude], log1p: false });
    const model = new LogisticRegression({ C: 1 }).fit(pipeline.transform(data, { rows: split.train }), Uint8Array.from(split.train, (r) => t.y[r]!));
    const auc = rocAuc(model.predictProba(pipeline.transform(data, { rows: split.test })), Uint8Array.from(split.test, (r) => t.y[r]!));
    expect(Math.abs(auc - sklearnAuc)).toBeLessThan(0.002);
  });
});
