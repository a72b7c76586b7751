/**
 * The made-up cluster behind the benchmark: a fleet of N kubelets in four managed node groups (one big
 * `general` group and three small ones that the incidents misconfigure), the control-plane components,
 * pods' service accounts and two people. Ids come from PRNGs seeded with each entity's name, so a bigger
 * fleet keeps the ids of the smaller one.
 */
import type { Caller, IamRoleSession, ServiceAccountToken, UserInfo } from '../tools/eks-events';
import { IAM_ID_ALPHABET, Rng, iamRoleUser, roleArn } from '../tools/eks-events';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
export const KUBELET_USER_AGENT = 'kubelet/v1.31.4 (linux/amd64) kubernetes/5d3e1f0';
export const KUBECTL_USER_AGENT = 'kubectl/v1.31.2 (darwin/arm64) kubernetes/9f1c2e4';
export const NODE_TEMPLATE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';

/** How a node group's role is mapped: right, or one of the three mistakes of domain.md section 2. */
export type Mapping = 'correct' | 'wrong-username' | 'masters-username' | 'masters-node-identity';

export type GroupName = 'general' | 'batch' | 'gpu' | 'web';

export interface FleetGroup {
  readonly name: GroupName;
  readonly roleName: string;
  readonly roleArn: string;
  readonly roleId: string;
  readonly nodes: FleetNode[];
  /** Changed by the incidents; every kubelet of the group authenticates under it. */
  mapping: Mapping;
}

export interface FleetNode {
  readonly name: string;
  readonly ip: string;
  readonly group: FleetGroup;
  readonly instanceId: string;
  readonly accessKeyId: string;
  readonly leaseUid: string;
  /** Second (mod the periods) of this node's lease renewals, so the fleet does not beat in step. */
  readonly phase: number;
  /** Its kube-proxy and aws-node pods' tokens (their watches come from the node's IP). */
  readonly pods: readonly ServiceAccountToken[];
}

function iamId(prefix: 'AROA' | 'ASIA', seed: string): string {
  return prefix + new Rng(seed).chars(prefix === 'AROA' ? 17 : 16, IAM_ID_ALPHABET);
}

function group(name: GroupName): FleetGroup {
  const roleName = `eks-ng-${name}-NodeInstanceRole`;
  return { name, roleName, roleArn: roleArn(ACCOUNT, roleName), roleId: iamId('AROA', roleName), nodes: [], mapping: 'correct' };
}

function podToken(rng: Rng, sa: string, node: string, nodeUid: string): ServiceAccountToken {
  return {
    namespace: 'kube-system', name: sa, uid: new Rng(`sa:${sa}`).uuid(),
    podName: `${sa}-${rng.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}`, podUid: rng.uuid(), nodeName: node, nodeUid, jti: rng.uuid(),
  };
}

function makeNode(g: FleetGroup, index: number): FleetNode {
  // 10.0.0.0/16 across three subnets, 240 addresses each.
  const ip = `10.0.${1 + (index % 3)}.${10 + Math.floor(index / 3)}`;
  const name = `ip-${ip.replaceAll('.', '-')}.${REGION}.compute.internal`;
  const rng = new Rng(`node:${name}`);
  const instanceId = `i-0${rng.hex(16)}`;
  const nodeUid = rng.uuid();
  const node: FleetNode = {
    name, ip, group: g, instanceId, accessKeyId: iamId('ASIA', `key:${name}`), leaseUid: rng.uuid(), phase: rng.int(600),
    pods: [podToken(rng, 'kube-proxy', name, nodeUid), podToken(rng, 'aws-node', name, nodeUid)],
  };
  g.nodes.push(node);
  return node;
}

export interface Fleet {
  readonly groups: Readonly<Record<GroupName, FleetGroup>>;
  readonly nodes: readonly FleetNode[];
}

export const MIN_NODES = 12;
export const MAX_NODES = 700;

