// The raw NDJSON echo MCP server over stdin/stdout (no SDK): the backend of the stdio and proxy runs.
import { serveNdjson } from './ndjson-echo.js';

serveNdjson(process.stdin, process.stdout);
process.stdin.on('end', () => process.stdout.end());
