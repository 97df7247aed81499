import { createColors } from 'picocolors';
import type { InspectReport, ToolEntry } from '../report.js';
import { renderTable, type TableColumn } from './table.js';
import { oneLine, truncate, visibleWidth } from './terminal-text.js';

/** Options of the human renderers. */
export interface HumanRenderOptions {
  /** ANSI colours (default false). */
  color?: boolean | undefined;
  /** Terminal width; longer lines are shortened (default: no limit). */
  width?: number | undefined;
}

type Colors = ReturnType<typeof createColors>;

const ms = (value: number): string => `${Math.round(value)} ms`;

function hints(tool: ToolEntry): string {
  const a = tool.annotations ?? {};
  const out: string[] = [];
  if (a.readOnlyHint === true) out.push('read-only');
  if (a.destructiveHint === true && a.readOnlyHint !== true) out.push('destructive');
  if (a.idempotentHint === true) out.push('idempotent');
  if (a.openWorldHint === true) out.push('open-world');
  return out.join(', ');
}

// `a*, b` — the top-level input properties, required ones starred.
function inputs(tool: ToolEntry): string {
  const properties = tool.inputSchema.properties;
  if (typeof properties !== 'object' || properties === null) return '';
  const required = Array.isArray(tool.inputSchema.required) ? (tool.inputSchema.required as unknown[]) : [];
  return Object.keys(properties)
    .map((name) => oneLine(name) + (required.includes(name) ? '*' : ''))
    .join(', ');
}

function capabilityList(capabilities: Record<string, unknown>): string[] {
  return Object.entries(capabilities).map(([name, value]) => {
    const flags =
      typeof value === 'object' && value !== null
        ? Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v === true)
            .map(([k]) => k)
        : [];
    return flags.length > 0 ? `${name} (${flags.join(', ')})` : name;
  });
}

function section(c: Colors, title: string, count: number, offered: boolean, table: () => string): string {
  const heading = `${c.bold(title)} ${c.dim(`(${count})`)}\n`;
  if (!offered) return `${c.bold(title)} ${c.dim('(not offered)')}\n`;
  if (count === 0) return `${heading}  ${c.dim('none')}\n`;
  return heading + table();
}

// Joins parts with a separator, starting a new (indented) line before a part that would not fit.
function wrap(
  parts: readonly string[],
  separator: string,
  width: number | undefined,
  indent: string,
): string {
  const limit = width ?? Number.POSITIVE_INFINITY;
  let out = '';
  let line = indent.length;
  for (const [i, part] of parts.entries()) {
    const add = (i === 0 ? 0 : separator.length) + visibleWidth(part);
    if (i > 0 && line + add > limit) {
      out += `\n${indent}${part}`;
      line = indent.length + visibleWidth(part);
    } else {
      out += (i === 0 ? '' : separator) + part;
      line += add;
    }
  }
  return out;
}

/**
 * Renders an inspect report for people: server identity, protocol, capabilities, instructions, one
 * table per list, timings and warnings. Server-provided text is stripped of control characters.
 *
 * @param report - the report
 * @param options - colours and terminal width
 * @example
 * ```ts
 * process.stdout.write(renderHuman(report, { color: process.stdout.isTTY, width: process.stdout.columns }));
 * ```
 */
