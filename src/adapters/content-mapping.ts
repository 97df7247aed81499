import type { CallToolResult } from '@modelcontextprotocol/client';

/** How image and audio content appears in REST answers. */
export type BinaryContentMode = 'data-uri' | 'object';

type Block = CallToolResult['content'][number];

// Characters a JSON text can start with (after whitespace): only such texts are worth parsing.
const JSON_START = /^[\s]*[{["\-0-9tfn]/;

/** Text as the JSON value it holds when it is valid JSON (after trimming); otherwise the text itself. */
function textValue(text: string): unknown {
  if (!JSON_START.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One content block as plain JSON: text → {@link textValue}; image and audio → a `data:` URI (or the
 * block itself in `object` mode); resource links, embedded resources and unknown blocks → unchanged.
 *
 * @param block - a content block of a tool result
 * @param binary - how to show image and audio (default `data-uri`)
 */
export function mapContentBlock(block: Block, binary: BinaryContentMode = 'data-uri'): unknown {
  switch (block.type) {
    case 'text':
      return textValue(block.text);
    case 'image':
    case 'audio':
      return binary === 'data-uri' ? `data:${block.mimeType};base64,${block.data}` : block;
    case 'resource_link':
    case 'resource':
      return block;
    default:
      // A block type this SDK does not know yet: passed through unchanged.
      return block;
  }
}

/**
 * The REST answer of a successful tool result: its `structuredContent` when present; otherwise its
 * content mapped by {@link mapContentBlock} — one block → that value, several → an array, none → null.
 *
 * @param result - the tool result (not `isError`)
 * @param binary - how to show image and audio (default `data-uri`)
 * @example
 * ```ts
 * toolResponseBody({ content: [{ type: 'text', text: '{"a":1}' }] }); // { a: 1 }
 * ```
 */
export function toolResponseBody(result: CallToolResult, binary: BinaryContentMode = 'data-uri'): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = Array.isArray(result.content) ? result.content : [];
  if (content.length === 0) return null;
  if (content.length === 1) return mapContentBlock(content[0] as Block, binary);
  return content.map((block) => mapContentBlock(block, binary));
}

/**
 * The message of a tool result with `isError: true`: its text blocks joined by new lines (at most
 * 4 KiB), or a generic message when it has none.
 *
 * @param result - the failed tool result
 */
export function toolErrorMessage(result: CallToolResult): string {
  const texts = (Array.isArray(result.content) ? result.content : [])
    .filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text);
  const message = texts.join('\n').trim();
  if (message === '') return 'The tool reported an error';
  return message.length > 4096 ? `${message.slice(0, 4093)}...` : message;
}
