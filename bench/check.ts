import type { Finding, ScanStats } from '../lambda/model/findings';
import type { ExpectedFinding } from './log-writer';
import { findingKey } from './log-writer';

/** What a scan of a generated log must report, as the generator counted it. */
export interface Expected {
  readonly auditEvents: number;
  readonly truncated: number;
  readonly malformed: number;
  readonly expected: readonly ExpectedFinding[];
}

/**
 * Differences between a scan and what the generator planted: missing findings, wrong counts, findings
 * nobody planted, and stats that do not match. Empty when the scan is right.
 */
export function checkScan(want: Expected, got: { findings: readonly Finding[]; stats: ScanStats }): string[] {
  const problems: string[] = [];
  const actual = new Map(got.findings.map((f) => [findingKey(f.ruleId, f.subject), f]));
  for (const e of want.expected) {
    const key = findingKey(e.ruleId, e.subject);
    const f = actual.get(key);
    if (!f) problems.push(`missing: ${key} x${e.count}`);
    else if (f.count !== e.count) problems.push(`count: ${key} is ${f.count}, planted ${e.count}`);
    actual.delete(key);
  }
  for (const [key, f] of actual) problems.push(`not planted: ${key} x${f.count}`);
  for (const k of ['auditEvents', 'truncated', 'malformed'] as const) {
    if (got.stats[k] !== want[k]) problems.push(`stats.${k} is ${got.stats[k]}, planted ${want[k]}`);
  }
  return problems;
}
