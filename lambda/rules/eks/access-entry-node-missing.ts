import type { Rule } from '../../model/rule';
import { nodeEntryCommand, roleFacts } from '../support/node-access-entries';

/**
 * In authentication mode API the cluster ignores aws-auth: a node role without an access entry cannot
 * authenticate at all, so new nodes of its node group never join.
 */
export const accessEntryNodeMissing: Rule = {
  id: 'access-entry-node-missing',
  severity: 'high',
  title: 'Managed node group role has no access entry (authentication mode API)',
  description:
    'The cluster\'s authentication mode is API, so aws-auth is ignored, and the node role of a managed node group has no access entry: its nodes cannot authenticate and never join the cluster.',
  remediation: 'Create an access entry of type EC2_LINUX (or EC2_WINDOWS) for the node role.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  ],
  needs: { stream: 'eks-api', filter: 'DescribeCluster accessConfig; ListNodegroups, DescribeNodegroup; ListAccessEntries', keys: [] },
  create() {
    return {
      onEksCluster(record, emit) {
        const c = record.cluster;
        if (c.authenticationMode !== 'API' || !c.accessEntriesRead) return;
        for (const role of c.nodeRoles) {
          if (role.nodegroups.length === 0 || role.accessEntry !== null) continue;
          emit({ subject: { arn: role.roleArn }, facts: roleFacts(role, c.region) });
        }
      },
    };
  },
  describe(g) {
    const arn = g.subject['arn'] ?? '<node role ARN>';
    const groups = (g.facts['nodegroups'] ?? '').split(',').filter(Boolean);
    return {
      message:
        `Node role ${arn} has no access entry in cluster ${g.cluster}, whose authentication mode is API (aws-auth is ignored), yet ${g.facts['why']}. ` +
        `Nodes launched by ${groups.length === 1 ? 'that node group' : 'those node groups'} cannot authenticate and never join; running ones fail when their credentials are next checked. ` +
        'Certain: the EKS API listed the entries.',
      remediation: `${nodeEntryCommand(g.cluster, arn, g.facts['region'])} (--type EC2_WINDOWS for Windows node groups).`,
    };
  },
};
