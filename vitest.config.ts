import { defineConfig } from 'vitest/config';

// Coverage is V8's own (the same data c8 reads), measured on the TypeScript sources.
// The threshold applies to the parts whose correctness the project vouches for.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Both cores: vitest's default leaves one idle (availableParallelism - 1), which on
    // a 2-core machine runs every file in one worker, one after the other.
    maxWorkers: 2,
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
      // Each part on its own: a well-tested part must not carry a weak one.
      thresholds: {
        lines: 85,
        'spec/**': { lines: 85 },
        'model/**': { lines: 85 },
        'impl/**': { lines: 85 },
        'conformance/**': { lines: 85 },
      },
    },
  },
});
