import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { classifyDenialRecord, classifyNodeDenial, isForbiddenHead } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';
import { TextDenials } from '../support/text-denials';
import { NODE_DENIAL_LINE_NEEDS } from '../support/node-denial-line-needs';

/**
 * The Node authorizer and NodeRestriction let system:node:A touch only the Node, Lease and CSINode named A.
 * A kubelet that registers under another name (hostname override, instance-id naming) is refused on all of
 * them: its Node status and Lease are never updated and the node goes NotReady.
 */
export const nodeNameMismatch: Rule = {
  id: 'node-name-mismatch',
  severity: 'high',
  title: 'Kubelet runs under a different name than its credential',
  description:
    "A node was refused on a Node, Lease or CSINode named differently from its credential ('can only access node lease with the same name as the requesting node', 'node \"A\" is not allowed to modify node \"B\"'): the kubelet's node name and its system:node:<name> username disagree.",
  remediation:
    'Make the kubelet register under the name its credential carries (remove a hostname override, or map the role to the name the kubelet uses).',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/node/',
    'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction',
  ],
  needs: {
    stream: 'audit',
    filter:
      'responseStatus.code = 403 and user.username like /^system:node:/' +
      ' and (`annotations.authorization.k8s.io/reason` like /same name as the requesting node|only its own Node object/' +
      ' or responseStatus.message like /same name as the requesting node|only its own Node object|is not allowed to modify node "/)',
    // responseStatus.message (failures only) names the object tried; objectRef.name would split every other
    // audit rule's successful rows per object (see node-lease-forbidden).
    keys: ['user.username', 'objectRef.resource', 'responseStatus.message'],
  },
  alsoNeeds: [NODE_DENIAL_LINE_NEEDS],
  incident: { cause: 'node-credential', by: 'node' },
  create() {
    const text = new TextDenials();
    return {
      wantsAudit: isForbiddenHead,
      onAudit(record, emit) {
        const d = classifyNodeDenial(record.event);
        if (d?.kind !== 'name-mismatch') return;
        const subject = { node: d.node, object: d.object ?? '(unknown)' };
        text.coveredByAudit(subject);
        emit({ subject, evidence: auditEvidence(record), tally: { [d.detail ?? d.resource]: record.aggregate?.count ?? 1 } });
      },
      onNodeDenial(record) {
        const d = classifyDenialRecord(record);
        if (d?.kind !== 'name-mismatch') return;
        text.add({ node: d.node, object: d.object ?? '(unknown)' }, record, { [d.detail ?? d.resource]: record.aggregate?.count ?? 1 });
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const { node, object } = g.subject;
    const leaseOrNode = (g.tally['lease'] ?? 0) + (g.tally['node'] ?? 0) > 0;
    return {
      message:
        `The credential system:node:${node} was refused ${g.count} time(s) on objects named "${object}" (${tallyText(g.tally)})` +
        `${g.facts['source'] ? ` (seen in the ${g.facts['source']})` : ''}${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        `The kubelet registers as "${object}" but authenticates as "${node}", and a node may only touch its own Node, Lease and CSINode. ` +
        (leaseOrNode ? 'Its status and heartbeat are not updated: the node goes NotReady. ' : '') +
        'Certain: the API server refused.',
      remediation:
        `Make the names agree: run the kubelet without a hostname override so it registers as "${node}", or change the role mapping so the username it yields is system:node:<the name the kubelet registers>. ` +
        `If no kubelet should be using the name "${object}", the credential of ${node} may be stolen: replace the node.`,
    };
  },
};
