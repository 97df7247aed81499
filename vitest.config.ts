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
    // Libraries that import graphql are inlined so that they resolve it exactly as our sources do under
    // Vite: two copies must never meet (instanceof checks fail). graphql 16 has one build; 17 (Node 22+)
    // adds a `development` condition build, which Vite would apply to our sources only.
    server: { deps: { inline: ['graphql-http', 'graphql-query-complexity'] } },
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'html'] },
  },
});
