import type { Rule } from '../../model/rule';
import { AWS_AUTH_NEEDS } from '../support/aws-auth-writes';
import { NODE_USERNAME_TEMPLATES } from '../support/aws-auth-mappings';
import { mappingRuleRun, nodeRoleCertainty, nodeRoleFix, writtenBy, NODE_ROLE_MAPPING_INCIDENT } from '../support/aws-auth-mapping-rule';
import { MASTERS_GROUP, NODES_GROUP } from '../../model/identity';

/**
 * A node role mapped without group system:nodes. The Node authorizer and NodeRestriction need the
 * username prefix AND the group; without the group, RBAC alone decides what the kubelet may do.
 */
export const awsAuthNodeMissingGroups: Rule = {
  id: 'aws-auth-node-missing-groups',
  severity: 'high',
  title: 'aws-auth maps a node role without group system:nodes',
  description:
    'An aws-auth mapRoles entry for a node IAM role does not put it in system:nodes. Neither the Node authorizer nor NodeRestriction confine such an identity: with only system:bootstrappers the kubelet cannot renew its lease (NotReady); with system:masters it is an unconfined cluster admin.',
  remediation:
    'Map the node role with groups system:bootstrappers, system:nodes (and username system:node:{{EC2PrivateDNSName}}), or replace the entry with an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction',
  ],
  needs: AWS_AUTH_NEEDS,
  incident: NODE_ROLE_MAPPING_INCIDENT,
  create(context) {
    return mappingRuleRun(context, (m, nodeRole) => (nodeRole && !m.groups.includes(NODES_GROUP) ? {} : undefined));
  },
  describe(g) {
    const arn = g.subject['arn'];
    const user = g.facts['username'] ?? '(none)';
    const groups = g.facts['groups'] ?? '[]';
    let effect: string;
    if (groups.includes(MASTERS_GROUP) && NODE_USERNAME_TEMPLATES.includes(user)) {
      effect =
        'This is misconfiguration 3: it works, but the identity is not in system:nodes, so neither the Node authorizer nor NodeRestriction confine the kubelet, ' +
        'and through system:masters every node is a cluster admin. Works is not safe: one pod that escapes to a node owns the cluster.';
    } else if (groups.includes(MASTERS_GROUP)) {
      effect =
        'This is misconfiguration 2: system:masters keeps the nodes Ready, but the kubelets are not node identities, so their kubelet-serving CSRs stay Pending ' +
        '(kubectl logs / exec fail with remote error: tls: internal error) and every node is a cluster admin.';
    } else {
      effect =
        'The Node authorizer and NodeRestriction recognise a node only when its groups include system:nodes, so RBAC alone decides: on EKS it grants system:bootstrappers only CSR creation, ' +
        'so unless another group in this entry is bound to more, each kubelet gets 403 Forbidden on its Lease and the nodes go NotReady (as in misconfiguration 1).';
    }
    return {
      message:
        `aws-auth maps node role ${arn} with groups ${groups} (no ${NODES_GROUP}) and username "${user}", ${writtenBy(g)}. ` +
        `Every node launched with this role is affected. ${effect} ${nodeRoleCertainty(g)}`,
      remediation: nodeRoleFix(g),
    };
  },
};
