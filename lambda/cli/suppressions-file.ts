import { readFileSync } from 'node:fs';
import type { Suppression } from '../model/suppression';
import { SuppressionError, parseSuppressions } from '../settings/suppressions';
import { UsageError } from './io';

/** `--suppressions FILE` of scan and audit: the list read and checked whole before anything runs. */
export const SUPPRESSIONS_FLAG_HELP =
  '--suppressions FILE    known exceptions (YAML or JSON list of {ruleId, subject: {key: glob}, reason,\n' +
  '                         expires}): matching findings open no incident and are counted with the reason';

export function readSuppressionsFile(path: string | undefined): Suppression[] {
  if (path === undefined) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--suppressions: cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  try {
    return parseSuppressions(text, path);
  } catch (err) {
    if (err instanceof SuppressionError) throw new UsageError(`--suppressions: ${err.message}`);
    throw err;
  }
}
