import type { Rule } from '../../model/rule';
import { ADMIN_POLICY_NAMES, policyName, roleFacts } from '../support/node-access-entries';
import { awsCommand } from '../support/shell-quote';

/**
 * A cluster-admin access policy on a node role makes every node, and so any pod that escapes onto one,
 * an administrator of the cluster: the access entry twin of mapping the node role to system:masters.
 */
export const accessEntryNodeAdmin: Rule = {
  id: 'access-entry-node-admin',
  severity: 'high',
  title: 'Node role is associated with a cluster-admin access policy',
  description:
    'An IAM role that acts as nodes has AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy associated with its access entry: every node is an administrator, ' +
    'and one compromised pod that reaches a node\'s credentials owns the cluster.',
  remediation: 'Disassociate the admin policy from the node role\'s access entry; nodes need none (their entry type gives them their node identity).',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
  ],
  needs: { stream: 'eks-api', filter: 'ListAssociatedAccessPolicies of node roles', keys: [] },
  create() {
    return {
      onEksCluster(record, emit) {
        for (const role of record.cluster.nodeRoles) {
          const entry = role.accessEntry;
          if (!entry) continue;
          const admin = entry.policies.filter((p) => ADMIN_POLICY_NAMES.has(policyName(p.policyArn)));
          if (admin.length === 0) continue;
          const facts = roleFacts(role, record.cluster.region);
          facts['principalArn'] = entry.principalArn;
          facts['policies'] = admin.map((p) => p.policyArn).join(' ');
          facts['scope'] = admin.map((p) => (p.scopeType === 'namespace' ? `namespaces ${(p.namespaces ?? []).join(', ')}` : 'the whole cluster')).join('; ');
          if (entry.type) facts['type'] = entry.type;
          emit({ subject: { arn: role.roleArn }, facts });
        }
      },
    };
  },
  describe(g) {
    const principal = g.facts['principalArn'] ?? g.subject['arn'] ?? '<node role ARN>';
    const region = g.facts['region'];
    const policies = (g.facts['policies'] ?? '').split(' ').filter(Boolean);
    const commands = policies.map((p) =>
      awsCommand(['eks', 'disassociate-access-policy', ...(region ? ['--region', region] : []), '--cluster-name', g.cluster, '--principal-arn', principal, '--policy-arn', p]),
    );
    return {
      message:
        `The access entry of ${principal}${g.facts['type'] ? ` (type ${g.facts['type']})` : ''} is associated with ${policies.map((p) => p.slice(p.lastIndexOf('/') + 1)).join(' and ')} ` +
        `on ${g.facts['scope']}, and the role acts as nodes: ${g.facts['why']}. Every node is an administrator: a pod that escapes to a node, or reads its instance credentials, owns the cluster. ` +
        'Certain: the EKS API reported the association.',
      remediation: `${commands.join(' && ')}. Nodes get what they need from their node entry type and the Node authorizer.`,
    };
  },
};
