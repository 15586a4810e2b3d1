// Loaded before every test file (vitest.config.ts): what the library's entry (src/index.ts) does as it loads.
import { loadArquero } from '../src/data/io/arquero.ts';

await loadArquero();
