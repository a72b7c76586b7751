import type { ScanResult } from '../model/findings';
import type { Finding, ScanStats } from '../model/findings';
import type { MalformedLine } from '../model/records';
import type { RuleError } from '../model/findings';

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
