/**
 * Every code an error of leadscore carries: stable, since users' scripts and the tests match on them. A
 * new code is added here (the constructors take only these).
 */
export const ERROR_CODES = [
  'ACTIVITIES_REQUIRED',
  'ACTIVITY_COLUMN_UNKNOWN',
  'AS_OF_MISSING',
  'AS_OF_REQUIRED',
  'AS_OF_WITHOUT_ACTIVITIES',
  'BACKEND_UNAVAILABLE',
  'BAD_AS_OF',
  'BAD_CAPACITY',
  'BAD_DATE',
  'BAD_DECIMALS',
  'BAD_DELIMITER',
  'BAD_FORMAT',
  'BAD_MATURITY',
  'BAD_NOW',
  'BAD_PARAM',
  'BAD_PERIOD',
  'BAD_SPLIT',
  'BAD_TEST_SIZE',
  'BAD_THRESHOLD',
  'BAD_WINDOW',
  'BINARY_FILE',
  'CAPACITY_NEEDS_DATE',
  'COLUMNS_MISSING',
  'COLUMN_CLASH',
  'COLUMN_MISSING',
  'CSV_EMPTY',
  'CSV_TOO_MANY_FIELDS',
  'CSV_UNTERMINATED_QUOTE',
  'DATE_MISSING',
  'FEATURE_MISSING',
  'FILE_NOT_FOUND',
  'FILE_NOT_READABLE',
  'GROUP_SPLIT_IMPOSSIBLE',
  'GZIP_INVALID',
  'HOLDOUT_MISSING',
  'ID_REQUIRED',
  'JSON_INVALID',
  'JSON_NOT_ARRAY',
  'JSON_NOT_RECORD',
  'MODEL_CORRUPT',
  'MODEL_EDITED',
  'MODEL_INVALID',
  'MODEL_KIND',
  'MODEL_NOT_FOUND',
  'MODEL_TOO_NEW',
  'MODEL_VERSION',
  'MONOTONE_CATEGORICAL',
  'MONOTONE_UNKNOWN',
  'NA_CONTRADICTS_MODEL',
  'NDJSON_INVALID',
  'NOT_A_BACKTEST',
  'NOT_A_DATE',
  'NOT_A_FILE',
  'NOT_A_RUN',
  'NOT_FITTED',
  'NOT_LOGISTIC',
  'NOT_TRAINING_FILE',
  'NOT_UTF8',
  'NO_CANDIDATES',
  'NO_FEATURES',
  'NO_PERIODS',
  'OUTCOME_DATE_ORDINAL',
  'OUTPUT_IS_INPUT',
  'OUTPUT_NOT_WRITABLE',
  'POSITIVE_CONTRADICTS_MODEL',
  'PREVIOUS_COLUMNS',
  'RULE_FILE_INVALID',
  'RULE_FILE_NOT_FOUND',
  'SOURCE_DATE_EPOCH_INVALID',
  'SOURCE_MISSING',
  'SOURCE_TWICE',
  'SPLIT_NEEDS_COLUMN',
  'SPREADSHEET',
  'SQL_ACTIVITIES',
  'SQL_FAILED',
  'SQL_MODEL_KIND',
  'TARGET_CONTRADICTS_MODEL',
  'TARGET_EXCLUDED',
  'TARGET_MISSING',
  'TARGET_NOT_BINARY',
  'TARGET_ONE_CLASS',
  'TARGET_POSITIVE_UNKNOWN',
  'THRESHOLD_UNREACHABLE',
  'TIME_SPLIT_IMPOSSIBLE',
  'TOO_FEW_POSITIVES',
  'UNKNOWN_MODEL',
  'UNKNOWN_PARAM',
  'WOULD_OVERWRITE',
  'WRONG_TYPE',
  'ZIP_ARCHIVE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Whether a string (an error's code from a worker, say) is one of ERROR_CODES.
 *
 * @example
 * isErrorCode('WRONG_TYPE'); // true
 */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * Typed errors with stable codes. Only `src/cli/` turns them into text and exit codes:
 * a `LeadscoreError` is known bad input (exit 2, one line + hint); anything else is a bug (exit 1).
 *
 * @example
 * throw new DataError('TARGET_MISSING', 'target column "convertd" not found', 'did you mean "converted"?');
 */
export class LeadscoreError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  constructor(code: ErrorCode, message: string, hint: string) {
    super(message);
    this.name = 'LeadscoreError';
    this.code = code;
    this.hint = hint;
  }
}

/** One problem found while validating data: where it is and what is wrong. */
export interface DataIssue {
  column?: string;
  row?: number;
  message: string;
}

/**
 * Bad data: unreadable file, wrong target, too few positives. `issues` lists every problem found.
 *
 * @example
 * try { await train({ data: { path: 'leads.csv' }, target: 'converted' }); } catch (err) { if (err instanceof DataError) console.error(err.message, err.hint, err.issues); }
 */
export class DataError extends LeadscoreError {
  readonly issues: DataIssue[];
  constructor(code: ErrorCode, message: string, hint: string, issues: DataIssue[] = []) {
    super(code, message, hint);
    this.name = 'DataError';
    this.issues = issues;
  }
}

/**
 * Bad configuration or command-line usage.
 *
 * @example
 * throw new ConfigError('BAD_THRESHOLD', 'precision must be between 0 and 1', 'use e.g. --threshold precision:0.4');
 */
export class ConfigError extends LeadscoreError {
  constructor(code: ErrorCode, message: string, hint: string) {
    super(code, message, hint);
    this.name = 'ConfigError';
  }
}

/**
 * A model artifact that cannot be loaded: unknown kind, unsupported format version, corrupt JSON.
 *
 * @example
 * try { await loadModel('old.model.json'); } catch (err) { if (err instanceof ModelFormatError) console.error(err.hint); }
 */
export class ModelFormatError extends LeadscoreError {
  constructor(code: ErrorCode, message: string, hint: string) {
    super(code, message, hint);
    this.name = 'ModelFormatError';
  }
}

/**
 * A model used before `fit`.
 *
 * @example
 * new LogisticRegression().predictProba(design); // throws NotFittedError: call fit(X, y) before predicting
 */
export class NotFittedError extends LeadscoreError {
  constructor(model: string) {
    super('NOT_FITTED', `${model} is not fitted`, 'call fit(X, y) before predicting');
    this.name = 'NotFittedError';
  }
}

/** Result of a `validateX` function: the value, or the issues that stop it. */
export type Validation<T> = { ok: true; value: T } | { ok: false; issues: DataIssue[] };
