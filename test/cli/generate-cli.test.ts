import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../codegen/generated-project.js';
import { fixture, projectFile } from '../fixtures/paths.js';

// `switchboard generate client` end to end (dist/cli.js): writes a package, regenerating gives the same
// bytes, `--check` exits 0 while the catalog is unchanged and 6 once a tool is added.

const CLI = projectFile('dist/cli.js');
const NAMESPACED = fixture('namespaced-server.mjs');
let dir: string;

const generate = (args: string[], serverArgs: string[] = []) =>
  run(
    process.execPath,
    [CLI, 'generate', 'client', ...args, '--', process.execPath, NAMESPACED, ...serverArgs],
    {
      timeoutMs: 60_000,
    },
  );

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = await readFile(file, 'utf8');
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sb-generate-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each CLI run starts Node, the CLI and a server: generous deadlines for busy machines.
describe('switchboard generate client', { timeout: 120_000 }, () => {
  it('writes the package; regenerating against the unchanged server gives identical bytes', async () => {
    const first = await generate(['--out', path.join(dir, 'a'), '--group-separator', '__']);
    expect(first.stderr).toMatch(
      /5 tools, 1 prompts, 0 resources, 1 resource templates \(sha256-[0-9a-f]{64}\)/,
    );
    expect(first.code).toBe(0);
    const second = await generate(['--out', path.join(dir, 'b'), '--group-separator', '__']);
    expect(second.code).toBe(0);
    const [a, b] = await Promise.all([snapshot(path.join(dir, 'a')), snapshot(path.join(dir, 'b'))]);
    expect(Object.keys(a).sort()).toEqual([
      'README.md',
      'mcp-catalog.json',
      'package.json',
      'src/client.ts',
      'src/index.ts',
      'src/types.ts',
      'tsconfig.json',
    ]);
    expect(b).toEqual(a);
    expect(a['src/client.ts']).toContain("this.#session.callTool('everything__echo', args, options)");
  });

  it('--check exits 0 while the catalog is unchanged and 6 after a tool is added', async () => {
    const unchanged = await generate(['--check', path.join(dir, 'a')]);
    expect(unchanged.stderr).toContain('up to date');
    expect(unchanged.code).toBe(0);
    const changed = await generate(['--check', path.join(dir, 'a')], ['--extra-tool']);
    expect(changed.stderr).toContain("the server's catalog changed");
    expect(changed.stderr).toContain('added    tool demo__added');
    expect(changed.code).toBe(6);
  });

  it('usage errors exit 1 with one line', async () => {
    const neither = await generate([]);
    expect(neither.stderr).toContain('give --out DIR (generate) or --check DIR (compare)');
    expect(neither.code).toBe(1);
    const badName = await generate(['--out', path.join(dir, 'c'), '--name', 'Not A Name']);
    expect(badName.stderr).toContain('is not a valid npm package name');
    expect(badName.code).toBe(1);
    const notGenerated = await generate(['--check', dir]);
    expect(notGenerated.stderr).toContain('no mcp-catalog.json');
    expect(notGenerated.code).toBe(1);
  });
});
