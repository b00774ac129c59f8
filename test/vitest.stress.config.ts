import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `npm run test:stress`: the long soak and fuzz runs, kept out of `npm test` and CI. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 15 * 60_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
