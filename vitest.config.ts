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
    // A worker runs its files one after another in one module graph instead of importing src/ afresh
    // for each file: the suite is CPU-bound on 2 cores, and the per-file imports cost about 100 s of
    // worker time (measured: 577 s → 507 s wall, import 106 s → 18 s summed). Files must not leave
    // state behind: every test restores what it changes (environment variables, fake timers) and
    // stops what it starts.
    isolate: false,
    // Libraries that import graphql are inlined so that they resolve it exactly as our sources do under
    // Vite: two copies must never meet (instanceof checks fail). graphql 16 has one build; 17 (Node 22+)
    // adds a `development` condition build, which Vite would apply to our sources only.
    server: { deps: { inline: ['graphql-http', 'graphql-query-complexity'] } },
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['text-summary', 'html'] },
  },
});
