import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, packageFile, sendPage, StaticFiles } from '../static-files.js';

// Swagger UI from the `swagger-ui-dist` package: the page, its two assets and our initializer (an
// external script, so the page's CSP needs no inline script). The initializer reads the document's
// URL from the page, so one script serves every mount path.

const INITIALIZER = `// Swagger UI for the mcp-switchboard REST adapter.
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec-url'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
`;

let assets: StaticFiles | undefined;

function swaggerAssets(): StaticFiles {
  assets ??= new StaticFiles({
    'swagger-ui.css': {
      source: { file: packageFile('swagger-ui-dist', 'swagger-ui.css') },
      type: 'text/css',
    },
    'swagger-ui-bundle.js': {
      source: { file: packageFile('swagger-ui-dist', 'swagger-ui-bundle.js') },
      type: 'text/javascript',
    },
    'favicon-32x32.png': {
      source: { file: packageFile('swagger-ui-dist', 'favicon-32x32.png') },
      type: 'image/png',
    },
    'init.js': { source: { text: INITIALIZER }, type: 'text/javascript' },
  });
  return assets;
}

/**
 * Serves Swagger UI under `<base>/docs`: the page itself at `/docs` (or `/docs/`), its assets below it.
 *
 * @param rest - the path below `/docs` (`''`, `/`, `/swagger-ui.css`, …)
 * @param basePath - where the adapter is mounted (`/rest`, or `''` at the root)
 * @param title - the page title (the server's name)
 * @returns `false` when `rest` names nothing
 */
export async function serveSwaggerUi(
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  basePath: string,
  title: string,
): Promise<boolean> {
  if (rest === '' || rest === '/') {
    const docs = `${basePath}/docs`;
    sendPage(
      res,
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — REST API</title>
<link rel="stylesheet" href="${escapeHtml(docs)}/swagger-ui.css">
<link rel="icon" type="image/png" href="${escapeHtml(docs)}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-spec-url="${escapeHtml(`${basePath}/openapi.json`)}"></div>
<script src="${escapeHtml(docs)}/swagger-ui-bundle.js"></script>
<script src="${escapeHtml(docs)}/init.js"></script>
</body>
</html>
`,
    );
    return true;
  }
  return swaggerAssets().serve(rest.slice(1), req, res);
}
