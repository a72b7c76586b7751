/**
 * The one made-up EKS cluster behind every sample: cluster "demo" in account 111122223333 (us-west-2),
 * five managed node groups, each with its own node IAM role. Every id is drawn from a PRNG seeded with the
 * entity's name, so adding a node or a scenario does not change the ids of the others.
 */
import { Rng, IAM_ID_ALPHABET } from '../prng';
import type { Micros } from '../time';
import { micros, SECOND } from '../time';
import type { Caller, IamRoleSession, UserInfo } from '../audit-event';
import { iamRoleUser, roleArn } from '../audit-event';
import type { Kubelet } from '../kubelet-events';
import type { RoleMapping } from '../control-plane-events';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
export const CLUSTER = 'demo';
/** AWS documentation's example account, standing in for the account that owns EKS's own manager roles. */
export const EKS_SERVICE_ACCOUNT = '444455556666';
export const STS_ENDPOINT = `sts.${REGION}.amazonaws.com`;
export const K8S_VERSION = 'v1.31.4';
/** Made-up short commits for the component builds. */
export const KUBELET_BUILD = '5d3e1f0';
export const CONTROL_PLANE_BUILD = 'b8e0c2a';

export const HOUR_START: Micros = micros('2026-11-27T10:00:00Z');

export function at(hhmmss: string): Micros {
  return micros(`2026-11-27T${hhmmss}Z`);
}

function iamId(prefix: 'AROA' | 'ASIA', seed: string): string {
  return prefix + new Rng(seed).chars(prefix === 'AROA' ? 17 : 16, IAM_ID_ALPHABET);
}

export type NodeGroupName = 'system' | 'apps' | 'batch' | 'gpu' | 'web';

export interface DemoNode {
  readonly name: string;
  readonly ip: string;
  readonly zone: string;
  readonly instanceId: string;
  readonly accessKeyId: string;
  readonly uid: string;
  readonly group: NodeGroup;
}

export interface NodeGroup {
  readonly name: NodeGroupName;
  readonly roleName: string;
  readonly roleArn: string;
  readonly roleId: string;
  readonly instanceType: string;
  readonly nodes: DemoNode[];
}

const ZONES: Record<string, string> = { '1': `${REGION}a`, '2': `${REGION}b`, '3': `${REGION}c` };

function nodeGroup(name: NodeGroupName, instanceType: string, ips: readonly string[]): NodeGroup {
  const roleName = `eks-ng-${name}-NodeInstanceRole`;
  const group: NodeGroup = {
    name, roleName, roleArn: roleArn(ACCOUNT, roleName), roleId: iamId('AROA', roleName), instanceType, nodes: [],
  };
  for (const ip of ips) {
    const name = `ip-${ip.replaceAll('.', '-')}.${REGION}.compute.internal`;
    const rng = new Rng(`node:${name}`);
    group.nodes.push({
      name, ip, zone: ZONES[ip.split('.')[2] as string] ?? `${REGION}a`,
      instanceId: `i-0${rng.hex(16)}`, accessKeyId: iamId('ASIA', `key:${name}`), uid: rng.uuid(), group,
    });
  }
  return group;
}

export const GROUPS = {
  system: nodeGroup('system', 'm6i.large', ['10.0.1.23', '10.0.2.47']),
  apps: nodeGroup('apps', 'm6i.xlarge', ['10.0.3.51', '10.0.3.88', '10.0.2.110']),
  batch: nodeGroup('batch', 'c6i.2xlarge', ['10.0.1.140', '10.0.2.15', '10.0.3.206']),
  gpu: nodeGroup('gpu', 'g5.xlarge', ['10.0.1.77', '10.0.2.201']),
  web: nodeGroup('web', 'm6i.large', ['10.0.1.9', '10.0.3.164']),
} as const;

export function node(group: NodeGroupName, index: number): DemoNode {
  const n = GROUPS[group].nodes[index];
  if (!n) throw new Error(`node group ${group} has no node ${index}`);
  return n;
}

/** How a node group's role is mapped in aws-auth: the right way and the three mistakes of domain.md section 2. */
export type NodeMapping = 'correct' | 'wrong-username' | 'masters-username' | 'masters-node-identity';

export const NODE_TEMPLATE_USERNAME = 'system:node:{{EC2PrivateDNSName}}';

export function roleMapping(group: NodeGroup, mapping: NodeMapping): RoleMapping {
  switch (mapping) {
    case 'correct':
      return { rolearn: group.roleArn, username: NODE_TEMPLATE_USERNAME, groups: ['system:bootstrappers', 'system:nodes'] };
    case 'wrong-username':
      return { rolearn: group.roleArn, username: 'WorkerNodeRole', groups: ['system:bootstrappers', 'system:nodes'] };
    case 'masters-username':
      return { rolearn: group.roleArn, username: 'WorkerNodeRole', groups: ['system:masters'] };
    case 'masters-node-identity':
      return { rolearn: group.roleArn, username: NODE_TEMPLATE_USERNAME, groups: ['system:masters'] };
  }
}

/** A read-only role for people, mapped to a custom group: a correct, non-node entry. */
export const READONLY_MAPPING: RoleMapping = {
  rolearn: roleArn(ACCOUNT, 'eks-readonly'), username: 'readonly:{{SessionName}}', groups: ['eks-readonly-group'],
};

