/**
 * Where the CLI writes. With `--json`, stdout carries only the JSON document and human text goes to
 * stderr; without it, human text goes to stdout.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { thousands } from '../thousands.ts';

export interface Output {
  /** Human-readable text (a line break is added). */
  say(text?: string): void;
  /** The machine-readable result, when `--json` was given. */
  json(value: unknown): void;
  readonly jsonMode: boolean;
}

export function createOutput(jsonMode: boolean): Output {
  return {
    jsonMode,
    say(text = '') {
      (jsonMode ? process.stderr : process.stdout).write(`${text}\n`);
    },
    json(value: unknown) {
      if (jsonMode) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** Formats rows as an aligned text table; numbers are right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^([-+]?[\d.,]+%?|\u2013)$/.test(String(r[i] ?? ''))));
  const line = (r: readonly string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Shortens text to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A share as a percentage with one decimal. */
export function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/**
 * Each routing action's leads and the conversions they hold, in one line: `sales 1,204 leads (41.0% convert,
 * 52.1% of conversions); …` — how many buyers a `disqualify` would have thrown away.
 */
export function actionConversions(rows: ReadonlyArray<{ segment: string; leads: number; conversions: number; rate: number }>): string {
  const total = rows.reduce((s, r) => s + r.conversions, 0);
  return rows.map((r) => `${r.segment} ${thousands(r.leads)} leads (${percent(r.rate)} convert, ${thousands(r.conversions)} = ${percent(total ? r.conversions / total : 0)} of conversions)`).join('; ');
}

/**
 * A path as a user reads it: relative to the current folder when it lies below it, else absolute (never
 * `../../x`).
 *
 * @example
 * shownPath('/home/me/leads/run'); // 'run' from /home/me/leads, '/home/me/leads/run' from /tmp
 */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}

/**
 * With `--trust`: a `warning:` line on stderr for each model that was edited after it was written (its
 * content hash no longer matches), which the command then uses anyway.
 */
export async function warnEditedModels(trust: boolean | undefined, ...paths: Array<string | undefined>): Promise<void> {
  if (!trust) return;
  const { loadModel } = await import('../models/artifact.ts');
  for (const path of paths) if (path && (await loadModel(path, { trust: true })).edited) warnEdited(path);
}

/** The `warning:` line for a model used though edited after it was written (`--trust`). */
export function warnEdited(path: string): void {
  process.stderr.write(`warning: ${path} was changed after it was written (content hash mismatch); used anyway (--trust)\n`);
}
