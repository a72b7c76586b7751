import type { AuthenticatorRecord } from '../../model/records';
import { sessionOf } from './authenticator-fields';

/**
 * Whether an IAM role refused by aws-iam-authenticator belongs to nodes, and on what evidence. Shared by
 * authenticator-node-unmapped (which reports such roles) and authenticator-denied-burst (which must not
 * report them again).
 */

/** Strongest first: what the finding's confidence rests on. */
export type NodeRoleEvidence = 'kubelet' | 'session' | 'name';

export interface NodeRoleJudgement {
  readonly evidence: NodeRoleEvidence;
  /** The concrete fact, for the message: the instance session or the role name. */
  readonly detail: string;
}

/**
 * Names node roles are commonly given: eksctl `...-NodeInstanceRole-...`, EKS console `AmazonEKSNodeRole` and
 * `AmazonEKSAutoNodeRole`, Terraform `...-eks-node-group-...`, Karpenter `KarpenterNodeRole-<cluster>`,
 * hand-made `eks-worker-role`. A guess, and worded as one.
 */
const NODE_ROLE_NAME = /NodeInstanceRole|node-?group|Karpenter-?Node|node-?role|worker-?node|eks-?workers?\b|worker-?role/i;

/**
 * EKS's own manager roles (`AWSWesleyClusterManagerLambda-NodeManagerRole-...` behind eks:node-manager) and
 * service-linked roles manage nodes but are not node roles.
 */
const NOT_NODE_ROLE = /ClusterManager|NodeManager|AWSServiceRoleFor/i;

/**
 * How EC2 instance profiles name role sessions: the instance id. The authenticator accepts
 * `^i-(\w{8}|\w{17})$` for {{EC2PrivateDNSName}} (pkg/server/server.go); instance ids are hex.
 */
const INSTANCE_SESSION = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** The role name of `arn:<partition>:iam::<account>:role/[path/]name`, else undefined (users are never nodes). */
export function roleName(arn: string): string | undefined {
  const m = /^arn:[a-z-]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

export function isInstanceSession(session: string): boolean {
  return INSTANCE_SESSION.test(session);
}

export function readsLikeNodeRole(arn: string): boolean {
  const name = roleName(arn);
  return name !== undefined && NODE_ROLE_NAME.test(name) && !NOT_NODE_ROLE.test(name);
}

/**
 * Collects the instance-named sessions of each role from `STS response` lines, which precede the verdict
 * line of the same request. Only what is needed to judge is kept: one session per role.
 */
export class InstanceSessions {
  private readonly byRole = new Map<string, string>();

  observe(r: AuthenticatorRecord): void {
    const s = sessionOf(r);
    if (!s || !isInstanceSession(s.session)) return;
    const key = s.role.toLowerCase();
    if (!this.byRole.has(key)) this.byRole.set(key, s.session);
  }

  of(roleArn: string): string | undefined {
    return this.byRole.get(roleArn.toLowerCase());
  }
}

/**
 * Judges a canonical role ARN at finish(), when ScanContext.nodeRoleArns (roles that signed kubelet requests
 * in this input) is complete; pass it through lowerSet(). Undefined when nothing says it is a node role.
 * Compared lower-cased: IAM role names are unique regardless of case, and the authenticator lower-cases the
 * ARN before looking it up.
 */
export function judgeNodeRole(
  arn: string,
  lowerNodeRoleArns: ReadonlySet<string>,
  sessions: InstanceSessions,
): NodeRoleJudgement | undefined {
  if (lowerNodeRoleArns.has(arn.toLowerCase())) return { evidence: 'kubelet', detail: arn };
  const session = sessions.of(arn);
  if (session) return { evidence: 'session', detail: session };
  if (readsLikeNodeRole(arn)) return { evidence: 'name', detail: roleName(arn) ?? arn };
  return undefined;
}

/** Lower-cased once per finish(), so judging many ARNs stays linear. */
export function lowerSet(arns: ReadonlySet<string>): Set<string> {
  return new Set([...arns].map((a) => a.toLowerCase()));
}
