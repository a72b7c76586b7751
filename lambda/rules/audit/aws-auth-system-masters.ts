import { shellArg } from '../../model/quote';
import type { Rule } from '../../model/rule';
import { AWS_AUTH_NEEDS } from '../support/aws-auth-writes';
import { mappingRuleRun, writtenBy } from '../support/aws-auth-mapping-rule';
import { MASTERS_GROUP } from '../../model/identity';

/** Role names that usually mean an instance role: worth a hint, not a verdict (only kubelet traffic proves it). */
const NODE_ROLE_NAME = /NodeInstanceRole|NodeRole|node-?group|worker/i;

/**
 * Any other aws-auth entry granting system:masters. Sometimes deliberate (a break-glass admin), always
 * worth knowing: the grant bypasses RBAC and can only be revoked by editing aws-auth.
 */
export const awsAuthSystemMasters: Rule = {
  id: 'aws-auth-system-masters',
  severity: 'medium',
  title: 'aws-auth grants system:masters',
  description:
    'An aws-auth mapRoles or mapUsers entry (not a node role) puts an IAM principal in system:masters. The API server allows that group everything before RBAC is consulted, so no Role or binding can limit the grant.',
  remediation:
    'Map the principal to a group bound by a (Cluster)RoleBinding with the permissions it needs, or move it to an access entry with an access policy, which can be scoped and revoked through the EKS API.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
    'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  ],
  needs: AWS_AUTH_NEEDS,
  create(context) {
    return mappingRuleRun(context, (m, nodeRole): Record<string, string> | undefined => {
      if (nodeRole || !m.groups.includes(MASTERS_GROUP)) return undefined;
      const name = m.arn.slice(m.arn.lastIndexOf('/') + 1);
      return m.list === 'mapRoles' && NODE_ROLE_NAME.test(name) ? { nameLooksLikeNodeRole: 'yes' } : {};
    });
  },
  describe(g) {
    const arn = g.subject['arn'] ?? '<principal ARN>';
    const list = g.facts['list'] ?? 'mapRoles';
    const cluster = shellArg(g.cluster);
    const arnArg = g.subject['arn'] ? shellArg(arn) : arn;
    const who = list === 'mapUsers' ? 'Whoever holds this IAM user\'s keys' : 'Whoever can assume this IAM role';
    const hint =
      g.facts['nameLooksLikeNodeRole'] === 'yes'
        ? ' The role name looks like a node instance role, but no kubelet request from it was in this input: if nodes use it, this is misconfiguration 2 or 3 (every node a cluster admin) and the node-role fix applies.'
        : '';
    return {
      message:
        `aws-auth ${list} maps ${arn} (username "${g.facts['username']}") into ${MASTERS_GROUP}, ${writtenBy(g)}. ` +
        `${who} is a cluster admin: the API server allows ${MASTERS_GROUP} everything before RBAC is consulted, so no Role or binding can limit it, and only an edit of aws-auth revokes it. ` +
        `This is what the write says; it is deliberate only if ${arn} is your break-glass admin.${hint}`,
      remediation:
        `Remove ${MASTERS_GROUP} from the entry and map it to a group bound to the permissions it needs, or move it to an access entry: ` +
        `aws eks create-access-entry --cluster-name ${cluster} --principal-arn ${arnArg} --type STANDARD, then ` +
        `aws eks associate-access-policy --cluster-name ${cluster} --principal-arn ${arnArg} --policy-arn <access policy ARN> --access-scope type=cluster ` +
        '(aws eks list-access-policies lists them; AmazonEKSClusterAdminPolicy for a real admin), and delete the aws-auth entry.',
    };
  },
};
