import type { Finding } from '../model/findings';
import type { Incident } from '../model/incident';
import { atLeast, severityRank, type Severity } from '../model/severity';

export const IGNORED_IN_API_MODE = 'ignored by this cluster: authentication mode API';

/**
 * In authentication mode API the cluster does not read aws-auth at all (EKS user guide,
 * grant-k8s-access): a bad aws-auth entry changes nothing, and sending someone to edit that ConfigMap
 * wastes the one hour they have. Such findings stay in the report as info, saying so.
 */
export function applyAuthenticationMode(findings: readonly Finding[], mode: string | undefined, minSeverity: Severity): Finding[] {
  if (mode !== 'API') return [...findings];
  return findings
    .map((f) =>
      f.ruleId.startsWith('aws-auth-')
        ? {
            ...f,
            severity: 'info' as const,
            message: `${IGNORED_IN_API_MODE[0]!.toUpperCase()}${IGNORED_IN_API_MODE.slice(1)}: the aws-auth ConfigMap has no effect here. ${f.message}`,
            remediation:
              'Nothing to fix for access: this cluster uses access entries only. Remove the stale aws-auth entry so nobody relies on it; ' +
              'if the cluster is ever recreated with CONFIG_MAP, apply this fix first: ' + f.remediation,
          }
        : f,
    )
    .filter((f) => atLeast(f.severity, minSeverity));
}

/**
 * The incidents of the findings `applyAuthenticationMode` returned: each keeps only its findings still reported,
 * takes the highest severity among them, and is left out when none is left. Without this, in mode API an
 * incident made only of aws-auth findings would still be alerted at their original severity.
 */
export function incidentsOfFindings(incidents: readonly Incident[], findings: readonly Finding[]): Incident[] {
  const byFingerprint = new Map(findings.map((f) => [f.fingerprint, f]));
  const out: Incident[] = [];
  for (const incident of incidents) {
    const kept = incident.findings.filter((fp) => byFingerprint.has(fp));
    if (kept.length === 0) continue;
    const severity = kept.map((fp) => byFingerprint.get(fp)!.severity).reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a));
    out.push(kept.length === incident.findings.length && severity === incident.severity ? incident : { ...incident, severity, findings: kept });
  }
  return out;
}
