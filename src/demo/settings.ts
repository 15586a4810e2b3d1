/** The demo's settings that its command shows before it runs (kept apart so `--help` loads nothing else). */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../data/sample/sample-paths.ts';

/** The demo's own output folder (git-ignored), replaced on each run. */
export const DEFAULT_DEMO_OUT = join(PACKAGE_ROOT, 'models', 'demo');

/**
 * The steps runDemo takes, in order, as `onStep` names them.
 *
 * @example
 * await runDemo({ onStep: (step) => console.log(`${DEMO_STEPS.indexOf(step) + 1}/${DEMO_STEPS.length} ${step}`) });
 */
export const DEMO_STEPS = ['loading the sample', 'reading activities', 'splitting', 'segments', 'rule baseline', 'training', 'scorecard', 'warehouse SQL', 'backtest', 'writing', 'done'] as const;
