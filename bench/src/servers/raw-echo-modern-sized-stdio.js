// The 2026-07-28-only raw echo answering arguments.size bytes, over stdin/stdout (the era-bytes scenario).
import { sizedModernAnswerLine } from './era-echo-variants.js';
import { serveNdjson } from './ndjson-echo.js';

serveNdjson(process.stdin, process.stdout, sizedModernAnswerLine);
process.stdin.on('end', () => process.stdout.end());
