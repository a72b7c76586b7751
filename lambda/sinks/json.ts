import type { ScanResult } from '../core/engine';
import type { Finding, ScanStats } from '../core/findings';
import type { MalformedLine } from '../core/records';
import type { RuleError } from '../core/engine';

/** The JSON output contract of `scan --format json` (README "JSON output"). */
export interface ScanReport {
  findings: Finding[];
  stats: ScanStats;
  malformedSamples: MalformedLine[];
  ruleErrors: RuleError[];
}

export function toReport(result: ScanResult): ScanReport {
  return {
    findings: result.findings,
    stats: result.stats,
    malformedSamples: result.malformedSamples,
    ruleErrors: result.ruleErrors,
  };
}

export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(toReport(result), null, 2)}\n`;
}
