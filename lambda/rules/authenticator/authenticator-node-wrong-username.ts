import type { NodeEffect, Rule } from '../../model/rule';
import { BOOTSTRAPPERS_GROUP, MASTERS_GROUP, NODE_USER_PREFIX, NODES_GROUP } from '../../model/identity';
import { ACCESS_GRANTED, authenticatorEvidence, field, groupsOf, message } from '../support/authenticator-fields';
import { AUTHENTICATOR_KEYS } from '../support/authenticator-query';
import { nodeMappingFix, timeSpan } from '../support/node-mapping';

/**
 * A node role mapped into the node groups under a username that is not system:node:<name>: the Node
 * authorizer and NodeRestriction ignore it (pkg/auth/nodeidentifier), so the kubelet is left to RBAC. The
 * audit log shows it once the kubelet calls (node-identity-unrecognized); the authenticator shows it the
 * moment the mapping is applied, even for a node that then makes few requests.
 */
export const authenticatorNodeWrongUsername: Rule = {
  id: 'authenticator-node-wrong-username',
  severity: 'high',
  title: 'Node role authenticated under a non-node username',
  description:
    'aws-iam-authenticator granted an IAM role the groups system:nodes or system:bootstrappers under a username that does not start with system:node:. ' +
    'The Node authorizer and NodeRestriction only recognize system:node:<name>, so these kubelets fall through to RBAC: the failure node-identity-unrecognized reports, caught at authentication.',
  remediation:
    'Map the node IAM role with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes (aws-auth), or use an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator',
  ],
  needs: {
    stream: 'authenticator',
    // Logrus text: match the raw line. Groups print as Go prints a []string, `groups="[a b]"`; an unquoted
    // username is possible (logrus quotes only values with special characters), hence `username="?`.
    filter:
      '@message like /msg="access granted"/ and @message like /groups="\\[[^"]*system:(nodes|bootstrappers)/ and @message not like /username="?system:node:[^" ]/',
    keys: AUTHENTICATOR_KEYS,
  },
  incident: {
    cause: 'node-role', by: 'arn', username: 'username', groups: 'groups', failure: 'authentication under a non-node username',
    effects: (f): NodeEffect[] =>
      f.facts['masters'] === 'yes' ? ['cluster-admin', 'no-logs-exec'] : f.facts['nodes'] === 'yes' ? ['not-ready', 'no-logs-exec'] : ['not-ready'],
  },
  create() {
    return {
      onAuthenticator(record, emit) {
        if (message(record) !== ACCESS_GRANTED) return;
        const username = field(record, 'username');
        if (username === undefined) return;
        const groups = groupsOf(record);
        if (!groups.includes(NODES_GROUP) && !groups.includes(BOOTSTRAPPERS_GROUP)) return;
        // `system:node:` with nothing after it names no node: the Node authorizer cannot use it either.
        if (username.startsWith(NODE_USER_PREFIX) && username.length > NODE_USER_PREFIX.length) return;
        emit({
          subject: { arn: field(record, 'arn') ?? '', username },
          evidence: authenticatorEvidence(record),
          facts: { groups: groups.join(', '), nodes: groups.includes(NODES_GROUP) ? 'yes' : 'no', masters: groups.includes(MASTERS_GROUP) ? 'yes' : 'no' },
        });
      },
    };
  },
  describe(g) {
    const { arn, username } = g.subject;
    const who = arn ? `IAM role ${arn}` : 'An IAM identity (ARN not logged)';
    let effect: string;
    if (g.facts['masters'] === 'yes') {
      effect = 'Through system:masters it may do anything, unconfined by the Node authorizer and NodeRestriction, and its kubelet-serving CSRs are never approved (kubectl logs/exec fail).';
    } else if (g.facts['nodes'] === 'yes') {
      effect = 'RBAC lets nodes create CSRs and nothing else: lease renewals get 403 (the node goes NotReady) and kubelet-serving CSRs are never approved (kubectl logs/exec fail).';
    } else {
      effect = 'With only system:bootstrappers the kubelet may create CSRs and nothing else: it cannot register or renew its lease, so the node never becomes Ready.';
    }
    return {
      message:
        `aws-iam-authenticator mapped ${who} to username "${username}" with groups [${g.facts['groups'] ?? ''}] ${g.count} time(s)${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        'The groups mark it as a node, but the Node authorizer and NodeRestriction only recognize the username system:node:<node name> in system:nodes, so its kubelets fall through to RBAC. ' +
        `${effect} Certain: this is the mapping the authenticator applied (node-identity-unrecognized reports the same identity from the audit log once its kubelets call).`,
      remediation: g.facts['masters'] === 'yes' ? `Remove system:masters from this mapping. ${nodeMappingFix(arn)}` : nodeMappingFix(arn),
    };
  },
};
