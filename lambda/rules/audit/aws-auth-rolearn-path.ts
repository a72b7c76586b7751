import type { Rule } from '../../model/rule';
import { AWS_AUTH_NEEDS } from '../support/aws-auth-writes';
import { rolePathOf } from '../support/aws-auth-mappings';
import { NODE_ROLE_MAPPING_INCIDENT, mappingRuleRun, writtenBy, yamlScalar } from '../support/aws-auth-mapping-rule';

/**
 * aws-iam-authenticator matches a caller's role ARN without its IAM path: a role's credentials name it as
 * `assumed-role/<name>/<session>`, with no path. So a mapRoles entry written with the path
 * (`role/service-role/x`, `role/aws-reserved/sso.amazonaws.com/...`, as the IAM console shows it) matches no one.
 * The EKS user guide (auth-configmap.html): "The role ARN can't include a path such as
 * role/my-team/developers/my-role. The format of the ARN must be arn:aws:iam::111122223333:role/my-role."
 * For a node role it means the nodes never join; for anyone else, that the mapping grants nothing.
 */
export const awsAuthRolearnPath: Rule = {
  id: 'aws-auth-rolearn-path',
  severity: 'high',
  title: 'aws-auth rolearn includes an IAM path, so it never matches',
  description:
    'An aws-auth mapRoles entry names its role with an IAM path (role/service-role/x, role/aws-reserved/sso.amazonaws.com/...). The authenticator compares role ARNs without their path, so the entry matches no one: for a node role the nodes never join the cluster; for a person or a tool, the mapping grants nothing.',
  remediation:
    'Write the rolearn without the path (arn:aws:iam::<account>:role/<name>), or use an access entry, whose principal ARN may keep the path.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns',
  ],
  needs: AWS_AUTH_NEEDS,
  // A node role's entry is its incident's cause (its nodes are refused as unmapped); anyone else's stands alone.
  incident: { ...NODE_ROLE_MAPPING_INCIDENT, joins: (f) => f.facts['nodeRole'] !== undefined },
  create(context) {
    return mappingRuleRun(context, (m) => {
      if (m.list !== 'mapRoles') return undefined;
      const path = rolePathOf(m.arn);
      return path ? { path: path.path, corrected: path.withoutPath } : undefined;
    });
  },
  describe(g) {
    const arn = g.subject['arn'] ?? '';
    const corrected = g.facts['corrected'] ?? '';
    const node = g.facts['nodeRole'];
    const effect = node
      ? `It is a node role's mapping (${node}): kubelets using this role are not mapped, so the authenticator refuses them ("ARN is not mapped") and the nodes never join the cluster.`
      : 'Whoever assumes this role gets none of the groups of this entry (the authenticator refuses it, or another entry decides).';
    return {
      message:
        `aws-auth mapRoles names role ${arn} with the IAM path ${g.facts['path'] ?? '(unknown)'}, ${writtenBy(g)}. ` +
        `The authenticator compares role ARNs without their path, so this entry matches no one. ${effect} ` +
        'Certain from the ConfigMap text; EKS documents that an aws-auth role ARN cannot include a path.',
      remediation:
        `In aws-auth mapRoles (kubectl edit configmap aws-auth -n kube-system) change rolearn: ${yamlScalar(arn)} to rolearn: ${yamlScalar(corrected)} ` +
        '(keep its username and groups), or delete the entry and create an access entry for the role, whose principal ARN may keep the path.',
    };
  },
};
