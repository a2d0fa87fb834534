import { defineConfig } from 'vitest/config';

// Coverage is V8's own (the same data c8 reads), measured on the TypeScript sources.
// The threshold applies to the parts whose correctness the project vouches for.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    coverage: {
      provider: 'v8',
      include: ['spec/**/*.ts', 'model/**/*.ts', 'impl/**/*.ts', 'conformance/**/*.ts'],
      // test/<part>/ mirrors the parts, so 'spec/**' would also match test/spec/**
      // helpers: tests are not what the threshold measures.
      exclude: ['**/*.test.ts', '**/*.d.ts', 'test/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 85 },
    },
  },
});
