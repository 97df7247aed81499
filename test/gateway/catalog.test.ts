/** Naming, filtering and merging rules of the gateway's catalog (no servers needed). */
import { describe, expect, it } from 'vitest';
import {
  Catalog,
  CatalogView,
  Namespace,
  uriTemplatePattern,
  type CatalogChange,
  type ServerListing,
} from '../../src/gateway/index.js';

const listing = (over: Partial<ServerListing> = {}): ServerListing => ({
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  capabilities: { tools: {} },
  era: 'session',
  ...over,
});

const tools = (...names: string[]) => names.map((name) => ({ name, inputSchema: { type: 'object' } }));

describe('namespace', () => {
  it('exposes <server><separator><name> and keeps names unchanged with namespace: false', () => {
    expect(new Namespace({ separator: '__' }, ['files']).expose('files', 'read')).toBe('files__read');
    expect(new Namespace({ separator: '.' }, ['files']).expose('files', 'read')).toBe('files.read');
    expect(new Namespace(false, ['only']).expose('only', 'read')).toBe('read');
  });

  it('refuses server names that would make names ambiguous, naming both', () => {
    expect(() => new Namespace({ separator: '__' }, ['a', 'a_'])).toThrow(/"a" and "a_" are ambiguous/);
    expect(() => new Namespace({ separator: '..' }, ['x.', 'x'])).toThrow(/"x" and "x." are ambiguous/);
    // Not every prefix is ambiguous: "-x-" has no border, so "a" and "a-" cannot produce the same name.
    expect(() => new Namespace({ separator: '-x-' }, ['a', 'a-'])).not.toThrow();
    expect(() => new Namespace({ separator: '__' }, ['my__files'])).toThrow(
      /contains the namespace separator/,
    );
    expect(() => new Namespace({ separator: '__' }, ['a', 'a'])).toThrow(/given twice/);
    expect(() => new Namespace({ separator: '__' }, ['bad name'])).toThrow(/server name "bad name"/);
    expect(() => new Namespace(false, ['a', 'b'])).toThrow(/namespace: false needs a single server/);
  });
});

