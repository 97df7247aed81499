import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFile } from './fixtures/paths.js';

/** Follows relative imports from `entry` and returns every bare/`node:` module the graph imports. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) {
      if (m[1]) continue; // type-only imports vanish at runtime
      const spec = m[2] as string;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else externals.add(spec);
    }
  };
  visit(entry);
  return externals;
}

describe('root entry', () => {
  it('does not pull Node-only I/O modules (sockets, child processes, http, fs)', () => {
    const externals = [...externalImports(projectFile('src/index.ts'))];
    const forbidden = externals.filter((s) =>
      /^node:(net|tls|child_process|http|https|http2|fs|dgram)$/.test(s),
    );
    expect(forbidden).toEqual([]);
  });
});
