import type { Rule } from '../../model/rule';
import type { ProblemKind } from '../support/aws-auth-mappings';
import { AWS_AUTH_NEEDS, MAPPING_LISTS, isAwsAuthHead, readAwsAuthWrite } from '../support/aws-auth-writes';
import { parseMappingList } from '../support/aws-auth-mappings';
import { writtenBy } from '../support/aws-auth-mapping-rule';

/**
 * aws-auth content the authenticator cannot use. aws-iam-authenticator (pkg/mapper/configmap ParseMap)
 * converts each key from YAML to JSON and unmarshals it: a key that fails yields no mappings from that key
 * (a single typo in mapRoles has locked every node out of EKS clusters, kubernetes-sigs/aws-iam-authenticator
 * PR #607), and an entry without rolearn/userarn fails validation and is skipped on its own.
 */
const EFFECT: Record<ProblemKind, (list: string) => string> = {
  unparsable: (list) =>
    `aws-iam-authenticator cannot parse ${list}, and when a key fails to parse it loads no mapping from it: every principal mapped in ${list} may get "ARN is not mapped"` +
    (list === 'mapRoles' ? ' — node roles included, so nodes cannot join or re-authenticate and admins mapped there lose access.' : ', so the users mapped there lose access.'),
  'wrong-type': (list) =>
    `A field of the wrong type makes the authenticator's JSON unmarshalling of ${list} fail; depending on its version it then drops that field or every mapping in ${list}, so the authenticator may reject every mapping in it` +
    (list === 'mapRoles' ? ' (nodes cannot join, admins lose access).' : ' (admins mapped there lose access).'),
  'missing-arn': () =>
    'The authenticator skips an entry without an ARN (validation: "One of rolearn or SSO must be supplied" / "Value for userarn must be supplied"); the other entries still load, but the principal this entry was meant for gets "ARN is not mapped".',
};

export const awsAuthInvalid: Rule = {
  id: 'aws-auth-invalid',
  severity: 'high',
  title: 'aws-auth mapRoles / mapUsers cannot be used by the authenticator',
  description:
    'A write of ConfigMap kube-system/aws-auth left mapRoles or mapUsers unparsable, of the wrong shape, or with an entry that names no ARN. aws-iam-authenticator may then reject every mapping of that key (nodes cannot join, admins lose access); an entry without an ARN is skipped on its own.',
  remediation:
    'Fix the YAML (kubectl edit -n kube-system configmap aws-auth, or the tool that manages it) so mapRoles and mapUsers are lists of entries with rolearn/userarn, username and groups; or move the principals to access entries.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/blob/master/pkg/mapper/configmap/configmap.go',
    'https://github.com/kubernetes-sigs/aws-iam-authenticator/pull/607',
  ],
  needs: AWS_AUTH_NEEDS,
  create() {
    return {
      wantsAudit: isAwsAuthHead,
      onAudit(record, emit) {
        const write = readAwsAuthWrite(record);
        if (!write) return;
        for (const list of MAPPING_LISTS) {
          for (const p of parseMappingList(list, write.data[list]).problems) {
            const facts: Record<string, string> = {
              kind: p.kind, reason: p.reason, writer: write.writer, writerAgent: write.agent, writtenAt: write.time ?? 'an unknown time',
            };
            if (write.writerArn) facts['writerArn'] = write.writerArn;
            emit({ subject: { field: p.field }, evidence: write.evidence, tally: { [`writer:${write.writer}`]: 1 }, facts });
          }
        }
      },
    };
  },
  describe(g) {
    const field = g.subject['field'] ?? 'mapRoles';
    const list = field.startsWith('mapUsers') ? 'mapUsers' : 'mapRoles';
    const kind = (g.facts['kind'] ?? 'unparsable') as ProblemKind;
    const effect = (EFFECT[kind] ?? EFFECT.unparsable)(list);
    return {
      message:
        `aws-auth ${field} ${g.facts['reason']}, ${writtenBy(g)}. ${effect} ` +
        'This comes from the write itself; the authenticator\'s own log (authenticator-* stream, "Errors parsing configmap") confirms it.',
      remediation:
        `Fix ${field} in ConfigMap kube-system/aws-auth: ${list} must be a YAML list of entries such as ` +
        (list === 'mapRoles'
          ? '- {rolearn: "arn:aws:iam::<account>:role/<role>", username: "<name>", groups: [<group>]}. '
          : '- {userarn: "arn:aws:iam::<account>:user/<user>", username: "<name>", groups: [<group>]}. ') +
        'Quote a value that starts with {{ (an unquoted {{SessionName}} is read as a YAML mapping) and check the YAML with a parser before applying; ' +
        'or move the principals to access entries (aws eks create-access-entry), which do not depend on this ConfigMap.',
    };
  },
};
