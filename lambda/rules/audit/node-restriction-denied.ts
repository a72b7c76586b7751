import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { classifyDenialRecord, classifyNodeDenial, isForbiddenHead } from '../support/node-denial';
import { tallyText, timeSpan } from '../support/node-mapping';
import { TextDenials } from '../support/text-denials';

/**
 * NodeRestriction (admission) stops a node from steering workloads to itself or reaching beyond its pods:
 * restricted labels, its own taints, non-mirror pods, pods or tokens of other nodes. Authorization had already
 * allowed these requests, so the audit decision says `allow` while the response is 403.
 */
export const nodeRestrictionDenied: Rule = {
  id: 'node-restriction-denied',
  severity: 'medium',
  title: 'NodeRestriction refused a node',
  description:
    'The NodeRestriction admission plugin refused a write by a node (labels, taints, pods, service account tokens, PVC status): something on the node tried to do more than a kubelet may.',
  remediation:
    'Set restricted labels and taints from outside the node, and give node agents their own service account instead of the kubelet credential.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction',
    'https://kubernetes.io/docs/reference/labels-annotations-taints/',
  ],
  needs: {
    stream: 'audit',
    // Admission denials: authorization allowed, the response is still 403.
    filter:
      "responseStatus.code = 403 and user.username like /^system:node:/ and `annotations.authorization.k8s.io/decision` = 'allow'",
    keys: ['user.username', 'objectRef.resource', 'objectRef.subresource', 'verb'],
  },
  incident: { cause: 'node-credential', by: 'node' },
  create() {
    const text = new TextDenials();
    return {
      wantsAudit: isForbiddenHead,
      onAudit(record, emit) {
        const d = classifyNodeDenial(record.event);
        if (d?.kind !== 'node-restriction') return;
        text.coveredByAudit({ node: d.node });
        emit({ subject: { node: d.node }, evidence: auditEvidence(record), tally: { [d.detail ?? 'other']: record.aggregate?.count ?? 1 } });
      },
      onNodeDenial(record) {
        const d = classifyDenialRecord(record);
        if (d?.kind !== 'node-restriction') return;
        text.add({ node: d.node }, record, { [d.detail ?? 'other']: record.aggregate?.count ?? 1 });
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const node = g.subject['node'];
    const steering = (g.tally['labels'] ?? 0) + (g.tally['taints'] ?? 0) > 0;
    return {
      message:
        `NodeRestriction refused ${g.count} write(s) by node ${node} (${tallyText(g.tally)})${timeSpan(g.firstSeen, g.lastSeen)}. ` +
        (steering
          ? 'A node changing its own restricted labels or taints could steer sensitive workloads onto itself; the change did not happen. '
          : 'A node may only touch its own mirror pods, pod status and tokens for pods bound to it; this request reached further. ') +
        'Certain: the API server refused it (the exact reason is in the evidence messages).',
      remediation:
        `Find what on ${node} sends these requests (kubelet flags such as --node-labels or --register-with-taints, or a DaemonSet using the kubelet's kubeconfig). ` +
        'Set node-restriction.kubernetes.io/ and other restricted kubernetes.io labels and taints from outside the node, and give node agents their own service account. ' +
        'If nothing should, treat the node as compromised.',
    };
  },
};
