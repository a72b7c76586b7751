import { parseDocument } from 'yaml';
import type { Suppression } from '../model/suppression';
import { RULES } from '../rules/registry';
import { globProblem } from '../model/glob';
import { expiryMs } from '../model/suppression';

/**
 * Suppressions as a user writes them: a YAML or JSON list (or `{suppressions: [...]}`) of
 * `{ruleId, subject: {key: glob}, reason, expires}`, from `--suppressions FILE` or the context key
 * `suppressions`. Checked whole before anything runs: a bad entry is an error naming the entry, never skipped.
 */

/** A bad suppression list or entry: `at` names the entry (`suppressions[2]`), `problem` says what is wrong with it. */
export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
  constructor(
    readonly at: string,
    readonly entry: unknown,
    readonly problem: string,
  ) {
    super(`${at}: ${problem}`);
  }
}

const KEYS = new Set(['ruleId', 'subject', 'reason', 'expires']);
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Parses YAML or JSON text (JSON is YAML) into checked suppressions. `where` names the source in errors. */
export function parseSuppressions(text: string, where: string): Suppression[] {
  const doc = parseDocument(text, { prettyErrors: false, logLevel: 'silent' });
  const error = doc.errors[0];
  if (error) throw new SuppressionError(where, text, `is not YAML or JSON: ${error.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new SuppressionError(where, text, `is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkSuppressions(value, where);
}

/**
 * Checks an already-parsed value (the context key's JSON): a list, or `{suppressions: [...]}`. `where` prefixes
 * each entry's name (`suppressions` gives `suppressions[2]`, a file `ex.yaml` gives `ex.yaml: suppressions[2]`).
 */
export function checkSuppressions(value: unknown, where: string): Suppression[] {
  if (value === null || value === undefined) return [];
  const list = isObject(value) && 'suppressions' in value ? value['suppressions'] : value;
  if (list === null) return [];
  if (!Array.isArray(list)) throw new SuppressionError(where, value, 'is not a list of {ruleId, subject, reason, expires}');
  const ids = new Set(RULES.map((r) => r.id));
  const prefix = where === 'suppressions' ? where : `${where}: suppressions`;
  return list.map((entry, i) => checkEntry(entry, `${prefix}[${i}]`, ids));
}

/** Date.parse accepts 2027-02-30 (as 2 March): the calendar date must survive the round trip. */
function realDate(value: string): boolean {
  const ms = expiryMs(value);
  if (Number.isNaN(ms)) return false;
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEntry(entry: unknown, at: string, ids: ReadonlySet<string>): Suppression {
  if (!isObject(entry)) throw new SuppressionError(at, entry, 'is not a mapping of ruleId, subject, reason, expires');
  const name = typeof entry['ruleId'] === 'string' ? `${at} (${entry['ruleId']})` : at;
  const fail = (why: string): never => {
    throw new SuppressionError(name, entry, why);
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
  if (!ISO.test((text as string).trim()) || !realDate((text as string).trim())) {
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
