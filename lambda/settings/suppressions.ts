import { parse } from 'yaml';
import type { Suppression } from '../model/suppression';
import { RULES } from '../rules/registry';
import { globProblem } from '../model/glob';
import { expiryMs } from '../model/suppression';

/**
 * Suppressions as a user writes them: a YAML or JSON list (or `{suppressions: [...]}`) of
 * `{ruleId, subject: {key: glob}, reason, expires}`, from `--suppressions FILE` or the context key
 * `suppressions`. Checked whole before anything runs: a bad entry is an error naming the entry, never skipped.
 */

export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
}

const KEYS = new Set(['ruleId', 'subject', 'reason', 'expires']);
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Parses YAML or JSON text (JSON is YAML) into checked suppressions. `where` names the source in errors. */
export function parseSuppressions(text: string, where: string): Suppression[] {
  let value: unknown;
  try {
    value = parse(text, { prettyErrors: false, logLevel: 'silent', maxAliasCount: 100 });
  } catch (err) {
    throw new SuppressionError(`${where}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkSuppressions(value, where);
}

/** Checks an already-parsed value (the context key's JSON). */
export function checkSuppressions(value: unknown, where: string): Suppression[] {
  if (value === null || value === undefined) return [];
  const list = isObject(value) && 'suppressions' in value ? value['suppressions'] : value;
  if (list === null) return [];
  if (!Array.isArray(list)) throw new SuppressionError(`${where}: expected a list of {ruleId, subject, reason, expires}`);
  const ids = new Set(RULES.map((r) => r.id));
  return list.map((entry, i) => checkEntry(entry, `${where}: suppressions[${i}]`, ids));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEntry(entry: unknown, at: string, ids: ReadonlySet<string>): Suppression {
  if (!isObject(entry)) throw new SuppressionError(`${at}: expected {ruleId, subject, reason, expires}`);
  const name = typeof entry['ruleId'] === 'string' ? `${at} (${entry['ruleId']})` : at;
  const fail = (why: string): never => {
    throw new SuppressionError(`${name}: ${why}`);
  };
  const unknown = Object.keys(entry).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) fail(`unknown key(s) ${unknown.join(', ')} (expected ruleId, subject, reason, expires)`);
  const ruleId = entry['ruleId'];
  if (typeof ruleId !== 'string' || ruleId.trim() === '') fail('ruleId is missing');
  if (!ids.has(ruleId as string)) fail(`ruleId "${String(ruleId)}" is not a rule (eks-authz-audit rules lists them)`);
  const reason = entry['reason'];
  if (typeof reason !== 'string' || reason.trim() === '') fail('reason is missing: say why this is an accepted exception');
  const expires = entry['expires'];
  // YAML reads an unquoted 2027-01-31 as a string with the default schema; a Date would come from a timestamp tag.
  const text = expires instanceof Date ? expires.toISOString() : expires;
  if (typeof text !== 'string' || text.trim() === '') fail('expires is missing: give the date it should stop applying (YYYY-MM-DD)');
  if (!ISO.test((text as string).trim()) || Number.isNaN(expiryMs((text as string).trim()))) {
    fail(`expires "${String(text)}" is not a date (YYYY-MM-DD or an ISO 8601 date-time with a zone)`);
  }
  const subject: Record<string, string> = {};
  const raw = entry['subject'];
  if (raw !== undefined && raw !== null) {
    if (!isObject(raw)) fail('subject must be a mapping of subject key to glob, e.g. {username: "system:serviceaccount:ci:*"}');
    for (const [key, glob] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof glob !== 'string') fail(`subject.${key} must be a string glob`);
      const problem = globProblem(glob as string);
      if (problem) fail(`subject.${key} "${String(glob)}" ${problem}`);
      subject[key] = glob as string;
    }
  }
  return { ruleId: ruleId as string, subject, reason: (reason as string).trim(), expires: (text as string).trim() };
}
