import type { ScanResult } from '../model/findings';
import type { Finding, ScanStats } from '../model/findings';
import type { MalformedLine } from '../model/records';
import type { RuleError } from '../model/findings';
import type { Incident } from '../model/incident';
import type { ExpiredSuppression, SuppressedFinding } from '../model/suppression';

/** The JSON output contract of `scan --format json` (docs/formats.md "JSON output"). Fields are only ever added. */
export interface ScanReport {
  findings: Finding[];
  stats: ScanStats;
  malformedSamples: MalformedLine[];
  ruleErrors: RuleError[];
  /** The findings grouped by cause; each lists its findings' fingerprints. */
  incidents: Incident[];
  /** Findings a suppression silenced (not in `findings` or any incident), with the reason. */
  suppressed: SuppressedFinding[];
  /** Suppressions past their expiry, which no longer apply. */
  expiredSuppressions: ExpiredSuppression[];
}

export function toReport(result: ScanResult): ScanReport {
  return {
    findings: result.findings,
    stats: result.stats,
    malformedSamples: result.malformedSamples,
    ruleErrors: result.ruleErrors,
    incidents: result.incidents,
    suppressed: result.suppressed ?? [],
    expiredSuppressions: result.expiredSuppressions ?? [],
  };
}

export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(toReport(result), null, 2)}\n`;
}
