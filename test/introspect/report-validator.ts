import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { projectFile } from '../fixtures/paths.js';

/** The published JSON Schema of the inspect report. */
export const REPORT_SCHEMA_FILE = projectFile('schemas/inspect-report.schema.json');

/** ajv (draft 2020-12 + formats) compiled against the published schema file; returns the errors. */
export async function publishedReportValidator(): Promise<(report: unknown) => string[]> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(REPORT_SCHEMA_FILE, 'utf8')) as object);
  return (report) =>
    validate(report) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
