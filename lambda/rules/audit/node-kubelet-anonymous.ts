import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { str, username } from '../../model/identity';
import { textOf } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';
import { TextDenials } from '../support/text-denials';

const ANONYMOUS = 'system:anonymous';

/**
 * A kubelet whose requests reach the API server as system:anonymous sent no credential the API server
 * accepted (a missing or unreadable kubeconfig, an expired or rejected token or client certificate, an
 * authenticator that did not answer). It is not a node at all: it cannot register, renew a lease or read its
 * pods' secrets. Seen in its journal (`Unable to register node ... User "system:anonymous" cannot create resource
 * "nodes"`) or in the audit log (system:anonymous with a kubelet user agent).
 */
export const nodeKubeletAnonymous: Rule = {
  id: 'node-kubelet-anonymous',
  severity: 'high',
  title: 'Kubelet reaches the API server without a credential (system:anonymous)',
  description:
    "A kubelet's requests were refused as system:anonymous: the API server accepted no credential from it (missing or unreadable kubeconfig, rejected token or certificate), so it is not a node and cannot register, renew its lease or run pods.",
  remediation:
    "Check the kubelet's kubeconfig and credential on the node: on EKS, that the node's instance profile role can call sts:GetCallerIdentity through aws-iam-authenticator / aws eks get-token, and that the role is mapped (aws-auth or an access entry); elsewhere, the kubelet's client certificate and bootstrap token.",
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests',
    'https://docs.aws.amazon.com/eks/latest/userguide/troubleshooting.html',
  ],
  needs: {
    stream: 'audit',
    filter: "user.username = 'system:anonymous' and userAgent like /^kubelet\\//",
    keys: ['user.username', 'objectRef.resource', 'verb', 'responseStatus.code'],
  },
  incident: { cause: 'node-credential', by: 'node' },
  create() {
    const text = new TextDenials(() => 'anonymous kubelet');
    return {
      wantsAudit: (head) => username(head) === ANONYMOUS && (str(head.userAgent) ?? '').startsWith('kubelet/'),
      onAudit(record, emit) {
        const e = record.event;
        if (username(e) !== ANONYMOUS || !(str(e.userAgent) ?? '').startsWith('kubelet/')) return;
        const subject = { node: '(not named in the audit log)' };
        text.coveredByAudit(subject);
        const resource = str(e.objectRef?.resource) ?? str(e.requestURI) ?? 'unknown';
        emit({ subject, evidence: auditEvidence(record), tally: { [`${str(e.verb) ?? '?'} ${resource}`]: record.aggregate?.count ?? 1 } });
      },
      onNodeDenial(record) {
        if (record.source !== 'kubelet' || textOf(record.user) !== ANONYMOUS) return;
        const what = `${textOf(record.verb) || '?'} ${textOf(record.resource) || 'unknown'}`;
        text.add({ node: textOf(record.node) || '(not named in the log)' }, record, { [what]: record.aggregate?.count ?? 1 });
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const node = g.subject['node'];
    const from = g.facts['source'] ? ` (seen in the ${g.facts['source']})` : ' (seen in the audit log, kubelet user agent)';
    return {
      message:
        `A kubelet${node && !node.startsWith('(') ? ` of node ${node}` : ''} was refused ${g.count} time(s) as system:anonymous (${tallyText(g.tally)})${from}${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        'The API server accepted no credential from it, so it is not a node: it cannot register, heart-beat or read what its pods need, and the node stays NotReady or never joins. ' +
        'Certain: the API server refused the anonymous requests; why the credential is missing is for the node to tell.',
      remediation:
        "On the node, check the kubelet's kubeconfig (on EKS /var/lib/kubelet/kubeconfig, which runs aws-iam-authenticator or aws eks get-token) and run that command by hand: " +
        "it must print a token for the node's instance-profile role, that role must be mapped as a node (aws-auth or an EC2_LINUX access entry), and the authenticator log must show access granted for it. " +
        'If a bootstrap token or client certificate is used, check it has not expired.',
    };
  },
};
