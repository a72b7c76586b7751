import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { str } from '../../model/identity';
import { clean } from '../../model/sanitize';
import { classifyDenialRecord, classifyNodeDenial, isForbiddenHead, textOf } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';
import { TextDenials } from '../support/text-denials';
import { NODE_DENIAL_LINE_NEEDS } from '../support/node-denial-line-needs';

/**
 * Every other 403 of a recognized node: neither the Node authorizer nor RBAC allowed it. Alone it rarely
 * breaks anything; it shows a node agent borrowing the kubelet credential or a kubelet newer than the
 * cluster's node rules. Lease denials belong to node-lease-forbidden and are left out here.
 */
export const nodeForbiddenOther: Rule = {
  id: 'node-forbidden-other',
  severity: 'low',
  title: 'Node refused for another reason',
  description:
    'A recognized node identity got 403 Forbidden for a request that is neither a lease, a name mismatch, an unrelated object nor a NodeRestriction denial.',
  remediation:
    'Find the process on the node that makes the request; give node agents their own service account with only the permissions they need.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
  ],
  needs: {
    stream: 'audit',
    filter: 'responseStatus.code = 403 and user.username like /^system:node:/',
    keys: ['user.username', 'objectRef.resource', 'objectRef.subresource', 'verb', '`annotations.authorization.k8s.io/reason`'],
  },
  alsoNeeds: [NODE_DENIAL_LINE_NEEDS],
  incident: { cause: 'node-credential', by: 'node' },
  create() {
    const text = new TextDenials();
    return {
      wantsAudit: isForbiddenHead,
      onAudit(record, emit) {
        const e = record.event;
        const d = classifyNodeDenial(e);
        if (d?.kind !== 'other') return;
        const facts: Record<string, string> = {};
        const ua = str(e.userAgent);
        if (ua) facts['userAgent'] = ua;
        const subject = { node: d.node, resource: d.resource };
        text.coveredByAudit(subject);
        emit({ subject, evidence: auditEvidence(record), tally: { [str(e.verb) ?? 'unknown']: record.aggregate?.count ?? 1 }, facts });
      },
      onNodeDenial(record) {
        const d = classifyDenialRecord(record);
        if (d?.kind !== 'other') return;
        // RBAC refusing a node what the Node authorizer grants every node means the Node authorizer did not run.
        const facts: Record<string, string> = record.by === 'rbac' ? { rbacLine: 'yes' } : {};
        text.add({ node: d.node, resource: d.resource }, record, { [textOf(record.verb) || 'unknown']: record.aggregate?.count ?? 1 }, facts);
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const { node, resource } = g.subject;
    const sample = g.evidence.find((ev) => ev.reason) ?? g.evidence.find((ev) => ev.message);
    const why = sample?.reason ? `reason "${clean(sample.reason, 160)}"` : sample?.message ? `"${clean(sample.message, 160)}"` : 'no reason recorded';
    const agent = g.facts['userAgent'] ? ` by ${g.facts['userAgent']}` : g.facts['source'] ? ` (seen in the ${g.facts['source']})` : '';
    const rbacOnly =
      g.facts['rbacLine'] === 'yes' && /^(nodes|nodes\/status|pods|services|endpoints|events|leases)$/.test(resource ?? '')
        ? 'RBAC refused a request the Node authorizer grants every node: check that --authorization-mode includes Node (apiserver-authz-missing-node). '
        : '';
    return {
      message:
        `Node ${node} got 403 Forbidden ${g.count} time(s) on ${resource} (${tallyText(g.tally)})${agent}${timeSpan(g.firstSeen, g.lastSeen)}; ${why}. ` +
        rbacOnly +
        'Neither the Node authorizer nor RBAC allows it. Usually a node agent using the kubelet credential, or a kubelet expecting newer permissions; harmless if rare, worth a look if new or frequent. ' +
        'Certain: the API server refused; the cause is a guess.',
      remediation:
        `Find the process on ${node} making these requests (user agent above). Give it its own service account and RBAC role with just what it needs, ` +
        'rather than widening what nodes may do.',
    };
  },
};
