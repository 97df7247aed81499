// The raw NDJSON echo over stdin/stdout for protocol 2026-07-28 only (no SDK): the backend of the era
// bridge runs.
import { answerModernLine } from './modern-echo-logic.js';
import { serveNdjson } from './ndjson-echo.js';

serveNdjson(process.stdin, process.stdout, answerModernLine);
process.stdin.on('end', () => process.stdout.end());