export function renderHuman(report: InspectReport, options: HumanRenderOptions = {}): string {
  const c = createColors(options.color ?? false);
  const tableOptions = {
    maxWidth: options.width,
    styleHeader: (text: string) => c.dim(text),
    styleCell: (text: string, column: number) => (column === 0 ? c.cyan(text) : text),
  };
  const table = (columns: TableColumn[], rows: string[][]) => () => renderTable(columns, rows, tableOptions);
  const info = report.serverInfo;
  const name = info ? `${oneLine(info.name)} ${oneLine(info.version)}` : '(anonymous server)';
  const title = info?.title !== undefined ? ` — ${oneLine(info.title)}` : '';
  const era = report.protocol.era === 'stateless' ? 'stateless era' : 'session era';
  let out = `${c.green('●')} ${c.bold(name)}${title}\n`;
  out += `  ${c.dim('protocol')} ${report.protocol.version ?? 'unknown'} (${era})  ${c.dim('via')} ${oneLine(
    report.target.description,
  )}\n`;
  const capabilities = capabilityList(report.capabilities);
  const capabilityText =
    capabilities.length > 0 ? wrap(capabilities, ', ', options.width, '               ') : 'none';
  out += `  ${c.dim('capabilities')} ${capabilityText}\n`;
  if (report.instructions !== null && report.instructions.trim() !== '') {
    const room =
      options.width === undefined ? Number.POSITIVE_INFINITY : options.width - '  instructions '.length;
    out += `  ${c.dim('instructions')} ${truncate(oneLine(report.instructions), Math.max(10, room))}\n`;
  }
  const caps = report.capabilities;
  out += '\n';
  out += section(
    c,
    'Tools',
    report.tools.length,
    caps.tools !== undefined,
    table(
      [
        { header: 'name' },
        { header: 'inputs', flexible: true },
        { header: 'hints' },
        { header: 'description', flexible: true },
      ],
      report.tools.map((t) => [
        oneLine(t.name),
        inputs(t),
        hints(t),
        oneLine(t.description ?? t.title ?? ''),
      ]),
    ),
  );
  out += '\n';
  out += section(
    c,
    'Resources',
    report.resources.length,
    caps.resources !== undefined,
    table(
      [
        { header: 'uri', flexible: true },
        { header: 'name' },
        { header: 'mime' },
        { header: 'description', flexible: true },
      ],
      report.resources.map((r) => [
        oneLine(r.uri),
        oneLine(r.name),
        oneLine(r.mimeType ?? ''),
        oneLine(r.description ?? r.title ?? ''),
      ]),
    ),
  );
  out += '\n';
  out += section(
    c,
    'Resource templates',
    report.resourceTemplates.length,
    caps.resources !== undefined,
    table(
      [
        { header: 'uri template', flexible: true },
        { header: 'name' },
        { header: 'mime' },
        { header: 'description', flexible: true },
      ],
      report.resourceTemplates.map((r) => [
        oneLine(r.uriTemplate),
        oneLine(r.name),
        oneLine(r.mimeType ?? ''),
        oneLine(r.description ?? r.title ?? ''),
      ]),
    ),
  );
  out += '\n';
  out += section(
    c,
    'Prompts',
    report.prompts.length,
    caps.prompts !== undefined,
    table(
      [
        { header: 'name' },
        { header: 'arguments', flexible: true },
        { header: 'description', flexible: true },
      ],
      report.prompts.map((p) => [
        oneLine(p.name),
        (p.arguments ?? []).map((a) => oneLine(a.name) + (a.required === true ? '*' : '')).join(', '),
        oneLine(p.description ?? p.title ?? ''),
      ]),
    ),
  );
  const t = report.timing;
  const pages = (n: number): string => (n > 1 ? ` (${n} pages)` : '');
  const parts = [
    `connect ${ms(t.connectMs)}`,
    `tools ${ms(t.listMs.tools)}${pages(report.pages.tools)}`,
    `resources ${ms(t.listMs.resources)}${pages(report.pages.resources)}`,
    `templates ${ms(t.listMs.resourceTemplates)}${pages(report.pages.resourceTemplates)}`,
    `prompts ${ms(t.listMs.prompts)}${pages(report.pages.prompts)}`,
    `total ${ms(t.totalMs)}`,
  ];
  out += `\n${c.dim('timing')} ${wrap(parts, ' · ', options.width, '       ')}\n`;
  for (const warning of report.warnings) out += `${c.yellow('warning')} ${oneLine(warning)}\n`;
  return out;
}
