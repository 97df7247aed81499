import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the TypeScript fixtures that tests start as child processes (once per run).
    globalSetup: ['test/global-setup.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real child processes and sockets: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    // graphql ships a separate build under the `development` condition, which Vite applies to our
    // sources: libraries that import graphql must resolve it the same way, or two copies meet
    // (instanceof checks fail). Node (and dist/) resolves one copy for everybody.
    server: { deps: { inline: ['graphql-http', 'graphql-query-complexity'] } },
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'html'] },
  },
});
