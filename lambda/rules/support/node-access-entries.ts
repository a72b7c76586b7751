import type { NodeRoleFacts } from '../../model/eks';
import { awsCommand } from './shell-quote';

/** Access entry types that make EKS give the role a node identity (system:node:...) and the system:nodes group. */
export const NODE_ENTRY_TYPES: ReadonlySet<string> = new Set(['EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2']);

/** Access policies that make their principal a cluster administrator. */
export const ADMIN_POLICY_NAMES: ReadonlySet<string> = new Set(['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy']);

/** `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy` -> `AmazonEKSClusterAdminPolicy`. */
export function policyName(policyArn: string): string {
  return policyArn.slice(policyArn.lastIndexOf('/') + 1);
}

/** Why we hold this role for a node role, in words. */
export function nodeRoleEvidence(role: NodeRoleFacts): string {
  const parts: string[] = [];
  if (role.nodegroups.length > 0) {
    parts.push(`it is the node role of managed node group${role.nodegroups.length === 1 ? '' : 's'} ${role.nodegroups.join(', ')}`);
  }
  if (role.seenOnKubelets) parts.push('kubelets authenticated with it in this window');
  return parts.join(' and ') || 'it acts as nodes';
}

/** Facts every access-entry finding carries, for describe(). */
export function roleFacts(role: NodeRoleFacts, region: string | undefined): Record<string, string> {
  const facts: Record<string, string> = { why: nodeRoleEvidence(role) };
  if (role.nodegroups.length > 0) facts['nodegroups'] = role.nodegroups.join(',');
  if (region) facts['region'] = region;
  return facts;
}

/** The node entry type to use instead: FARGATE_LINUX / HYBRID_LINUX roles are not in managed node groups. */
export function nodeEntryCommand(cluster: string, principalArn: string, region: string | undefined): string {
  return awsCommand([
    'eks', 'create-access-entry', ...(region ? ['--region', region] : []),
    '--cluster-name', cluster, '--principal-arn', principalArn, '--type', 'EC2_LINUX',
  ]);
}

export function deleteEntryCommand(cluster: string, principalArn: string, region: string | undefined): string {
  return awsCommand(['eks', 'delete-access-entry', ...(region ? ['--region', region] : []), '--cluster-name', cluster, '--principal-arn', principalArn]);
}