/** `size` kubelets: 3 batch, 2 gpu, 3 web and the rest general. */
export function makeFleet(size: number): Fleet {
  if (!Number.isInteger(size) || size < MIN_NODES || size > MAX_NODES) {
    throw new RangeError(`fleet size must be an integer in [${MIN_NODES}, ${MAX_NODES}], got ${size}`);
  }
  const groups = { general: group('general'), batch: group('batch'), gpu: group('gpu'), web: group('web') };
  const nodes: FleetNode[] = [];
  const small: GroupName[] = ['batch', 'batch', 'batch', 'gpu', 'gpu', 'web', 'web', 'web'];
  for (let i = 0; i < size; i++) nodes.push(makeNode(groups[small[i] ?? 'general'], i));
  return { groups, nodes };
}

/** A node that joins later (the incidents' new GPU nodes), numbered after the fleet. */
export function joiningNode(fleet: Fleet, g: FleetGroup, k: number): FleetNode {
  return makeNode(g, fleet.nodes.length + 100 + k);
}

function session(n: FleetNode): IamRoleSession {
  const g = n.group;
  return { account: ACCOUNT, roleName: g.roleName, roleId: g.roleId, sessionName: n.instanceId, accessKeyId: n.accessKeyId };
}

/** The aws-auth entry of a group under a mapping. */
export function roleMapping(g: FleetGroup, mapping: Mapping): { rolearn: string; username: string; groups: string[] } {
  const nodeGroups = ['system:bootstrappers', 'system:nodes'];
  switch (mapping) {
    case 'correct':
      return { rolearn: g.roleArn, username: NODE_TEMPLATE_USERNAME, groups: nodeGroups };
    case 'wrong-username':
      return { rolearn: g.roleArn, username: 'WorkerNodeRole', groups: nodeGroups };
    case 'masters-username':
      return { rolearn: g.roleArn, username: 'WorkerNodeRole', groups: ['system:masters'] };
    case 'masters-node-identity':
      return { rolearn: g.roleArn, username: NODE_TEMPLATE_USERNAME, groups: ['system:masters'] };
  }
}

/** Who the API server sees when this node's kubelet calls, under its group's current mapping. */
export function kubeletUser(n: FleetNode): UserInfo {
  const m = roleMapping(n.group, n.group.mapping);
  return iamRoleUser(m.username === NODE_TEMPLATE_USERNAME ? `system:node:${n.name}` : m.username, m.groups, session(n));
}

/** The Kubernetes identity is recognized as a node (system:node:<name> in system:nodes). */
export function isRecognized(mapping: Mapping): boolean {
  return mapping === 'correct';
}

export function kubeletCaller(n: FleetNode): Caller & { nodeName: string } {
  return { nodeName: n.name, sourceIP: n.ip, userAgent: KUBELET_USER_AGENT, user: kubeletUser(n) };
}

function person(username: string, groups: string[], roleName: string, sessionName: string): Caller {
  const s: IamRoleSession = {
    account: ACCOUNT, roleName, roleId: iamId('AROA', `role:${roleName}`), sessionName, accessKeyId: iamId('ASIA', `key:${sessionName}`),
  };
  return { user: iamRoleUser(username, groups, s), sourceIP: '192.0.2.10', userAgent: KUBECTL_USER_AGENT };
}

/** The cluster creator: kubernetes-admin in system:masters (granted outside aws-auth). */
export const ADMIN: Caller = person('kubernetes-admin', ['system:masters'], 'Admin', 'alice');
/** A developer with a read-only mapping. */
export const DEVELOPER: Caller = person('readonly:bob', ['eks-readonly-group'], 'eks-readonly', 'bob');
/** The break-glass role mapped into system:masters on purpose: aws-auth-system-masters reports every write of it. */
export const BREAK_GLASS_ARN = roleArn(ACCOUNT, 'eks-break-glass');
export const READONLY_ARN = roleArn(ACCOUNT, 'eks-readonly');

/** The mapRoles list every aws-auth write carries, with each group under its mapping. */
export function mapRoles(fleet: Fleet): { rolearn: string; username: string; groups: string[] }[] {
  return [
    ...Object.values(fleet.groups).map((g) => roleMapping(g, g.mapping)),
    { rolearn: READONLY_ARN, username: 'readonly:{{SessionName}}', groups: ['eks-readonly-group'] },
    { rolearn: BREAK_GLASS_ARN, username: 'break-glass:{{SessionName}}', groups: ['system:masters'] },
  ];
}
