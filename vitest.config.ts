import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM builds; Node (and every dependency) loads the CommonJS one,
    // Vite would pick the ESM one for our sources: two graphql instances that reject each other's schemas.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: [
      'test/**/*.test.ts',
      'adapters/**/*.test.ts',
      'platform/**/*.test.ts',
      'serving/**/*.test.ts',
      'sync/**/*.test.ts',
      'emulators/**/*.test.ts',
      'server/**/*.test.ts',
      'subgraphs/**/*.test.ts',
      'gateway/**/*.test.ts',
      'prisma/**/*.test.ts',
      'cli/**/*.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: 'warn' },
  },
});
