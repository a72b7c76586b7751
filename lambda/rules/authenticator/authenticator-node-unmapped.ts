import { yamlScalar } from '../../model/quote';
import type { Rule } from '../../model/rule';
import type { Buffered } from '../support/buffered-observation';
import { addRecord, emitBuffered, emptyBuffered } from '../support/buffered-observation';
import { authenticatorEvidence, field, isNotMapped } from '../support/authenticator-fields';
import type { NodeRoleEvidence } from '../support/authenticator-node-role';
import { InstanceSessions, judgeNodeRole, lowerSet } from '../support/authenticator-node-role';
import { timeSpan } from '../support/node-mapping';
import { AUTHENTICATOR_KEYS, accessEntryCommand } from '../support/authenticator-query';

/**
 * The most common reason an EKS node never joins: its IAM role is in neither aws-auth nor an access entry,
 * so aws-iam-authenticator answers `ARN is not mapped`, the kubelet gets 401 and never registers. The audit
 * log shows nothing (the node never authenticates), only the authenticator stream does. Whether the refused
 * role is a node's is judged at finish(), when the kubelet roles of the whole input are known.
 *
 * A local scan sees every line. The Lambda sees what the queries fetch: the refusals below, but no
 * `STS response` lines (one per token review of every node: too many rows for a hint), and kubelet traffic
 * only where an audit rule fetched it (kubelets with problems). There the verdict usually rests on the role
 * name, and the message says so.
 */
export const authenticatorNodeUnmapped: Rule = {
  id: 'authenticator-node-unmapped',
  severity: 'high',
  title: 'Node IAM role not mapped (nodes cannot join)',
  description:
    'aws-iam-authenticator refused a node IAM role with "ARN is not mapped": the role is in neither the aws-auth ConfigMap nor an EKS access entry, so nodes using it cannot authenticate and never join the cluster. ' +
    'It is judged a node role when kubelet requests in the same input were signed by it, when its sessions are named like EC2 instances (i-0...), or, weakest, when its name reads like a node role.',
  remediation:
    'Create an access entry for the role: aws eks create-access-entry --cluster-name <cluster> --principal-arn <role ARN> --type EC2_LINUX (EC2_WINDOWS for Windows nodes); ' +
    'or add it to aws-auth mapRoles with username system:node:{{EC2PrivateDNSName}} and groups system:bootstrappers, system:nodes.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator',
  ],
  needs: {
    stream: 'authenticator',
    // Logrus text, not JSON: Logs Insights extracts no fields from it, so the filter matches the raw line.
    filter: '@message like /msg="access denied"/ and @message like /error="ARN is not mapped"/',
    keys: AUTHENTICATOR_KEYS,
  },
  incident: { cause: 'node-role', by: 'arn', failure: 'authenticator refusal ("ARN is not mapped")', effects: ['cannot-join'] },
  create(context) {
    const sessions = new InstanceSessions();
    const denied = new Map<string, { arn: string; buffered: Buffered }>();
    return {
      onAuthenticator(record) {
        sessions.observe(record);
        const arn = field(record, 'arn');
        if (!arn || !isNotMapped(record)) return;
        const key = arn.toLowerCase();
        let entry = denied.get(key);
        if (!entry) denied.set(key, (entry = { arn, buffered: emptyBuffered() }));
        addRecord(entry.buffered, record, authenticatorEvidence(record));
      },
      finish(emit) {
        const kubeletRoles = lowerSet(context.nodeRoleArns);
        for (const { arn, buffered } of denied.values()) {
          const judged = judgeNodeRole(arn, kubeletRoles, sessions);
          if (!judged) continue;
          emitBuffered(emit, { arn }, buffered, { facts: { evidence: judged.evidence, detail: judged.detail } });
        }
      },
    };
  },
  describe(g) {
    const arn = g.subject['arn'] ?? '<node role ARN>';
    const evidence = g.facts['evidence'] as NodeRoleEvidence | undefined;
    const detail = g.facts['detail'] ?? '';
    const sure: Record<NodeRoleEvidence, string> = {
      kubelet:
        'Certain it is a node role: kubelet requests in this same input were signed by it (nodes that joined before its mapping went away, ' +
        'or still hold a cached token). Those nodes fail as soon as their token is checked again.',
      session: `Very likely a node role: its sessions are named like an EC2 instance (${detail}), which is how instance profiles name them.`,
      name: `Likely a node role from its name alone (${detail}): check that it is the role of an instance profile before mapping it.`,
    };
    return {
      message:
        `aws-iam-authenticator refused IAM role ${arn} ${g.count} time(s)${timeSpan(g.firstSeen, g.lastSeen)} with "ARN is not mapped": ` +
        'the role is in neither the aws-auth ConfigMap nor an EKS access entry. A node with this role cannot authenticate: its kubelet gets ' +
        '401 Unauthorized, so a new node never registers (its pods stay Pending) and a running one goes NotReady once its cached identity expires. ' +
        (evidence ? sure[evidence] : ''),
      remediation:
        `${accessEntryCommand(g.cluster, arn, 'EC2_LINUX')} (EC2_WINDOWS for Windows nodes; the cluster's authentication mode must include API; ` +
        'if the role has an IAM path, use its full ARN, which the authenticator log leaves out). ' +
        `Or, in aws-auth (kube-system) mapRoles: rolearn: ${yamlScalar(arn)}, username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]. ` +
        'If the role was mapped before, look for the aws-auth write or access entry deletion that removed it.',
    };
  },
};
