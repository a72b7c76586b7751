import type { ScanResult } from '../model/findings';

/**
 * What suppressions did, in words for the text report and the email: how many findings each entry silenced and
 * why, and which entries expired (their findings are reported again).
 */
export function suppressionNotes(result: Pick<ScanResult, 'suppressed' | 'expiredSuppressions'>): string[] {
  const lines: string[] = [];
  const suppressed = result.suppressed ?? [];
  if (suppressed.length > 0) {
    const byEntry = new Map<number, { ruleId: string; reason: string; expires: string; n: number }>();
    for (const s of suppressed) {
      const e = byEntry.get(s.suppression) ?? { ruleId: s.ruleId, reason: s.reason, expires: s.expires, n: 0 };
      e.n++;
      byEntry.set(s.suppression, e);
    }
    const n = suppressed.length;
    lines.push(`${n} finding${n === 1 ? '' : 's'} suppressed:`);
    for (const [index, e] of [...byEntry.entries()].sort((a, b) => a[0] - b[0])) {
      lines.push(`  ${e.n} ${e.ruleId} by suppressions[${index}] until ${e.expires}: ${e.reason}`);
    }
  }
  for (const x of result.expiredSuppressions ?? []) {
    const again = x.findings > 0 ? `: ${x.findings} finding${x.findings === 1 ? '' : 's'} it matched ${x.findings === 1 ? 'is' : 'are'} reported again` : '';
    lines.push(`Suppression suppressions[${x.suppression}] (${x.ruleId}: ${x.reason}) expired on ${x.expires} and no longer applies${again}.`);
  }
  if (lines.length > 0) lines.push('');
  return lines;
}
