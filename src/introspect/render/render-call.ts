import { createColors } from 'picocolors';
import type { ToolCallOutcome } from '../call-tool.js';
import type { HumanRenderOptions } from './render-human.js';
import { oneLine, stripControl } from './terminal-text.js';

function blockText(block: Record<string, unknown>): string {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  switch (block.type) {
    case 'text':
      return stripControl(str(block.text));
    case 'image':
    case 'audio':
      return `[${String(block.type)} ${oneLine(str(block.mimeType))}, ${str(block.data).length} base64 chars]`;
    case 'resource_link':
      return `[resource link ${oneLine(str(block.uri))}${block.name ? ` "${oneLine(str(block.name))}"` : ''}]`;
    case 'resource': {
      const resource = (block.resource ?? {}) as Record<string, unknown>;
      const head = `[resource ${oneLine(str(resource.uri))}${resource.mimeType ? ` ${oneLine(str(resource.mimeType))}` : ''}]`;
      if (typeof resource.text === 'string') return `${head}\n${stripControl(resource.text)}`;
      return `${head} ${str(resource.blob).length} base64 chars`;
    }
    default:
      return stripControl(JSON.stringify(block));
  }
}

/**
 * Renders a tool call's result for people: each content block (text as is, binary content
 * summarised), then the structured content as JSON; an error result is flagged.
 *
 * @param outcome - from `callServerTool()`
 * @param options - colours
 */
export function renderCallHuman(outcome: ToolCallOutcome, options: HumanRenderOptions = {}): string {
  const c = createColors(options.color ?? false);
  const { result } = outcome;
  let out = '';
  if (result.isError === true) out += `${c.red(c.bold('tool error'))}\n`;
  const blocks = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  for (const block of blocks) out += `${blockText(block)}\n`;
  if (result.structuredContent !== undefined) {
    out += `${c.dim('structured content')}\n${stripControl(JSON.stringify(result.structuredContent, null, 2))}\n`;
  }
  if (blocks.length === 0 && result.structuredContent === undefined) out += `${c.dim('(empty result)')}\n`;
  return out;
}
