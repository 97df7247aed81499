import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  ClientCredentialsProvider,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeKey,
  sign,
  startCountingBackend,
  startServe,
  type CountingBackend,
  type TestKey,
} from './harness.js';

/** A stub OAuth authorization server on 127.0.0.1: metadata, JWKS, and client_credentials tokens (JWTs). */
interface StubAs {
  issuer: string;
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

async function startStubAs(key: TestKey): Promise<StubAs> {
  const tokenRequests: URLSearchParams[] = [];
  let issuer = '';
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/oauth-authorization-server' || path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        grant_types_supported: ['client_credentials', 'authorization_code'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') return json(200, { keys: [key.publicJwk] });
    if (path === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        const resource = form.get('resource');
        if (form.get('grant_type') !== 'client_credentials' || resource === null) {
          return json(400, { error: 'invalid_request' });
        }
        void sign(key, {
          iss: issuer,
          aud: resource,
          sub: 'client-1',
          client_id: 'client-1',
          scope: 'mcp:tools',
        }).then((token) =>
          json(200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: 'mcp:tools' }),
        );
      });
      return undefined;
    }
    return json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let backend: CountingBackend;
let as: StubAs;
let serve: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  backend = await startCountingBackend();
  const key = await makeKey('as-key-1');
  as = await startStubAs(key);
  serve = await startServe(backend.uri, {
    security: {
      jwt: { jwksUri: `${as.issuer}/jwks`, issuer: as.issuer },
      oauth: { authorizationServers: [as.issuer], scopesSupported: ['mcp:tools'] },
    },
  });
});

afterAll(async () => {
  await serve.close();
  await as.close();
  await backend.close();
});

describe('OAuth 2.1 resource server: discovery by the SDK v2 client', () => {
  it('serves RFC 9728 metadata at the path-suffixed and root well-known URLs', async () => {
    const url = new URL(serve.url);
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const res = await fetch(new URL(path, url));
      expect(res.status).toBe(200);
      const doc = (await res.json()) as Record<string, unknown>;
      expect(doc.resource).toBe(serve.url);
      expect(doc.authorization_servers).toEqual([as.issuer]);
      expect(doc.scopes_supported).toEqual(['mcp:tools']);
    }
  });

  it('a client with no token discovers the AS from WWW-Authenticate, gets a token for this resource, and connects', async () => {
    const provider = new ClientCredentialsProvider({
      clientId: 'client-1',
      clientSecret: 'secret-1',
      expectedIssuer: as.issuer,
    });
    const transport = new StreamableHTTPClientTransport(new URL(serve.url), { authProvider: provider });
    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'authorized' } });
    expect(JSON.stringify(result)).toContain('authorized');
    // The token was asked for this server (RFC 8707 resource = the metadata's resource).
    expect(as.tokenRequests.at(-1)?.get('resource')).toBe(serve.url);
    expect(backend.received).toContain('tools/call:echo');
    await client.close();
  });
});
