import type { CatalogTool } from './catalog.js';
import { commentSafe } from './sanitize-schema.js';

/**
 * A JSDoc block from paragraphs of text (server text made comment-safe), indented.
 *
 * @param lines - the lines; `''` makes an empty line
 * @param indent - the indentation of the block
 * @example
 * ```ts
 * jsdoc(['Adds two numbers.', '', '@param args - the numbers'], '  ');
 * ```
 */
export function jsdoc(lines: readonly string[], indent: string): string {
  const body = lines
    .flatMap((line) => commentSafe(line).split('\n'))
    .map((line) => (line === '' ? `${indent} *` : `${indent} * ${line.trimEnd()}`));
  return [`${indent}/**`, ...body, `${indent} */`].join('\n');
}

/**
 * One line on a single line: control characters (line breaks included) become spaces, for `//`
 * comments and headers.
 *
 * @param text - text from the server
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/**
 * The behaviour hints of a tool in words (`read-only`, `destructive`, `idempotent`, `open world`, …).
 *
 * @param tool - the tool
 */
export function toolHints(tool: CatalogTool): string[] {
  const a = tool.annotations;
  if (a === undefined) return [];
  const hints: string[] = [];
  if (a.readOnlyHint === true) hints.push('read-only');
  else if (a.destructiveHint === true) hints.push('destructive');
  else if (a.destructiveHint === false) hints.push('not destructive');
  if (a.idempotentHint === true) hints.push('idempotent');
  if (a.openWorldHint === true) hints.push('open world');
  else if (a.openWorldHint === false) hints.push('closed world');
  return hints;
}

/** `` `text` `` as a Markdown/TSDoc code span that survives backticks inside. */
export function codeSpan(text: string): string {
  const line = oneLine(text);
  const fence = line.includes('`') ? '`` ' : '`';
  const close = line.includes('`') ? ' ``' : '`';
  return `${fence}${line}${close}`;
}