describe('catalog', () => {
  const make = (servers = ['a', 'b'], filters: Record<string, object> = {}) =>
    new Catalog({
      servers: servers.map((name) => ({ name, filters: filters[name] })),
      namespace: new Namespace({ separator: '__' }, servers),
    });

  it('maps names back exactly, even names that contain the separator', () => {
    const c = make();
    c.setListing('a', listing({ tools: tools('x__y', 'echo') }));
    c.setListing('b', listing({ tools: tools('echo') }));
    expect(c.list('tools').map((t) => t.name)).toEqual(['a__x__y', 'a__echo', 'b__echo']);
    expect(c.resolveTool('a__x__y')).toEqual({ status: 'up', server: 'a', name: 'x__y' });
    expect(c.resolveTool('b__echo')).toEqual({ status: 'up', server: 'b', name: 'echo' });
    expect(c.resolveTool('echo')).toBeUndefined();
  });

  it('applies allow/deny globs per server and kind: hidden items are unknown', () => {
    const c = make(['a'], {
      a: { tools: { allow: ['read_*'], deny: ['read_secret*'] }, resources: { deny: ['file:///private/*'] } },
    });
    c.setListing(
      'a',
      listing({
        tools: tools('read_file', 'read_secrets', 'write_file'),
        resources: [{ uri: 'file:///docs/a' }, { uri: 'file:///private/b' }],
        resourceTemplates: [{ uriTemplate: 'file:///private/{x}' }, { uriTemplate: 'file:///docs/{x}' }],
      }),
    );
    expect(c.list('tools').map((t) => t.name)).toEqual(['a__read_file']);
    expect(c.resolveTool('a__write_file')).toBeUndefined();
    expect(c.list('resources').map((r) => r.uri)).toEqual(['file:///docs/a']);
    expect(c.list('resourceTemplates').map((t) => t.uriTemplate)).toEqual(['file:///docs/{x}']);
    expect(c.resourceAllowed('a', 'file:///private/b')).toBe(false);
  });

  it('withdraws a server that goes down, keeping its names to name it, and reports what changed', () => {
    const c = make();
    const changes: CatalogChange[] = [];
    c.onChange((change) => changes.push(change));
    c.setListing('a', listing({ tools: tools('echo'), resources: [{ uri: 'mem://a' }] }));
    c.setListing('b', listing({ tools: tools('echo') }));
    c.setDown('a', 'it crashed');
    expect(c.list('tools').map((t) => t.name)).toEqual(['b__echo']);
    expect(c.resolveTool('a__echo')).toEqual({ status: 'down', server: 'a', name: 'echo' });
    expect(c.ownerOfUri('mem://a')).toEqual({ server: 'a', up: false });
    expect(c.reason('a')).toBe('it crashed');
    expect(changes.map((ch) => [ch.server, ch.status, [...ch.kinds]])).toEqual([
      ['a', 'up', ['tools', 'resources']],
      ['b', 'up', ['tools']],
      ['a', 'down', ['tools', 'resources']],
    ]);
    // The same listing again changes nothing; a new one reports only what differs.
    c.setListing('b', listing({ tools: tools('echo') }));
    c.setListing('b', listing({ tools: tools('echo', 'more') }));
    expect(changes.length).toBe(4);
    expect([...(changes[3]?.kinds ?? [])]).toEqual(['tools']);
  });

  it('serves a URI listed twice from the first server, and reports it', () => {
    const reports: unknown[] = [];
    const c = new Catalog({
      servers: [{ name: 'a' }, { name: 'b' }],
      namespace: new Namespace({ separator: '__' }, ['a', 'b']),
      onReport: (r) => reports.push(r),
    });
    c.setListing('a', listing({ resources: [{ uri: 'x://same' }] }));
    c.setListing('b', listing({ resources: [{ uri: 'x://same' }, { uri: 'y://only-b' }] }));
    expect(c.ownerOfUri('x://same')?.server).toBe('a');
    expect(c.list('resources').map((r) => r.uri)).toEqual(['x://same', 'y://only-b']);
    expect(reports).toContainEqual({ type: 'duplicate-uri', uri: 'x://same', served: 'a', ignored: 'b' });
    // A URI no one listed goes to the only server using its scheme.
    expect(c.ownerOfUri('y://other')?.server).toBe('b');
    expect(c.ownerOfUri('x://other')).toBeUndefined();
  });

  it('unions capabilities of the servers that are up and joins instructions under server names', () => {
    const c = make();
    c.setListing('a', listing({ capabilities: { tools: {}, logging: {} }, instructions: 'use a' }));
    c.setListing('b', listing({ capabilities: { resources: { subscribe: true } }, instructions: 'use b' }));
    expect(c.capabilities()).toEqual({
      tools: { listChanged: true },
      logging: {},
      resources: { subscribe: true, listChanged: true },
    });
    expect(c.instructions('Gateway.')).toBe('Gateway.\n\n## a\nuse a\n\n## b\nuse b');
    c.setDown('b', 'gone');
    expect(c.capabilities()).toEqual({ tools: { listChanged: true }, logging: {} });
  });

  it('views filter by exposed names and URIs, and page with a cursor only they issue', () => {
    const c = make();
    c.setListing('a', listing({ tools: tools('t1', 't2', 't3') }));
    c.setListing('b', listing({ tools: tools('t1'), resources: [{ uri: 'r://1' }] }));
    const view = new CatalogView(c, ['a__t*', 'r://*'], 2);
    expect(view.list('tools').map((t) => t.name)).toEqual(['a__t1', 'a__t2', 'a__t3']);
    const first = view.page('tools', undefined);
    expect(first.items.map((t) => t.name)).toEqual(['a__t1', 'a__t2']);
    const second = view.page('tools', first.nextCursor);
    expect(second).toEqual({ items: [{ name: 'a__t3', inputSchema: { type: 'object' } }] });
    expect(() => view.page('tools', 'garbage')).toThrow(/Invalid cursor/);
    expect(view.shows('b__t1')).toBe(false);
  });
});

describe('uri templates', () => {
  it('match what they can expand to', () => {
    expect(uriTemplatePattern('demo://greeting/{name}').test('demo://greeting/ada')).toBe(true);
    expect(uriTemplatePattern('demo://greeting/{name}').test('demo://greeting/a/b')).toBe(false);
    expect(uriTemplatePattern('file:///{+path}').test('file:///a/b/c.txt')).toBe(true);
    expect(uriTemplatePattern('u://{id}/posts{?limit}').test('u://7/posts?limit=2')).toBe(true);
    expect(uriTemplatePattern('u://{id}/posts{?limit}').test('u://7/posts')).toBe(true);
    expect(uriTemplatePattern('a.b://{x}').test('aXb://1')).toBe(false);
  });
});
