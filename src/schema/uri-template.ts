/** One part of an RFC 6570 URI template. */
export type UriTemplatePart =
  | { kind: 'literal'; text: string }
  | { kind: 'expression'; operator: string; variables: string[]; raw: string };

/** A template variable and whether a URI needs it. */
export interface UriTemplateVariable {
  name: string;
  /** Path-like expansions (`{x}`, `{+x}`, `{/x}`, `{.x}`, `{;x}`) are required; `{?x}`, `{&x}`, `{#x}` are not. */
  required: boolean;
}

const OPERATORS = new Set(['+', '#', '.', '/', ';', '?', '&']);

/**
 * Splits a URI template into literal text and expressions (RFC 6570, levels 1–4; value modifiers
 * `:N` and `*` are dropped from variable names).
 *
 * @param template - e.g. `users://{userId}/posts{?limit,cursor}`
 * @example
 * ```ts
 * parseUriTemplate('a/{b}'); // [{ kind: 'literal', text: 'a/' }, { kind: 'expression', operator: '', variables: ['b'], raw: '{b}' }]
 * ```
 */
export function parseUriTemplate(template: string): UriTemplatePart[] {
  const parts: UriTemplatePart[] = [];
  const pattern = /\{([^{}]*)\}/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    if (match.index > last) parts.push({ kind: 'literal', text: template.slice(last, match.index) });
    const body = match[1] ?? '';
    const operator = OPERATORS.has(body.charAt(0)) ? body.charAt(0) : '';
    const variables = body
      .slice(operator.length)
      .split(',')
      .map((v) => v.replace(/(:\d+|\*)$/, '').trim())
      .filter((v) => v !== '');
    parts.push({ kind: 'expression', operator, variables, raw: match[0] });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'literal', text: template.slice(last) });
  return parts;
}

/**
 * The variables of a URI template, each once, in order of appearance.
 *
 * @param template - a URI template
 */
export function uriTemplateVariables(template: string): UriTemplateVariable[] {
  const seen = new Map<string, UriTemplateVariable>();
  for (const part of parseUriTemplate(template)) {
    if (part.kind !== 'expression') continue;
    const required = !['?', '&', '#'].includes(part.operator);
    for (const name of part.variables) {
      const known = seen.get(name);
      if (known === undefined) seen.set(name, { name, required });
      else known.required ||= required;
    }
  }
  return [...seen.values()];
}
