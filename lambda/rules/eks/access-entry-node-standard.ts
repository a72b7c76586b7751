import type { Rule } from '../../model/rule';
import { deleteEntryCommand, nodeEntryCommand, roleFacts } from '../support/node-access-entries';

/**
 * A STANDARD access entry gives its role the username arn:aws:sts::<account>:assumed-role/<role>/{{SessionName}}
 * (unless one is set, and custom names may not start with system:), never system:node:<name> nor the group
 * system:nodes: the Node authorizer ignores such a kubelet, which then has only what RBAC grants it.
 */
export const accessEntryNodeStandard: Rule = {
  id: 'access-entry-node-standard',
  severity: 'high',
  title: 'Node role has a STANDARD access entry (not a node identity)',
  description:
    'An IAM role that acts as nodes (a managed node group\'s node role, or one kubelets authenticated with) has an access entry of type STANDARD. Its kubelets authenticate as the role\'s session ARN, ' +
    'not system:node:<name> in group system:nodes, so the Node authorizer and NodeRestriction ignore them: nodes lose their lease and status permissions, or get them from RBAC without confinement.',
  remediation:
    'Delete the STANDARD entry and create one of type EC2_LINUX (or EC2_WINDOWS) for the role: the type of an access entry cannot be changed in place.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
  ],
  needs: { stream: 'eks-api', filter: 'ListAccessEntries, DescribeAccessEntry of node roles', keys: [] },
  create() {
    return {
      onEksCluster(record, emit) {
        for (const role of record.cluster.nodeRoles) {
          const entry = role.accessEntry;
          if (!entry || entry.type !== 'STANDARD') continue;
          const facts = roleFacts(role, record.cluster.region);
          facts['principalArn'] = entry.principalArn;
          facts['username'] = entry.username ?? '(set by EKS: the session ARN)';
          if (entry.kubernetesGroups.length > 0) facts['groups'] = entry.kubernetesGroups.join(', ');
          emit({ subject: { arn: role.roleArn }, facts });
        }
      },
    };
  },
  describe(g) {
    const principal = g.facts['principalArn'] ?? g.subject['arn'] ?? '<node role ARN>';
    const region = g.facts['region'];
    const groups = g.facts['groups'] ? ` and Kubernetes groups ${g.facts['groups']}` : '';
    return {
      message:
        `The access entry of ${principal} is of type STANDARD (username ${g.facts['username']}${groups}), but the role acts as nodes: ${g.facts['why']}. ` +
        'Its kubelets authenticate as the role\'s session ARN instead of system:node:<node name> in group system:nodes, so the Node authorizer ignores them: ' +
        'without an RBAC grant they cannot renew their Lease or update their Node and the nodes go NotReady; with one they act unconfined by NodeRestriction. ' +
        'Certain: the EKS API reported the entry type.',
      remediation:
        `Replace the entry (a type cannot be changed in place): ${deleteEntryCommand(g.cluster, principal, region)} && ${nodeEntryCommand(g.cluster, principal, region)} ` +
        '(--type EC2_WINDOWS for Windows nodes). Nodes keep working through the switch only if nothing else maps the role; plan it for a quiet moment.',
    };
  },
};
