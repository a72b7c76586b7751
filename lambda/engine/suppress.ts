import type { Finding } from '../model/findings';
import type { ExpiredSuppression, Suppression, SuppressedFinding } from '../model/suppression';
import { clean } from '../model/sanitize';
import { Glob } from '../model/glob';
import { expiryMs } from '../model/suppression';

/**
 * Applies suppressions to a scan's findings: a finding that an unexpired entry matches is taken out (it opens no
 * incident and is never alerted) and listed with the entry's reason; an entry past its expiry applies to nothing
 * and is listed as expired, with the findings it would have silenced.
 */

export interface SuppressionOutcome {
  kept: Finding[];
  suppressed: SuppressedFinding[];
  expired: ExpiredSuppression[];
}

interface Compiled {
  readonly index: number;
  readonly entry: Suppression;
  readonly globs: readonly [string, Glob][];
  readonly expired: boolean;
}

export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[], now: Date): SuppressionOutcome {
  const compiled: Compiled[] = suppressions.map((entry, index) => ({
    index,
    entry,
    globs: Object.entries(entry.subject).map(([k, g]) => [k, new Glob(g)] as [string, Glob]),
    expired: !(expiryMs(entry.expires) > now.getTime()),
  }));
  const expiredHits = new Map<number, number>();
  const out: SuppressionOutcome = { kept: [], suppressed: [], expired: [] };
  for (const f of findings) {
    let by: Compiled | undefined;
    for (const c of compiled) {
      if (!matches(c, f)) continue;
      if (c.expired) expiredHits.set(c.index, (expiredHits.get(c.index) ?? 0) + 1);
      else {
        by = c;
        break;
      }
    }
    if (!by) {
      out.kept.push(f);
      continue;
    }
    out.suppressed.push({
      fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, subject: f.subject, count: f.count,
      suppression: by.index, reason: clean(by.entry.reason, 300), expires: clean(by.entry.expires, 40),
    });
  }
  for (const c of compiled) {
    if (!c.expired) continue;
    out.expired.push({
      suppression: c.index, ruleId: c.entry.ruleId, subject: { ...c.entry.subject },
      reason: clean(c.entry.reason, 300), expires: clean(c.entry.expires, 40), findings: expiredHits.get(c.index) ?? 0,
    });
  }
  return out;
}

function matches(c: Compiled, f: Finding): boolean {
  if (c.entry.ruleId !== f.ruleId) return false;
  for (const [key, glob] of c.globs) {
    const value = f.subject[key];
    if (value === undefined || !glob.matches(value)) return false;
  }
  return true;
}
