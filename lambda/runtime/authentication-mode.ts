import type { Finding } from '../model/findings';
import { atLeast, type Severity } from '../model/severity';

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
