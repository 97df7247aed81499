import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderData } from '../../src/introspect/render/data-format.js';
import { generateGraphql } from '../../src/schema/graphql.js';
import { generateOpenApi } from '../../src/schema/openapi.js';
import { generateProtobuf } from '../../src/schema/protobuf.js';
import { nastyReport } from './reports.js';

// Golden files of the three generators for the nasty fixture server. Regenerate after an intended
// change with: UPDATE_GOLDEN=1 npx vitest run test/schema/golden.test.ts (and review the diff).
const update = process.env.UPDATE_GOLDEN === '1';
// The `.golden` suffix keeps formatters (prettier) away from the files: they are compared byte for byte.
const golden = (name: string): URL => new URL(`./golden/${name}.golden`, import.meta.url);

async function compare(name: string, actual: string): Promise<void> {
  if (update) {
    await writeFile(golden(name), actual);
    return;
  }
  const expected = await readFile(golden(name), 'utf8');
  expect(actual).toBe(expected);
}

describe('golden outputs of the nasty fixture', () => {
  it.each([
    [
      'nasty.openapi.json',
      async () => renderData(generateOpenApi(await nastyReport(), { withExamples: true }), 'json'),
    ],
    ['nasty.graphql', async () => generateGraphql(await nastyReport())],
    ['nasty.proto', async () => generateProtobuf(await nastyReport())],
  ] as const)('%s', async (name, produce) => {
    await compare(name, await produce());
  });

  it('does not depend on the protocol era the server speaks', async () => {
    const [legacy, modern] = await Promise.all([
      nastyReport({ era: 'legacy' }),
      nastyReport({ era: 'modern' }),
    ]);
    expect(generateGraphql(legacy).replace(/2025-11-25/g, 'X')).toBe(
      generateGraphql(modern).replace(/2026-07-28/g, 'X'),
    );
    expect(generateProtobuf(legacy)).toBe(generateProtobuf(modern));
  });
});
