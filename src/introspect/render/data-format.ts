import { stringify as stringifyYaml } from 'yaml';

/** Machine-readable output formats. */
export type DataFormat = 'json' | 'yaml';

/**
 * Serialises a value as pretty JSON or YAML, ending with a newline.
 *
 * @param value - any JSON-compatible value
 * @param format - `json` (2-space indent) or `yaml`
 * @example
 * ```ts
 * renderData({ a: 1 }, 'yaml'); // 'a: 1\n'
 * ```
 */
export function renderData(value: unknown, format: DataFormat): string {
  // No anchors/aliases for shared objects: many OpenAPI tools do not resolve them.
  if (format === 'yaml') return stringifyYaml(value, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${JSON.stringify(value, null, 2)}\n`;
}
