/**
 * The shared model interface. Every predictive model follows scikit-learn's estimator contract: the
 * constructor stores typed hyperparameters, `fit` replaces any earlier fit and returns the model,
 * `predictProba` returns P(converted) as a Float64Array, an unfitted model throws `NotFittedError`,
 * and `toJSON()` gives `{ kind, params, state }` that the registry in artifact.ts loads back.
 */
import type { Design } from './logistic/logistic.ts';

export type { Design };

export type ModelName = 'rules' | 'logistic' | 'gbdt' | 'mlp';
