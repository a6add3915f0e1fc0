import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The interop suite (real relying parties: Apache, Python, browser apps) needs system packages the
    // quick start does not ask for; it runs as its own step: `npm run test:interop` (test/interop/).
    exclude: [...configDefaults.exclude, 'test/interop/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
