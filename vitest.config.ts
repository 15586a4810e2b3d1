import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The CLI the tests spawn (bin/leadscore.js) runs the sources, never a stale dist/.
    env: { LEADSCORE_SOURCES: '1' },
  },
});
