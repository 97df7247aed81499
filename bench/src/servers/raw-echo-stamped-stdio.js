// The 2025 raw echo stamped like a 2026-07-28 server (resultType, _meta identity), over stdin/stdout (the era-bytes scenario).
import { stampedAnswerLine } from './era-echo-variants.js';
import { serveNdjson } from './ndjson-echo.js';

serveNdjson(process.stdin, process.stdout, stampedAnswerLine);
process.stdin.on('end', () => process.stdout.end());
