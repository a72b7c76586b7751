import type { Rule } from './rule';
import { auditEvidence, isForbidden } from '../core/audit';
import { isNodeCredential, username } from '../core/identity';

const LEASE_VERBS = new Set(['get', 'create', 'update', 'patch']);

/**
 * A kubelet that cannot renew its Lease in kube-node-lease stops heart-beating: the node controller marks
 * it NotReady after node-monitor-grace-period and evicts its pods. On EKS the usual cause is an aws-auth
 * (or access entry) mapping whose username is not system:node:{{EC2PrivateDNSName}}.
 */
export const nodeLeaseForbidden: Rule = {
  id: 'node-lease-forbidden',
  severity: 'high',
  title: 'Node cannot renew its lease (node going NotReady)',
  description:
    'A node credential got 403 Forbidden reading or writing its Lease in kube-node-lease. Without lease renewals the node controller marks the node NotReady and evicts its pods.',
  remediation:
    'Map the node IAM role with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes (aws-auth), or use an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://kubernetes.io/docs/concepts/architecture/leases/#node-heart-beats',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  needs: {
    stream: 'audit',
    filter: "objectRef.resource = 'leases' and objectRef.namespace = 'kube-node-lease' and responseStatus.code = 403",
    keys: ['user.username', 'objectRef.name', 'verb'],
  },
  create() {
    return {
      onAudit(record, emit) {
        const e = record.event;
        const ref = e.objectRef;
        if (ref?.resource !== 'leases' || ref.namespace !== 'kube-node-lease') return;
        if (!isForbidden(e) || !LEASE_VERBS.has(e.verb ?? '') || !isNodeCredential(e)) return;
        emit({
          subject: { node: ref.name ?? '(unknown)', username: username(e) ?? '(none)' },
          evidence: auditEvidence(record),
          tally: { [e.verb ?? 'unknown']: 1 },
        });
      },
    };
  },
  describe(g) {
    const { node, username: user } = g.subject;
    const verbs = Object.entries(g.tally).map(([v, n]) => `${v} x${n}`).join(', ');
    const recognized = user?.startsWith('system:node:');
    const cause = recognized
      ? `The credential is named like a node (${user}), so the denial came from the Node authorizer or RBAC for another reason; see the reason in the evidence.`
      : `The credential's username is "${user}", not system:node:${node}, so the Node authorizer ignores it and RBAC grants a node nothing but CSR creation.`;
    return {
      message:
        `The kubelet of node ${node} was refused access to its Lease in kube-node-lease ${g.count} time(s) (${verbs}). ` +
        `It cannot heart-beat: the node goes NotReady and its pods are evicted. ${cause}`,
      remediation: recognized
        ? `Check that the kubelet registers under the same name as its credential (system:node:${node}) and that the authorization mode includes Node.`
        : `Fix the mapping of this node's IAM role: in aws-auth mapRoles use\n  - rolearn: <node role ARN>\n    username: system:node:{{EC2PrivateDNSName}}\n    groups: [system:bootstrappers, system:nodes]\nor delete the mapping and create an access entry of type EC2_LINUX (EC2_WINDOWS for Windows nodes).`,
    };
  },
};
