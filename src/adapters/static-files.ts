import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

// The documentation UIs (Swagger UI, GraphiQL) are served from the npm packages installed with the
// library — never from a CDN. Only the files listed here are reachable; each is read once and kept
// (a few MB in total), and revalidated by browsers with an ETag.

const require = createRequire(import.meta.url);

/**
 * The absolute path of a file inside an installed npm package.
 *
 * @param pkg - the package name (`swagger-ui-dist`)
 * @param file - the path inside the package (`swagger-ui.css`)
 * @throws when the package is not installed
 */
export function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** A file a {@link StaticFiles} set may serve. */
export interface StaticFile {
  /** Absolute path, or the content itself. */
  source: { file: string } | { text: string };
  /** `Content-Type` of the answer. */
  type: string;
}

interface Loaded {
  body: Buffer;
  etag: string;
}

/**
 * A fixed set of files served by name, with `ETag`/`If-None-Match` revalidation. Anything not in the
 * set is not found: request paths never reach the file system.
 */
export class StaticFiles {
  readonly #files: ReadonlyMap<string, StaticFile>;
  readonly #loaded = new Map<string, Promise<Loaded>>();

  /** @param files - by the name they are requested under (`swagger-ui.css`) */
  constructor(files: Record<string, StaticFile>) {
    this.#files = new Map(Object.entries(files));
  }

  /** Whether `name` is one of the files. */
  has(name: string): boolean {
    return this.#files.has(name);
  }

  /**
   * Answers with the file called `name` (200, or 304 when the client's copy is current).
   *
   * @returns `false` (nothing sent) when there is no such file
   */
  async serve(name: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const file = this.#files.get(name);
    if (file === undefined) return false;
    let loading = this.#loaded.get(name);
    if (loading === undefined) {
      loading = load(file);
      this.#loaded.set(name, loading);
      // A failed read is retried on the next request.
      loading.catch(() => this.#loaded.delete(name));
    }
    const { body, etag } = await loading;
    const headers = {
      'content-type': file.type,
      etag,
      // Versioned by the installed package: cache briefly, revalidate with the ETag.
      'cache-control': 'public, max-age=300',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}

async function load(file: StaticFile): Promise<Loaded> {
  const body = 'text' in file.source ? Buffer.from(file.source.text) : await readFile(file.source.file);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/**
 * The `Content-Security-Policy` of a documentation page: its own scripts only (no inline script),
 * inline styles (both UIs set style attributes), `data:` images and fonts, calls to the same origin.
 */
export const UI_PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'self'; " +
  "frame-ancestors 'none'";

/**
 * Answers with an HTML page under {@link UI_PAGE_CSP}.
 *
 * @param html - the page
 */
export function sendPage(res: ServerResponse, html: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': UI_PAGE_CSP,
    'content-length': Buffer.byteLength(html),
  });
  res.end(html);
}

/** Escapes text for HTML attribute values and text. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
