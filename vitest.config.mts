import { defineConfig } from 'vitest/config';

/**
 * Vitest rather than Jest: NestJS 12 ships ES modules only, which Jest on Node 20 cannot require;
 * Vitest loads them natively. Vite's Oxc transformer compiles the TypeScript with decorator
 * metadata (Nest's dependency injection reads it).
 */
export default defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    globals: true,
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts', 'src/index.ts', 'src/service/main.ts'],
      reporter: ['text-summary', 'text', 'lcov'],
      thresholds: { lines: 90 },
    },
  },
});
