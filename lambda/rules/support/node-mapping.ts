import type { AuditEvent } from '../../model/records';
import { nodeName, str } from '../../model/identity';
import { yamlScalar } from '../../model/quote';

/**
 * The one correct way to map a node IAM role, worded once so every node rule gives the same fix.
 * The engine flattens line breaks (sanitize.clean), so this is a single line.
 * Sources: EKS user guide, auth-configmap.html (aws-auth mapRoles) and creating-access-entries.html (types).
 */
export function nodeMappingFix(arn: string | undefined): string {
  const role = arn && arn !== '' ? yamlScalar(arn) : '<node role ARN>';
  return (
    `Map the node role as a node: in aws-auth (kube-system) mapRoles use ` +
    `rolearn: ${role}, username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]; ` +
    `or delete that mapping and create an access entry of type EC2_LINUX (EC2_WINDOWS for Windows nodes), ` +
    `which sets the same username and group. Fargate and hybrid nodes use FARGATE_LINUX / HYBRID_LINUX ` +
    `(username system:node:{{SessionName}}).`
  );
}

/** "between A and B" when the times are known, else nothing. */
export function timeSpan(first: string | null, last: string | null): string {
  if (!first) return '';
  return first === last || !last ? ` at ${first}` : ` between ${first} and ${last}`;
}

/** `get x3, update x1`, largest first, for tallies keyed by verb or category. */
export function tallyText(tally: Readonly<Record<string, number>>, skip: readonly string[] = []): string {
  return Object.entries(tally)
    .filter(([k, n]) => n > 0 && !skip.includes(k))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} x${n}`)
    .join(', ');
}

/**
 * The node a kubelet request is about: its own name when the credential carries one, else the Lease or Node it
 * reads or writes (a kubelet under a wrong username still names its own node there). Undefined for anything else.
 */
export function requestNode(e: AuditEvent): string | undefined {
  const own = nodeName(e);
  if (own) return own;
  const ref = e.objectRef;
  const name = str(ref?.name);
  if (!name || ref?.subresource === 'token') return undefined;
  if (ref?.resource === 'leases' && ref.namespace === 'kube-node-lease') return name;
  if (ref?.resource === 'nodes') return name;
  return undefined;
}

/** A tally that counts requests per node (`node:<name>`), so an incident can say how many nodes a finding covers. */
export function nodeTally(e: AuditEvent, tally: Record<string, number> = {}): Record<string, number> {
  const node = requestNode(e);
  return node ? { ...tally, [`node:${node}`]: 1 } : tally;
}
