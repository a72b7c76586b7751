import type { Rule } from '../../model/rule';
import { auditEvidence } from '../../model/audit';
import { canonicalArn, isRecognizedNode, str, username } from '../../model/identity';
import { classifyDenialRecord, isForbiddenHead, isNodeLeaseDenial, textOf } from '../support/node-denial';
import { nodeMappingFix } from '../support/node-mapping';
import { TextDenials } from '../support/text-denials';

/**
 * A kubelet that cannot renew its Lease in kube-node-lease stops heart-beating: the node controller marks
 * it NotReady after node-monitor-grace-period and evicts its pods. On EKS the usual cause is an aws-auth
 * (or access entry) mapping whose username is not system:node:{{EC2PrivateDNSName}}.
 */
export const nodeLeaseForbidden: Rule = {
  id: 'node-lease-forbidden',
  severity: 'high',
  title: 'Node cannot renew its lease (node going NotReady)',
  description:
    'A node credential got 403 Forbidden reading or writing its Lease in kube-node-lease. Without lease renewals the node controller marks the node NotReady and evicts its pods.',
  remediation:
    'Map the node IAM role with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes (aws-auth), or use an EC2_LINUX / EC2_WINDOWS access entry.',
  references: [
    'https://kubernetes.io/docs/concepts/architecture/leases/#node-heart-beats',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  needs: {
    stream: 'audit',
    filter: "objectRef.resource = 'leases' and objectRef.namespace = 'kube-node-lease' and responseStatus.code = 403",
    // Not objectRef.name: the keys of all audit rules are grouped by together, and a name key would split the
    // successful requests other rules count into one row per object (a 1,000-node fleet in system:masters would
    // overflow the row limit). responseStatus.message exists only on failures and names the lease there.
    keys: ['user.username', 'responseStatus.message', 'verb'],
  },
  // A recognized node refused its lease has another cause (a name mismatch): not its role's incident.
  incident: {
    cause: 'node-role', by: 'arn', username: 'username', node: 'node', failure: 'lease refusal', effects: ['not-ready'],
    joins: (f) => f.facts['recognized'] !== 'yes',
  },
  create() {
    const text = new TextDenials();
    return {
      wantsAudit: isForbiddenHead,
      onAudit(record, emit) {
        const e = record.event;
        // Shared with node-forbidden-other, which must not report these again.
        if (!isNodeLeaseDenial(e)) return;
        const facts: Record<string, string> = { recognized: isRecognizedNode(e) ? 'yes' : 'no' };
        const arn = canonicalArn(e);
        if (arn) facts['arn'] = arn;
        const subject = { node: str(e.objectRef?.name) ?? '(unknown)', username: username(e) ?? '(none)' };
        text.coveredByAudit(subject);
        emit({
          subject,
          evidence: auditEvidence(record),
          // An aggregated Logs Insights row stands for many refusals.
          tally: { [str(e.verb) ?? 'unknown']: record.aggregate?.count ?? 1 },
          facts,
        });
      },
      onNodeDenial(record) {
        if (classifyDenialRecord(record)?.kind !== 'lease') return;
        const user = textOf(record.user);
        // A system:node: name is taken as recognized: a kubelet line does not show the groups, and RBAC DENY lines do.
        const groups = Array.isArray(record.groups) ? record.groups : undefined;
        const recognized = user.startsWith('system:node:') && (groups === undefined || groups.includes('system:nodes'));
        text.add(
          { node: textOf(record.name) || textOf(record.node) || '(unknown)', username: user || '(none)' },
          record,
          { [textOf(record.verb) || 'unknown']: record.aggregate?.count ?? 1 },
          { recognized: recognized ? 'yes' : 'no' },
        );
      },
      finish(emit) {
        text.flush(emit);
      },
    };
  },
  describe(g) {
    const { node, username: user } = g.subject;
    const verbs = Object.entries(g.tally).map(([v, n]) => `${v} x${n}`).join(', ');
    const from = g.facts['source'] ? ` (seen in the ${g.facts['source']})` : '';
    const recognized = g.facts['recognized'] === 'yes';
    let cause: string;
    let remediation: string;
    if (recognized && user !== `system:node:${node}`) {
      cause = `Its credential is ${user} but the lease is named ${node}: the kubelet registers under a different name than its credential (see node-name-mismatch).`;
      remediation = `Make the kubelet register under the name its credential carries (${user?.slice('system:node:'.length)}), e.g. remove a hostname override.`;
    } else if (recognized) {
      cause = `The credential is a recognized node (${user}), so the refusal came from the Node authorizer or RBAC for another reason; see the reason in the evidence.`;
      remediation = `Check the reason in the evidence and that the cluster's authorization mode includes Node.`;
    } else {
      cause = `The credential "${user}" is not a recognized node (username system:node:${node} and group system:nodes), so the Node authorizer ignores it and RBAC grants a node nothing but CSR creation.`;
      remediation = nodeMappingFix(g.facts['arn']);
    }
    return {
      message:
        `The kubelet of node ${node} was refused access to its Lease in kube-node-lease ${g.count} time(s) (${verbs})${from}. ` +
        `It cannot heart-beat: the node goes NotReady and its pods are evicted. ${cause}`,
      remediation,
    };
  },
};
