import { describe, expect, it } from 'vitest';
import { renderCallHuman } from '../../../src/introspect/render/render-call.js';
import { renderData } from '../../../src/introspect/render/data-format.js';
import { renderHuman } from '../../../src/introspect/render/render-human.js';
import { renderTable } from '../../../src/introspect/render/table.js';
import { oneLine, stripControl, truncate } from '../../../src/introspect/render/terminal-text.js';
import type { InspectReport } from '../../../src/introspect/report.js';
import { parse as parseYaml } from 'yaml';

const ESC = '\u001b';

const report: InspectReport = {
  reportVersion: 1,
  inspectedAt: '2025-01-01T00:00:00.000Z',
  target: { kind: 'stdio', description: 'node server.js' },
  serverInfo: { name: `evil${ESC}]0;pwned\u0007`, version: '1.0.0', title: 'Evil' },
  protocol: { version: '2025-11-25', era: 'session' },
  capabilities: { tools: { listChanged: true }, prompts: {} },
  instructions: 'Line one\nline two',
  tools: [
    {
      name: 'echo',
      description: `Echoes ${ESC}[31mred${ESC}[0m text`,
      inputSchema: { type: 'object', properties: { message: {}, n: {} }, required: ['message'] },
      annotations: { readOnlyHint: true },
    },
    {
      name: 'rm',
      description: 'x'.repeat(300),
      inputSchema: { type: 'object' },
      annotations: { destructiveHint: true },
    },
  ],
  resources: [],
  resourceTemplates: [],
  prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }, { name: 'tone' }] }],
  pages: { tools: 2, resources: 0, resourceTemplates: 0, prompts: 1 },
  timing: {
    connectMs: 12.3,
    listMs: { tools: 1, resources: 0, resourceTemplates: 0, prompts: 1 },
    totalMs: 15,
  },
  warnings: ['something odd'],
};

describe('terminal text', () => {
  it('strips control characters and escape sequences from untrusted text', () => {
    expect(stripControl(`a${ESC}[2Jb\u0007c\nd\te`)).toBe('a[2Jbc\nd\te');
    expect(oneLine(' a \n\n b ')).toBe('a b');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('aligns tables and shrinks flexible columns to the width', () => {
    const out = renderTable(
      [{ header: 'name' }, { header: 'description', flexible: true }],
      [
        ['a', 'short'],
        ['longer', 'x'.repeat(100)],
      ],
      { maxWidth: 40 },
    );
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('  NAME    DESCRIPTION');
    expect(lines[1]).toBe('  a       short');
    expect(lines.every((l) => [...l].length <= 40)).toBe(true);
    expect(lines[2]?.endsWith('…')).toBe(true);
  });
});

describe('renderHuman', () => {
  it('lists everything without colours and without server escape sequences', () => {
    const out = renderHuman(report, { color: false, width: 100 });
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u0007');
    expect(out).toContain('evil]0;pwned 1.0.0 — Evil');
    expect(out).toContain('protocol 2025-11-25 (session era)');
    expect(out).toContain('capabilities tools (listChanged), prompts');
    expect(out).toMatch(/echo +message\*, n +read-only +Echoes \[31mred\[0m text/);
    expect(out).toMatch(/rm +destructive +x+…/);
    expect(out).toContain('Resources (not offered)');
    expect(out).toMatch(/greet +who\*, tone/);
    expect(out).toContain('tools 1 ms (2 pages)');
    expect(out).toContain('warning something odd');
    expect(out.split('\n').every((l) => [...l].length <= 100)).toBe(true);
  });

  it('colours only when asked', () => {
    expect(renderHuman(report, { color: true })).toContain(`${ESC}[1m`);
  });
});

describe('renderCallHuman and renderData', () => {
  it('prints content blocks, structured content and the error flag', () => {
    const out = renderCallHuman(
      {
        result: {
          isError: true,
          content: [
            { type: 'text', text: `hello${ESC}[2J` },
            { type: 'image', data: 'AAAA', mimeType: 'image/png' },
            { type: 'resource_link', uri: 'file:///x', name: 'x' },
            { type: 'resource', resource: { uri: 'mem://a', text: 'inside' } },
          ],
          structuredContent: { a: 1 },
        },
        serverInfo: null,
        protocol: { version: null, era: 'session' },
        timing: { connectMs: 0, callMs: 0 },
      },
      { color: false },
    );
    expect(out).toBe(
      'tool error\nhello[2J\n[image image/png, 4 base64 chars]\n[resource link file:///x "x"]\n[resource mem://a]\ninside\nstructured content\n{\n  "a": 1\n}\n',
    );
  });

  it('serialises JSON and YAML that parse back to the same value', () => {
    expect(JSON.parse(renderData(report, 'json'))).toEqual(report);
    expect(parseYaml(renderData(report, 'yaml'))).toEqual(report);
  });
});
