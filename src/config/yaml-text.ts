import { loadYaml } from '../lazy-modules.js';

/** Parses YAML (or JSON) text; the parser is loaded on first use. */
export function parseYamlText(text: string): unknown {
  return loadYaml().parse(text);
}