export function nodeSession(n: DemoNode): IamRoleSession {
  return { account: ACCOUNT, roleName: n.group.roleName, roleId: n.group.roleId, sessionName: n.instanceId, accessKeyId: n.accessKeyId };
}

/** The Kubernetes user the authenticator makes of a node's credential under a given mapping. */
export function nodeUser(n: DemoNode, mapping: NodeMapping): UserInfo {
  const m = roleMapping(n.group, mapping);
  const username = m.username === NODE_TEMPLATE_USERNAME ? `system:node:${n.name}` : m.username;
  return iamRoleUser(username, m.groups, nodeSession(n));
}

export const KUBELET_USER_AGENT = `kubelet/${K8S_VERSION} (linux/amd64) kubernetes/${KUBELET_BUILD}`;

export function kubelet(n: DemoNode, mapping: NodeMapping): Kubelet {
  return { nodeName: n.name, sourceIP: n.ip, userAgent: KUBELET_USER_AGENT, user: nodeUser(n, mapping) };
}

/** Labels a kubelet registers its Node with (only ones NodeRestriction lets a kubelet set). */
export function nodeLabels(n: DemoNode): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': n.group.instanceType,
    'beta.kubernetes.io/os': 'linux',
    'eks.amazonaws.com/capacityType': 'ON_DEMAND',
    'eks.amazonaws.com/nodegroup': n.group.name,
    'failure-domain.beta.kubernetes.io/region': REGION,
    'failure-domain.beta.kubernetes.io/zone': n.zone,
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': n.group.instanceType,
    'topology.kubernetes.io/region': REGION,
    'topology.kubernetes.io/zone': n.zone,
  };
}

/** The cluster creator, seen by Kubernetes as kubernetes-admin in system:masters (granted outside aws-auth). */
export function adminCaller(userAgent: string): Caller {
  const session: IamRoleSession = {
    account: ACCOUNT, roleName: 'Admin', roleId: iamId('AROA', 'role:Admin'), sessionName: 'alice',
    accessKeyId: iamId('ASIA', 'key:alice'),
  };
  return { user: iamRoleUser('kubernetes-admin', ['system:masters'], session), sourceIP: '192.0.2.10', userAgent };
}

export const KUBECTL_USER_AGENT = 'kubectl/v1.31.2 (darwin/arm64) kubernetes/9f1c2e4';
export const EKSCTL_USER_AGENT = 'eksctl/v0.0.0 (linux/amd64) kubernetes/$Format';

/** EKS's node manager (managed node groups), calling from AWS's side with its own role. */
export function nodeManagerCaller(sessionTime: Micros): Caller {
  const roleName = 'AWSWesleyClusterManagerLambda-NodeManagerRole-1Q2W3E4R5T6Y';
  const session: IamRoleSession = {
    account: EKS_SERVICE_ACCOUNT, roleName, roleId: iamId('AROA', roleName),
    // The node manager names its sessions with a nanosecond timestamp.
    sessionName: `${Math.floor(sessionTime / SECOND)}${String((sessionTime % SECOND) * 1000 + 207).padStart(9, '0')}`,
    accessKeyId: iamId('ASIA', `key:${roleName}`),
  };
  return { user: iamRoleUser('eks:node-manager', [], session), sourceIP: '198.51.100.23', userAgent: 'vpcLambda/v0.0.0 (linux/amd64) kubernetes/$Format' };
}

/** EKS's certificate controller, a client-certificate user inside the control plane. */
export const CERTIFICATE_CONTROLLER: Caller = {
  user: { username: 'eks:certificate-controller', groups: ['system:authenticated'] },
  sourceIP: '172.16.88.14',
  userAgent: 'eks-certificates-controller/v0.0.0 (linux/amd64) kubernetes/$Format',
};

/**
 * resourceVersions follow etcd's revision, which grows with every write in the cluster: derived from the
 * time (about 140 writes a second) so they increase along the timeline whatever order events are built in.
 */
export class ResourceVersions {
  constructor(private readonly base: number) {}
  at(time: Micros): string {
    return String(this.base + Math.floor((time - HOUR_START) / 7_000));
  }
}

/** Events of one file, sorted by time at the end (the builders are called actor by actor). */
export class Timeline<T> {
  private readonly items: { time: Micros; seq: number; item: T }[] = [];
  add(time: Micros, item: T): void {
    this.items.push({ time, seq: this.items.length, item });
  }
  sorted(): T[] {
    return [...this.items].sort((a, b) => a.time - b.time || a.seq - b.seq).map((x) => x.item);
  }
  get size(): number {
    return this.items.length;
  }
}

/** `time` then every `period` (± jitter) until `end` (exclusive). */
export function ticks(rng: Rng, start: Micros, end: Micros, period: Micros, jitter: Micros): Micros[] {
  const out: Micros[] = [];
  for (let t = start; t < end; t += period) out.push(t + (jitter ? rng.int(2 * jitter + 1) - jitter : 0));
  return out;
}

/** The stream names EKS gives an API server instance (the id is per instance). */
export function streamId(seed: string): string {
  return new Rng(`stream:${seed}`).hex(32);
}
