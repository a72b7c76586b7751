import type { Evidence, Finding } from '../model/findings';
import { MAX_EVIDENCE } from '../model/limits';
import { clean, cleanMultiline } from '../model/sanitize';

/**
 * The engine already cleans what it writes, but a report reaches the publisher through the runner
 * and the handler, and whatever it holds ends up in a mailbox and in other programs: clean and cap
 * every string once more (same limits as the engine and auditEvidence) rather than trust the path.
 */
const MAX_SUBJECT_ENTRIES = 16;

export function cleanFinding(f: Finding): Finding {
  const subject: Record<string, string> = {};
  for (const key of Object.keys(f.subject ?? {}).slice(0, MAX_SUBJECT_ENTRIES)) {
    subject[clean(key, 64)] = clean(f.subject[key], 256);
  }
  return {
    ruleId: clean(f.ruleId, 64),
    severity: f.severity,
    title: clean(f.title, 200),
    cluster: clean(f.cluster, 128),
    subject,
    count: wholeNumber(f.count),
    firstSeen: f.firstSeen ? clean(f.firstSeen, 40) : null,
    lastSeen: f.lastSeen ? clean(f.lastSeen, 40) : null,
    message: cleanMultiline(f.message, 2000),
    remediation: cleanMultiline(f.remediation, 2000),
    fingerprint: clean(f.fingerprint, 64),
    evidence: (Array.isArray(f.evidence) ? f.evidence : []).slice(0, MAX_EVIDENCE).map(cleanEvidence),
  };
}

function cleanEvidence(e: Evidence): Evidence {
  const out: Evidence = { truncated: e.truncated === true };
  const text: [keyof Evidence, number][] = [
    ['auditID', 64], ['time', 40], ['verb', 32], ['requestURI', 300], ['decision', 16], ['reason', 300],
    ['message', 400], ['source', 300],
  ];
  for (const [key, max] of text) {
    const v = e[key];
    if (v !== undefined && v !== null && v !== '') (out as unknown as Record<string, unknown>)[key] = clean(v, max);
  }
  if (typeof e.code === 'number' && Number.isFinite(e.code)) out.code = e.code;
  return out;
}

function wholeNumber(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}
