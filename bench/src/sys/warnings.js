/**
 * Collects the process warnings raised in the load generator process (where our client transports and
 * the SDK Client run), per case: the first of each kind is printed, the rest counted, and all go into
 * the report. With `--no-warnings` (as `npm run bench` runs) Node prints none itself, so a warning
 * repeated thousands of times does not flood the output.
 */

/** @type {Map<string, { caseId: string, warning: string, count: number }>} */
const seen = new Map();
let currentCase = '(start-up)';

/** @param {string} caseId - the case now running; later warnings are attributed to it */
export function setWarningCase(caseId) {
  currentCase = caseId;
}

/** Starts collecting. */
export function collectWarnings() {
  process.on('warning', (warning) => {
    // Messages that differ only in their numbers ("11 listeners", "12 listeners") are one kind.
    const key = `${currentCase}\t${warning.name}: ${warning.message.replace(/\d+/g, 'N')}`;
    const entry = seen.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    const text = `${warning.name}: ${warning.message}`;
    seen.set(key, { caseId: currentCase, warning: text, count: 1 });
    process.stderr.write(`warning during ${currentCase}: ${text}\n`);
  });
}

/** The warnings seen so far, one entry per case and kind, with how often it occurred. */
export function warningsSeen() {
  return [...seen.values()];
}
