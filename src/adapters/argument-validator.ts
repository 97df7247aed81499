import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ToolEntry } from '../introspect/report.js';

/** One reason arguments do not match a tool's input schema (ajv's error, trimmed). */
export interface ArgumentIssue {
  /** JSON pointer of the offending value (`/count`; `''` for the whole body). */
  instancePath: string;
  /** The schema keyword that failed (`required`, `type`, …). */
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

/** At most this many issues are reported per call. */
const MAX_ISSUES = 20;

type Dialect = 'draft-07' | '2020-12';

function dialectOf(schema: Record<string, unknown>): Dialect {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  return /draft-0[4-7]/.test(declared) ? 'draft-07' : '2020-12';
}

function newAjv(dialect: Dialect): Ajv {
  // Not strict: servers write schemas with unknown keywords and formats; they are annotations here.
  const options = { strict: false, allErrors: true, validateFormats: true };
  const ajv = dialect === 'draft-07' ? new Ajv(options) : new Ajv2020(options);
  addFormats.default(ajv);
  return ajv;
}

/**
 * Validates tool arguments against the tools' input schemas with ajv (draft-07 or 2020-12 by the
 * schema's `$schema`, formats included; `$defs`/`definitions` and local `$ref`s resolve within the
 * schema). Validators are compiled on first use and kept for the life of this object — make one per
 * catalog revision. A schema ajv cannot compile is not enforced (the server still validates), and is
 * reported once through `onUncompilable`.
 */
export class ArgumentValidator {
  readonly #ajv = new Map<Dialect, Ajv>();
  readonly #compiled = new Map<string, ValidateFunction | null>();
  readonly #onUncompilable: ((tool: string, error: Error) => void) | undefined;

  /** @param onUncompilable - told about schemas that are not enforced */
  constructor(onUncompilable?: (tool: string, error: Error) => void) {
    this.#onUncompilable = onUncompilable;
  }

  /**
   * Checks `args` against the tool's input schema.
   *
   * @returns the issues (at most 20), or `undefined` when the arguments are valid (or not checkable)
   */
  check(tool: ToolEntry, args: unknown): ArgumentIssue[] | undefined {
    const validate = this.#validator(tool);
    if (validate === null || validate(args)) return undefined;
    return (validate.errors ?? []).slice(0, MAX_ISSUES).map((e: ErrorObject) => ({
      instancePath: e.instancePath,
      keyword: e.keyword,
      message: e.message ?? 'is invalid',
      params: e.params as Record<string, unknown>,
    }));
  }

  #validator(tool: ToolEntry): ValidateFunction | null {
    const known = this.#compiled.get(tool.name);
    if (known !== undefined) return known;
    const { $schema: _schema, $id: _id, ...schema } = tool.inputSchema;
    const dialect = dialectOf(tool.inputSchema);
    let ajv = this.#ajv.get(dialect);
    if (ajv === undefined) {
      ajv = newAjv(dialect);
      this.#ajv.set(dialect, ajv);
    }
    let validate: ValidateFunction | null;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      validate = null;
      this.#onUncompilable?.(tool.name, error instanceof Error ? error : new Error(String(error)));
    }
    this.#compiled.set(tool.name, validate);
    return validate;
  }
}
