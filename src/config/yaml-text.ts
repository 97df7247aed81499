import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

/**
 * Parses YAML (or JSON) text. The parser is loaded on first use: a process started without a config
 * file does not pay for it at startup.
 */
export function parseYamlText(text: string): unknown {
  return (createRequire(import.meta.url)('yaml') as typeof Yaml).parse(text);
}
