import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend, parseBackendTarget } from '../../src/cli/backend-target.js';
import { generateClient } from '../../src/codegen/generate-client.js';
import { writeGeneratedFiles } from '../../src/codegen/write-files.js';
import { inspectServer } from '../../src/introspect/inspect.js';
import type { InspectReport } from '../../src/introspect/report.js';
import { fixture, projectFile } from '../fixtures/paths.js';
import { demoReport } from '../schema/reports.js';
import { copyProgram, run, scratchProject, tsc, type Ran, type ScratchProject } from './generated-project.js';

// One scratch project holds the clients generated from the demo server, server-everything and a
// server with gateway-style namespaced names, plus programs that use them. One tsc run type-checks
// all of it (strict, the generated tsconfig's flags); then each program runs against its server.

const CLI = projectFile('dist/cli.js');
const EVERYTHING = projectFile('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const NAMESPACED = fixture('namespaced-server.mjs');

function stdioReport(command: string[], capabilities = {}): Promise<InspectReport> {
  const target = parseBackendTarget({ command });
  return inspectServer(openBackend(target, { stderr: 'pipe' }), {
    target: { kind: 'stdio', description: command.join(' ') },
    capabilities,
  });
}

let project: ScratchProject;
let compiled: Ran;
const catalogs: Record<string, { tools: number }> = {};

beforeAll(async () => {
  project = await scratchProject('sb-generated-');
  const { dir } = project;
  const [demo, everything, namespaced] = await Promise.all([
    demoReport(),
    stdioReport([process.execPath, EVERYTHING, 'stdio'], {
      sampling: {},
      elicitation: { form: {} },
      roots: { listChanged: false },
    }),
    stdioReport([process.execPath, NAMESPACED]),
  ]);
  const outputs = {
    demo: await generateClient(demo),
    everything: await generateClient(everything),
    namespaced: await generateClient(namespaced, { grouping: { separator: '__' } }),
  };
  for (const [name, generated] of Object.entries(outputs)) {
    await writeGeneratedFiles(path.join(dir, name), generated.files);
    catalogs[name] = { tools: generated.catalog.tools.length };
    await copyProgram(dir, name);
  }
  await copyProgram(dir, 'type-errors');
  // The generated tsconfig's own flags, over all three packages and the programs.
  const generatedConfig = JSON.parse(await readFile(path.join(dir, 'demo/tsconfig.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>;
  };
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...generatedConfig.compilerOptions,
        rootDir: '.',
        outDir: 'out',
        declaration: false,
      },
      include: ['demo/src', 'everything/src', 'namespaced/src', 'programs'],
    }),
  );
  compiled = await tsc(['-p', 'tsconfig.json'], dir);
}, 300_000);

afterAll(async () => {
  await project.remove();
});

async function runProgram(name: string, ...args: string[]): Promise<Record<string, unknown>> {
  const ran = await run(process.execPath, [path.join(project.dir, 'out/programs', `${name}.js`), ...args], {
    cwd: project.dir,
  });
  expect(ran.stderr).toBe('');
  expect(ran.code).toBe(0);
  return JSON.parse(ran.stdout) as Record<string, unknown>;
}

describe('generated clients', () => {
  it('type-check with tsc --strict: the packages, the programs and every @ts-expect-error line', () => {
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
  });

  it('demo server: every tool with typed arguments and results, the prompt, resource and template', async () => {
    expect(compiled.code).toBe(0);
    const out = await runProgram('demo', CLI);
    expect(out.called).toHaveLength(catalogs.demo?.tools ?? -1);
    expect(out).toMatchObject({
      echo: 'hello',
      sum: 5,
      countdown: 'counted down 3 steps',
      progress: 3,
      sampled: 'model said: 1 message(s) received',
      prompt: 'Please greet Ada warmly.',
      readme: '# switchboard demo\nA demo MCP server served by mcp-switchboard.',
      // The template is expanded per RFC 6570 (a space is %20); the SDK v1 server does not decode it.
      greeting: 'Hello, Ada%20Lovelace!',
      server: { name: 'switchboard-demo', version: '0.1.0' },
    });
  });

  it('server-everything: every generated tool, prompt, resource and template', async () => {
    expect(compiled.code).toBe(0);
    const out = (await runProgram('everything', EVERYTHING)) as {
      called: string[];
      results: Record<string, string>;
      progress: number;
      sampled: number;
      elicited: number;
      prompts: number[];
      statics: string[];
      templates: string[];
    };
    expect(new Set(out.called).size).toBe(catalogs.everything?.tools);
    const r = out.results;
    expect(r.echo).toBe('Echo: hello');
    expect(r.getSum).toContain('5');
    expect(r.getStructuredContent).toMatch(/^\d+(\.\d+)? \S/);
    expect(r.getRootsList).toContain('file:///tmp/project');
    expect(r.triggerSamplingRequest).toContain('sampled answer');
    expect(r.gzipFileAsResource).toContain('[resource]');
    // The server runs this tool only as a task, which the SDK v2 client does not send.
    expect(r.simulateResearchQuery).toMatch(/^rejected: .*task/i);
    expect(out).toMatchObject({ sampled: 1, elicited: 1, prompts: [1, 1, 1, 2] });
    expect(out.progress).toBeGreaterThanOrEqual(1);
    expect(out.statics).toHaveLength(7);
    expect(out.templates).toEqual(['demo://resource/dynamic/text/1', 'demo://resource/dynamic/blob/2']);
  });

  it('namespaced names: groups under the client (client.everything.echo) and under tools', async () => {
    expect(compiled.code).toBe(0);
    const out = await runProgram('namespaced', NAMESPACED);
    expect(out).toEqual({
      called: ['everything.echo', 'demo.echo', 'tools_2.list', 'status', 'everything.getSum'],
      texts: ['everything: one', 'everything: two', 'demo: THREE', 'tools: list', 'ok'],
      sum: 42,
      prompt: 1,
      greeting: 'Hello, Grace!',
    });
    expect(catalogs.namespaced?.tools).toBe(5);
  });
});
