// The 2025 raw echo answering arguments.size bytes, over stdin/stdout (the era-bytes scenario).
import { sizedAnswerLine } from './era-echo-variants.js';
import { serveNdjson } from './ndjson-echo.js';

serveNdjson(process.stdin, process.stdout, sizedAnswerLine);
process.stdin.on('end', () => process.stdout.end());
