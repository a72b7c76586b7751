import type { Finding } from '../model/findings';
import type { Incident } from '../model/incident';
import type { FindingSummary } from '../model/lifecycle';
import { severityRank } from '../model/severity';

/**
 * The compact findings an incident record keeps. A DynamoDB item holds at most 400 KB; an incident of a
 * 1,000-node role has a thousand lease findings. The list is cut to a byte budget, most severe and most
 * frequent first, and the count of all is kept beside it.
 */
export const MAX_SUMMARY_BYTES = 100_000;
/** Fingerprints kept on a remembered incident (32 hex digits each, about 68 KB). */
export const MAX_REMEMBERED_FINGERPRINTS = 2_000;

export function summarize(f: Finding): FindingSummary {
  return {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    title: f.title,
    severity: f.severity,
    subject: { ...f.subject },
    count: f.count,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
  };
}

/** This window's findings of an incident, by its fingerprints (a fingerprint not in the window is skipped). */
export function findingsOf(incident: Incident, byFingerprint: ReadonlyMap<string, Finding>): FindingSummary[] {
  const out: FindingSummary[] = [];
  for (const fp of incident.findings) {
    const f = byFingerprint.get(fp);
    if (f) out.push(summarize(f));
  }
  return out.sort(mostSevereFirst);
}

/** Adds this window's summaries to the remembered ones: counts add up, times widen. */
export function mergeSummaries(known: readonly FindingSummary[], seen: readonly FindingSummary[]): FindingSummary[] {
  const byFp = new Map(known.map((s) => [s.fingerprint, { ...s }]));
  for (const s of seen) {
    const k = byFp.get(s.fingerprint);
    if (!k) {
      byFp.set(s.fingerprint, { ...s });
      continue;
    }
    k.count += s.count;
    k.severity = severityRank(s.severity) > severityRank(k.severity) ? s.severity : k.severity;
    k.firstSeen = earlier(k.firstSeen, s.firstSeen);
    k.lastSeen = later(k.lastSeen, s.lastSeen);
  }
  return [...byFp.values()].sort(mostSevereFirst);
}

/** The longest prefix whose JSON fits the budget. */
export function capSummaries(list: readonly FindingSummary[], maxBytes = MAX_SUMMARY_BYTES): FindingSummary[] {
  let bytes = 2;
  let n = 0;
  for (; n < list.length; n++) {
    const b = Buffer.byteLength(JSON.stringify(list[n]), 'utf8') + 1;
    if (bytes + b > maxBytes) break;
    bytes += b;
  }
  return list.slice(0, n);
}

export function mostSevereFirst(a: FindingSummary, b: FindingSummary): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.count - a.count || a.fingerprint.localeCompare(b.fingerprint);
}

export function earlier(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

export function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
