import type { Rule } from '../../model/rule';
import { AWS_AUTH_NEEDS } from '../support/aws-auth-writes';
import { NODE_USERNAME_TEMPLATES } from '../support/aws-auth-mappings';
import { mappingRuleRun, nodeRoleCertainty, nodeRoleFix, writtenBy, NODE_ROLE_MAPPING_INCIDENT } from '../support/aws-auth-mapping-rule';
import { MASTERS_GROUP } from '../../model/identity';

/**
 * A node role in system:masters: every node, and anything that escapes onto one, is a cluster admin.
 * It often "fixes" a broken node mapping, which is why it survives (misconfigurations 2 and 3).
 */
export const awsAuthNodeSystemMasters: Rule = {
  id: 'aws-auth-node-system-masters',
  severity: 'high',
  title: 'aws-auth puts a node role in system:masters',
  description:
    'An aws-auth mapRoles entry for a node IAM role includes group system:masters. Every node becomes a cluster admin that no RBAC binding can restrict, and the Node authorizer and NodeRestriction no longer confine its kubelet.',
  remediation:
    'Remove system:masters from the node role mapping: groups system:bootstrappers, system:nodes, username system:node:{{EC2PrivateDNSName}}; or replace it with an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  needs: AWS_AUTH_NEEDS,
  incident: NODE_ROLE_MAPPING_INCIDENT,
  create(context) {
    return mappingRuleRun(context, (m, nodeRole) => (nodeRole && m.groups.includes(MASTERS_GROUP) ? {} : undefined));
  },
  describe(g) {
    const arn = g.subject['arn'];
    const user = g.facts['username'] ?? '(none)';
    const groups = g.facts['groups'] ?? '[]';
    const which = NODE_USERNAME_TEMPLATES.includes(user)
      ? 'This is misconfiguration 3: the nodes work, so nothing looks wrong, but works is not safe.'
      : 'This is misconfiguration 2: the nodes stay Ready, but their kubelet-serving CSRs are requested under the wrong name and stay Pending, so kubectl logs / exec fail (remote error: tls: internal error).';
    return {
      message:
        `aws-auth maps node role ${arn} into ${MASTERS_GROUP} (groups ${groups}, username "${user}"), ${writtenBy(g)}. ` +
        'Every node launched with this role is a cluster admin: system:masters is allowed everything before RBAC is consulted, so one pod that escapes to a node owns the cluster. ' +
        `${which} ${nodeRoleCertainty(g)}`,
      remediation: nodeRoleFix(g),
    };
  },
};
