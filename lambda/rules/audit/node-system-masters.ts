import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { canonicalArn, groups, isNodeCredential, isRecognizedNode, MASTERS_GROUP, username } from '../../model/identity';
import { nodeMappingFix, nodeTally, timeSpan } from '../support/node-mapping';

/**
 * A node role mapped into system:masters "works" (nodes go Ready), which is why it survives: but every node,
 * and so every pod that escapes to a node, is then a cluster admin. system:masters bypasses authorization,
 * so the Node authorizer no longer limits what the kubelet reads.
 */
export const nodeSystemMasters: Rule = {
  id: 'node-system-masters',
  severity: 'high',
  title: 'Node credential is a cluster admin (system:masters)',
  description:
    'A node credential is in the system:masters group: every node with this IAM role can read every secret and change anything in the cluster, and the Node authorizer no longer confines it.',
  remediation:
    'Remove system:masters from the node role mapping: username system:node:{{EC2PrivateDNSName}}, groups system:bootstrappers, system:nodes (aws-auth), or an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  needs: {
    stream: 'audit',
    filter:
      "@message like /\"system:masters\"/ and user.username not like /^system:(bootstrap|serviceaccount):/" +
      " and (user.username like /^system:node:/ or userAgent like /^kubelet\\// or @message like /\"system:nodes\"/)",
    keys: ['user.username', 'user.extra.canonicalArn.0'],
  },
  incident: { cause: 'node-role', by: 'arn', username: 'username', failure: 'kubelet request as cluster admin', effects: ['cluster-admin', 'unconfined'] },
  create() {
    return {
      wantsAudit: (head) => groups(head).includes(MASTERS_GROUP),
      onAudit(record, emit) {
        const e = record.event;
        const user = username(e);
        if (user === undefined || !isNodeCredential(e) || !groups(e).includes(MASTERS_GROUP)) return;
        emit({
          subject: { username: user, arn: canonicalArn(e) ?? '' },
          evidence: auditEvidence(record),
          facts: { recognized: isRecognizedNode(e) ? 'yes' : 'no' },
          tally: nodeTally(e),
        });
      },
    };
  },
  describe(g) {
    const { username: user, arn } = g.subject;
    const confinement =
      g.facts['recognized'] === 'yes'
        ? 'NodeRestriction still checks its writes to nodes and pods, but authorization no longer limits what it reads or writes elsewhere.'
        : 'It is not a recognized node identity (username system:node:<name> plus group system:nodes), so neither the Node authorizer nor NodeRestriction confines it.';
    return {
      message:
        `Node credential "${user}"${arn ? ` (IAM role ${arn})` : ''} is in system:masters: ${g.count} request(s)${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        `Every node with this role is a cluster admin: one pod that escapes to a node can read every secret and take over the cluster. ${confinement} ` +
        `Certain: the groups are those the API server recorded.`,
      remediation: `Remove system:masters from this role's mapping. ${nodeMappingFix(arn)}`,
    };
  },
};
