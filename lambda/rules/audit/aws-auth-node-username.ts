import type { Rule } from '../../model/rule';
import { AWS_AUTH_NEEDS } from '../support/aws-auth-writes';
import { NODE_USERNAME_TEMPLATES } from '../support/aws-auth-mappings';
import { mappingRuleRun, nodeRoleCertainty, nodeRoleFix, writtenBy, NODE_ROLE_MAPPING_INCIDENT } from '../support/aws-auth-mapping-rule';
import { MASTERS_GROUP, NODE_USER_PREFIX } from '../../model/identity';

/**
 * A node role mapped to any username but the node templates: the Node authorizer and NodeRestriction only
 * recognise `system:node:<name>`, so the kubelet either loses its permissions (misconfiguration 1) or
 * keeps them through system:masters under the wrong name (misconfiguration 2).
 */
export const awsAuthNodeUsername: Rule = {
  id: 'aws-auth-node-username',
  severity: 'high',
  title: 'aws-auth maps a node role to a non-node username',
  description:
    'An aws-auth mapRoles entry for a node IAM role uses a username other than system:node:{{EC2PrivateDNSName}} (or system:node:{{SessionName}}). The Node authorizer ignores such identities: nodes go NotReady, or, when the role is also in system:masters, their kubelet-serving certificates are never issued.',
  remediation:
    'Map the node role with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes, or replace the entry with an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
  ],
  needs: AWS_AUTH_NEEDS,
  incident: NODE_ROLE_MAPPING_INCIDENT,
  create(context) {
    return mappingRuleRun(context, (m, nodeRole) => {
      if (!nodeRole || (m.username !== undefined && NODE_USERNAME_TEMPLATES.includes(m.username))) return undefined;
      return {};
    });
  },
  describe(g) {
    const arn = g.subject['arn'];
    const user = g.facts['username'] ?? '(none)';
    const groups = g.facts['groups'] ?? '[]';
    let effect: string;
    if (groups.includes(MASTERS_GROUP)) {
      effect =
        `This is misconfiguration 2: system:masters allows everything, so the nodes stay Ready, but each kubelet requests its serving certificate as "${user}" instead of system:node:<node name>. ` +
        'EKS signs kubelet-serving certificates only for a real node identity, so the CSRs stay Pending and kubectl logs / exec fail (remote error: tls: internal error). Every node is also a cluster admin.';
    } else if (user.startsWith(NODE_USER_PREFIX)) {
      effect =
        `Every node using this role gets the same fixed name "${user}", so the Node authorizer lets each of them act only as that one node: ` +
        'the others get "can only access node lease with the same name as the requesting node" and "node ... is not allowed to modify node ...", and go NotReady.';
    } else {
      effect =
        'This is misconfiguration 1: the Node authorizer ignores a username that does not start with system:node:, and RBAC grants system:bootstrappers / system:nodes only CSR creation, ' +
        'so each kubelet gets 403 Forbidden on its Lease in kube-node-lease and the nodes go NotReady (their pods are evicted).';
    }
    return {
      message:
        `aws-auth maps node role ${arn} to username "${user}" with groups ${groups}, ${writtenBy(g)}. ` +
        `Every node launched with this role is affected. ${effect} ${nodeRoleCertainty(g)}`,
      remediation: nodeRoleFix(g),
    };
  },
};
