/**
 * Typed errors with stable codes. Only `src/cli/` turns them into text and exit codes:
 * a `LeadscoreError` is known bad input (exit 2, one line + hint); anything else is a bug (exit 1).
 *
 * @example
 * throw new DataError('target column "convertd" not found', 'did you mean "converted"?', 'TARGET_MISSING');
 */
export class LeadscoreError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
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
  constructor(code: string, message: string, hint: string, issues: DataIssue[] = []) {
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
  constructor(code: string, message: string, hint: string) {
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
  constructor(code: string, message: string, hint: string) {
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
