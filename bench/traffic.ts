/**
 * The steady traffic of a healthy EKS cluster, second by second: what most of a real audit log is.
 * Per kubelet: a Lease renewal every 10 s, a node status patch every 60 s, a pod status patch every 120 s,
 * and every 10 min its ConfigMap watches and its pods' service-account watches re-opened. Cluster-wide:
 * controller-manager and scheduler leader election (one renewal a second between them), a developer and
 * an admin with kubectl. Each event goes through Ctx, which also counts what a misconfigured mapping makes of it.
 */
import type { AuditEventJson, Outcome, Rng } from '../tools/eks-events';
import type { Micros } from '../tools/eks-events';
import {
  SECOND, allow, auditEvent, forbid, kubeletLease, kubeletRead, leaderElectionRenew, nodeStatusPatch, podStatusPatch,
  rbacAllowed, serviceAccountWatch,
} from '../tools/eks-events';
import type { Fleet, FleetNode } from './fleet';
import { ADMIN, DEVELOPER, kubeletCaller } from './fleet';
import type { Expectations, LogWriter } from './log-writer';

export interface Ctx {
  readonly rng: Rng;
  readonly fleet: Fleet;
  readonly out: LogWriter;
  readonly expect: Expectations;
  /** Plant what jq cannot read and what only the newer rules look at (see generate.ts). */
  readonly damaged: boolean;
  /** Start of the current second. */
  now: Micros;
  /** The last etcd revision handed out. */
  revision: number;
}

/** etcd's revision: grows with every write in the cluster. */
export function nextRv(ctx: Ctx): string {
  ctx.revision += 1 + (ctx.revision % 7);
  return String(ctx.revision);
}

/** A time in the current second. */
export function within(ctx: Ctx): Micros {
  return ctx.now + ctx.rng.int(SECOND);
}

/** Writes a kubelet's event and counts what the rules will make of it, from its group's mapping. */
export function kubeletEvent(ctx: Ctx, n: FleetNode, e: AuditEventJson): void {
  ctx.out.event(e);
  countKubeletEvent(ctx.expect, n, e);
}

export function countKubeletEvent(expect: Expectations, n: FleetNode, e: AuditEventJson): void {
  const mapping = n.group.mapping;
  const username = e.user.username;
  const arn = n.group.roleArn;
  if (mapping !== 'correct') expect.add('node-identity-unrecognized', { username, arn });
  if (mapping === 'masters-username' || mapping === 'masters-node-identity') expect.add('node-system-masters', { username, arn });
  const ref = e.objectRef;
  if (ref.resource === 'leases' && ref.namespace === 'kube-node-lease' && e.responseStatus['code'] === 403) {
    expect.add('node-lease-forbidden', { node: ref.name ?? '', username });
  }
}

/** What RBAC answers a kubelet whose identity the Node authorizer does not recognize and system:masters does not cover. */
export function kubeletOutcome(n: FleetNode, ok: Outcome): Outcome {
  return n.group.mapping === 'wrong-username' ? forbid('') : ok;
}

const KUBELET_CONFIGMAPS = ['kube-root-ca.crt', 'kube-proxy', 'kube-proxy-config', 'amazon-vpc-cni'];
const CONTROL_PLANE = { version: 'v1.31.4', build: 'b8e0c2a' };
const LEADER_LEASES = {
  'kube-controller-manager': { uid: 'c8a1b0de-51f2-4c07-9a3e-0f6d2b7e4a11', ip: '172.16.88.14' },
  'kube-scheduler': { uid: '5e2f7c90-8d1a-4b6e-b3c4-91a0e7d2f385', ip: '172.16.88.14' },
} as const;

/** One kubelet's requests due in this second. */
export function nodeSecond(ctx: Ctx, n: FleetNode, s: number): void {
  const { rng } = ctx;
  const p = s + n.phase;
  const k = kubeletCaller(n);
  if (p % 10 === 0) {
    const outcome = kubeletOutcome(n, allow(200));
    kubeletEvent(ctx, n, kubeletLease({ rng, time: within(ctx), kubelet: k, verb: 'update', leaseUid: n.leaseUid, resourceVersion: nextRv(ctx), outcome }));
  }
  if (p % 60 === 5) kubeletEvent(ctx, n, nodeStatusPatch({ rng, time: within(ctx), kubelet: k, outcome: kubeletOutcome(n, allow()) }));
  if (p % 120 === 33) {
    const pod = n.pods[0]!;
    const time = within(ctx);
    kubeletEvent(ctx, n, podStatusPatch({
      rng, time, kubelet: k, startedAt: time - 40 * SECOND, outcome: kubeletOutcome(n, allow()),
      pod: {
        namespace: pod.namespace, name: pod.podName, uid: pod.podUid, container: pod.name, podIP: n.ip,
        image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.31.3-eksbuild.2',
      },
    }));
  }
  if (p % 600 === 77) {
    for (const name of KUBELET_CONFIGMAPS) {
      kubeletEvent(ctx, n, kubeletRead({
        rng, time: within(ctx), kubelet: k, resource: 'configmaps', namespace: 'kube-system', name, verb: 'watch',
        resourceVersion: nextRv(ctx), outcome: kubeletOutcome(n, allow()),
      }));
    }
    for (const token of n.pods) {
      const reason = rbacAllowed({ binding: `system:${token.name}`, role: `system:${token.name}`, subjectKind: 'ServiceAccount', subject: `${token.name}/kube-system` });
      for (const [resource, group] of [['endpointslices', 'discovery.k8s.io'], ['services', undefined]] as const) {
        ctx.out.event(serviceAccountWatch({
          rng, time: within(ctx), token, sourceIP: n.ip, userAgent: `${token.name}/v0.0.0 (linux/amd64) kubernetes/$Format`,
          resource, group, resourceVersion: nextRv(ctx), reason,
        }));
      }
    }
  }
}

/** The control plane's and people's requests due in this second. */
export function clusterSecond(ctx: Ctx, s: number): void {
  const { rng } = ctx;
  const component = s % 2 === 0 ? 'kube-controller-manager' : 'kube-scheduler';
  const lease = LEADER_LEASES[component];
  ctx.out.event(leaderElectionRenew({
    rng, time: within(ctx), component, ...CONTROL_PLANE, sourceIP: lease.ip, leaseUid: lease.uid, resourceVersion: nextRv(ctx),
  }));
  if (s % 45 === 20) {
    ctx.out.event(auditEvent({
      rng, time: within(ctx), level: 'Metadata', caller: DEVELOPER,
      request: { verb: 'list', resource: 'pods', namespace: 'shop', query: 'limit=500' },
      outcome: allow(200, rbacAllowed({ binding: 'eks-readonly', role: 'view', subjectKind: 'Group', subject: 'eks-readonly-group' })),
    }));
  }
  if (s % 600 === 300) {
    ctx.out.event(auditEvent({
      rng, time: within(ctx), level: 'Metadata', caller: ADMIN,
      request: { verb: 'get', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' }, outcome: allow(),
    }));
  }
}
