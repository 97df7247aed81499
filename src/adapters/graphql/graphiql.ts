import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, packageFile, sendPage, StaticFiles } from '../static-files.js';

// GraphiQL from the `graphiql` package's prebuilt browser bundle (graphiql.min.js, a UMD build that
// needs React and ReactDOM as globals: their UMD builds come from the `react` and `react-dom`
// packages). No CDN. Our initializer is an external script, so the page's CSP needs no inline script.

const INITIALIZER = `// GraphiQL for the mcp-switchboard GraphQL adapter.
(function () {
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }),
  );
})();
`;

let assets: StaticFiles | undefined;

function graphiqlAssets(): StaticFiles {
  assets ??= new StaticFiles({
    'react.production.min.js': {
      source: { file: packageFile('react', 'umd/react.production.min.js') },
      type: 'text/javascript',
    },
    'react-dom.production.min.js': {
      source: { file: packageFile('react-dom', 'umd/react-dom.production.min.js') },
      type: 'text/javascript',
    },
    'graphiql.min.js': {
      source: { file: packageFile('graphiql', 'graphiql.min.js') },
      type: 'text/javascript',
    },
    'graphiql.min.css': { source: { file: packageFile('graphiql', 'graphiql.min.css') }, type: 'text/css' },
    'init.js': { source: { text: INITIALIZER }, type: 'text/javascript' },
  });
  return assets;
}

/**
 * Answers with the GraphiQL page for the endpoint `endpoint` (its assets live at `<endpoint>/graphiql/`).
 *
 * @param endpoint - the GraphQL endpoint path (`/graphql`)
 */
export function sendGraphiql(res: ServerResponse, endpoint: string): void {
  const assetsPath = `${endpoint === '/' ? '' : endpoint}/graphiql`;
  const a = escapeHtml(assetsPath);
  sendPage(
    res,
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL — MCP</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${a}/graphiql.min.css">
<style>body { margin: 0; } #graphiql { height: 100dvh; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${escapeHtml(endpoint)}">Loading GraphiQL…</div>
<script src="${a}/react.production.min.js"></script>
<script src="${a}/react-dom.production.min.js"></script>
<script src="${a}/graphiql.min.js"></script>
<script src="${a}/init.js"></script>
</body>
</html>
`,
  );
}

/**
 * Serves one GraphiQL asset by name.
 *
 * @returns `false` when there is no such asset
 */
export function serveGraphiqlAsset(
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  return graphiqlAssets().serve(name, req, res);
}
