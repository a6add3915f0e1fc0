// The interop suite: real relying parties against a running provider (README, "The interop suite"),
// with the main configuration's global setup (one PostgreSQL, a database per file).
import { configDefaults, defineConfig } from 'vitest/config';
import base from '../../vitest.config.ts';

export default defineConfig({
  test: {
    ...base.test,
    include: ['test/interop/**/*.test.ts'],
    exclude: configDefaults.exclude,
    testTimeout: 120_000,
  },
});
