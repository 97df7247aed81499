import { parseUriTemplate } from '../schema/uri-template.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regular expression that matches the URIs a resource template (RFC 6570) can expand to: simple
 * expressions match one path segment, `{+x}` and `{#x}` anything, `{?x}`/`{&x}` an optional query part.
 * Used to find which server owns a URI that no server listed.
 *
 * @param template - e.g. `file:///{path}`, `users://{id}/posts{?limit}`
 * @example
 * ```ts
 * uriTemplatePattern('demo://greeting/{name}').test('demo://greeting/ada'); // true
 * ```
 */
export function uriTemplatePattern(template: string): RegExp {
  let source = '';
  for (const part of parseUriTemplate(template)) {
    if (part.kind === 'literal') {
      source += escape(part.text);
      continue;
    }
    switch (part.operator) {
      case '+':
      case '#':
        source += '.*';
        break;
      case '?':
      case '&':
        source += '(?:[?&].*)?';
        break;
      case '/':
        source += '(?:/[^/?#]*)*';
        break;
      case '.':
        source += '(?:\\.[^/?#.]*)*';
        break;
      case ';':
        source += '(?:;[^/?#]*)*';
        break;
      default:
        source += '[^/?#]+';
    }
  }
  return new RegExp(`^${source}$`, 's');
}
