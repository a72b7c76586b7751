/**
 * What the EKS API says about a cluster (DescribeCluster, ListNodegroups / DescribeNodegroup,
 * ListAccessEntries / DescribeAccessEntry / ListAssociatedAccessPolicies), as plain data the rules in
 * rules/eks read through an EksClusterRecord. Every field is optional where the API may leave it out.
 */

/** `CONFIG_MAP` (aws-auth only), `API_AND_CONFIG_MAP` (both) or `API` (aws-auth ignored). */
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';

/** The control-plane log types whose absence blinds this auditor, in the order findings name them. */
export const WATCHED_LOG_TYPES = ['audit', 'api', 'authenticator'] as const;
export type WatchedLogType = (typeof WATCHED_LOG_TYPES)[number];

/** One policy associated with an access entry (ListAssociatedAccessPolicies). */
export interface AccessPolicyFacts {
  readonly policyArn: string;
  /** `cluster` or `namespace`. */
  readonly scopeType?: string;
  readonly namespaces?: readonly string[];
}

/** One access entry (DescribeAccessEntry) and its associated policies. */
export interface AccessEntryFacts {
  readonly principalArn: string;
  /** STANDARD, EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2, ... */
  readonly type?: string;
  readonly username?: string;
  readonly kubernetesGroups: readonly string[];
  readonly policies: readonly AccessPolicyFacts[];
}

/** An IAM role that acts as nodes: the node role of a managed node group, or seen on kubelet requests. */
export interface NodeRoleFacts {
  /** As the node group or the kubelet's canonical ARN gives it. */
  readonly roleArn: string;
  /** Managed node groups launched with this role (empty when only kubelet requests showed it). */
  readonly nodegroups: readonly string[];
  readonly seenOnKubelets: boolean;
  /** The role's access entry; null when the cluster has none for it; undefined when it was not read. */
  readonly accessEntry: AccessEntryFacts | null | undefined;
}

export interface EksClusterFacts {
  readonly name: string;
  readonly region?: string;
  readonly arn?: string;
  readonly authenticationMode?: AuthenticationMode | string;
  /** Log types from logging.clusterLogging; undefined when DescribeCluster did not say. */
  readonly enabledLogTypes?: readonly string[];
  readonly nodeRoles: readonly NodeRoleFacts[];
  /** Managed node groups listed (so "no access entry" is only said when they were read). */
  readonly nodegroupsRead: boolean;
  /** Access entries were read (authentication mode API or API_AND_CONFIG_MAP, and the calls succeeded). */
  readonly accessEntriesRead: boolean;
}

/** The role name of an IAM role ARN, without its path: `arn:aws:iam::1:role/team/nodes` -> `nodes`. */
export function roleName(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(?:role|assumed-role)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const parts = m[1]!.split('/');
  // assumed-role/<role>/<session>: the role is the first part; role/<path>/<name>: the last.
  return arn.includes(':assumed-role/') ? parts[0] : parts[parts.length - 1];
}

/** Account id of an IAM or STS ARN. */
export function arnAccount(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

/**
 * The same IAM role whatever the ARN's form: aws-iam-authenticator's canonical ARN drops the path
 * (role/nodes) while node groups and access entries keep it (role/team/nodes).
 */
export function sameRole(a: string, b: string): boolean {
  const na = roleName(a);
  return na !== undefined && na === roleName(b) && arnAccount(a) === arnAccount(b);
}
