import type { NodeEffect, Rule } from '../../model/rule';
import { auditEvidence, isForbidden } from '../../model/audit';
import { canonicalArn, groups, isNodeCredential, isRecognizedNode, MASTERS_GROUP, nodeName, NODES_GROUP, str, username } from '../../model/identity';
import { nodeMappingFix, nodeTally, timeSpan } from '../support/node-mapping';
import { textOf } from '../support/node-denial';
import { TextDenials } from '../support/text-denials';
import { NODE_DENIAL_LINE_NEEDS } from '../support/node-denial-line-needs';

type Half = 'username' | 'group' | 'both';

/**
 * The Node authorizer and NodeRestriction act only on username system:node:<name> AND group system:nodes
 * (pkg/auth/nodeidentifier). A kubelet credential with either half wrong falls through to RBAC: on EKS that
 * means it may create CSRs and nothing else (lease 403, node NotReady), or, when mapped to system:masters,
 * that it may do anything and nothing confines it.
 */
export const nodeIdentityUnrecognized: Rule = {
  id: 'node-identity-unrecognized',
  severity: 'high',
  title: 'Node credential not recognized as a node',
  description:
    'A kubelet credential (system:node: username, system:nodes group or kubelet user agent) lacks either the system:node:<name> username or the system:nodes group, so the Node authorizer and NodeRestriction ignore it and only RBAC decides what it may do.',
  remediation:
    'Map the node IAM role with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes (aws-auth), or use an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  ],
  needs: {
    stream: 'audit',
    // Kubelet-looking credentials not named system:node:, plus system:node: names outside the system:nodes group.
    filter:
      "(user.username not like /^system:(node|bootstrap|serviceaccount):/ and (userAgent like /^kubelet\\// or @message like /\"system:nodes\"/))" +
      " or (user.username like /^system:node:/ and @message not like /\"system:nodes\"/)",
    keys: ['user.username', 'user.extra.canonicalArn.0', 'responseStatus.code'],
  },
  alsoNeeds: [NODE_DENIAL_LINE_NEEDS],
  incident: {
    cause: 'node-role', by: 'arn', username: 'username', groups: 'groups',
    failure: 'kubelet request under a non-node identity',
    effects: (f): NodeEffect[] => {
      const masters = f.facts['masters'] === 'yes';
      switch (f.facts['half'] as Half | undefined) {
        case 'username': return ['not-ready', 'no-logs-exec'];
        case 'group': return masters ? ['cluster-admin', 'unconfined'] : ['not-ready', 'unconfined'];
        case 'both': return masters ? ['cluster-admin', 'no-logs-exec'] : ['not-ready', 'no-logs-exec'];
        default: return [];
      }
    },
  },
  create() {
    // Audit events name the role; a text line only the username: the username alone says they are the same.
    const text = new TextDenials((subject) => subject['username'] ?? '');
    return {
      // What onAudit reports of a whole event: a named credential acting as a kubelet, not recognized as a node.
      wantsAudit: (head) => username(head) !== undefined && isNodeCredential(head) && !isRecognizedNode(head),
      onAudit(record, emit) {
        const e = record.event;
        const user = username(e);
        if (user === undefined || !isNodeCredential(e)) return;
        const nameOk = nodeName(e) !== undefined;
        // A truncated event may have lost its groups: then only the username half can be judged.
        const groupsRead = Array.isArray(e.user?.groups) || !record.truncated;
        const inNodes = groups(e).includes(NODES_GROUP);
        if (nameOk && (inNodes || !groupsRead)) return;
        const half: Half | undefined = nameOk ? 'group' : !groupsRead ? undefined : inNodes ? 'username' : 'both';
        const n = record.aggregate?.count ?? 1;
        const facts: Record<string, string> = {};
        if (half) {
          facts['half'] = half;
          facts['masters'] = groups(e).includes(MASTERS_GROUP) ? 'yes' : 'no';
          facts['groups'] = groups(e).join(', ') || '(none)';
        }
        const ua = str(e.userAgent);
        if (ua) facts['userAgent'] = ua;
        const subject = { username: user, arn: canonicalArn(e) ?? '' };
        text.coveredByAudit(subject);
        emit({ subject, evidence: auditEvidence(record), tally: nodeTally(e, { forbidden: isForbidden(e) ? n : 0 }), facts });
      },
      onNodeDenial(record) {
        const user = textOf(record.user);
        // An anonymous kubelet has no credential at all (node-kubelet-anonymous); bootstrap tokens and service
        // accounts legitimately lack a node name.
        if (user === '' || user.startsWith('system:node:') || /^system:(anonymous|bootstrap:|serviceaccount:)/.test(user)) return;
        // kube-apiserver's `NODE DENY: unknown node for user "U"`: in system:nodes, but no node name.
        const unknownNode = record.source === 'apiserver' && record.by === 'node-authorizer';
        if (record.source !== 'kubelet' && !unknownNode) return;
        const facts: Record<string, string> = unknownNode ? { half: 'username', masters: 'no', groups: 'system:nodes' } : { seenIn: 'kubelet log' };
        text.add({ username: user, arn: '' }, record, { forbidden: record.aggregate?.count ?? 1 }, facts);
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const { username: user, arn } = g.subject;
    const forbidden = g.tally['forbidden'] ?? 0;
    const who = `Credential "${user}"${arn ? ` (IAM role ${arn})` : ''} acted as a kubelet`;
    const seen = `${g.count} request(s)${timeSpan(g.firstSeen, g.lastSeen)}, ${forbidden} refused with 403`;
    const masters = g.facts['masters'] === 'yes';
    let what: string;
    switch (g.facts['half'] as Half | undefined) {
      case 'username':
        what =
          `Its groups include system:nodes but its username is not system:node:<node name>: the Node authorizer ignores it and RBAC only lets it create CSRs, ` +
          `so its Lease renewals get 403 (node NotReady) and its kubelet-serving CSR is never approved (kubectl logs/exec fail).`;
        break;
      case 'group':
        what = masters
          ? `Its username is right but it is in system:masters instead of system:nodes: every request is allowed and neither the Node authorizer nor NodeRestriction confines it, so the node is a cluster admin.`
          : `Its username is right but it is not in system:nodes (groups: ${g.facts['groups']}): neither the Node authorizer nor NodeRestriction applies, so it is forbidden everything RBAC does not grant.`;
        break;
      case 'both':
        what =
          `Neither its username (not system:node:<node name>) nor its groups (${g.facts['groups']}) mark it as a node. ` +
          (masters
            ? `Through system:masters it may do anything, unconfined, and its kubelet-serving CSR is never approved (kubectl logs/exec fail).`
            : `Only RBAC applies: lease renewals get 403 (node NotReady) and CSRs are never approved.`);
        break;
      default:
        what = g.facts['seenIn']
          ? `Its username is not system:node:<node name> (seen in the ${g.facts['seenIn']}, which does not show its groups), so the Node authorizer ignores it and RBAC refuses it what a node needs.`
          : `Its username is not system:node:<node name> (group membership not visible: the events were truncated), so the Node authorizer ignores it.`;
    }
    return {
      message: `${who}: ${seen}. ${what} Certain: this is the identity the API server recorded.`,
      remediation: masters ? `Remove system:masters from this mapping. ${nodeMappingFix(arn)}` : nodeMappingFix(arn),
    };
  },
};
