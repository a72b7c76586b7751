/**
 * Kubelet behaviours shared by the scenarios: steady heart-beats and a node's start-up sequence
 * (register, lease 404 then 201, serving CSR, the reads its first pods need), plus its authenticator line.
 */
import type { Rng } from '../prng';
import type { Micros } from '../time';
import { SECOND } from '../time';
import type { AuditEventJson } from '../audit-event';
import { allow, auditEvent, notFound, rbacAllowed } from '../audit-event';
import type { Kubelet, PodRef } from '../kubelet-events';
import {
  csrApproval, kubeletLease, kubeletRead, kubeletRegisterNode, kubeletServingCsrCreate, nodeStatusPatch,
  podStatusPatch, servingCsr,
} from '../kubelet-events';
import { accessGranted } from '../text-logs';
import type { DemoNode, NodeMapping, ResourceVersions, Timeline } from './cluster';
import { CERTIFICATE_CONTROLLER, NODE_TEMPLATE_USERNAME, STS_ENDPOINT, kubelet, nodeLabels, roleMapping, ticks } from './cluster';

export const LEASE_PERIOD: Micros = 10 * SECOND;

export interface Out {
  readonly rng: Rng;
  /** Audit events, or an already serialized line (a truncated one). */
  readonly audit: Timeline<AuditEventJson | string>;
  readonly authenticator: Timeline<string>;
  readonly rv: ResourceVersions;
}

/** Lease renewals every 10 s in [start, end), all allowed. */
export function heartbeats(out: Out, k: Kubelet, leaseUid: string, start: Micros, end: Micros): void {
  for (const t of ticks(out.rng, start, end, LEASE_PERIOD, 150_000)) {
    out.audit.add(t, kubeletLease({ rng: out.rng, time: t, kubelet: k, verb: 'update', leaseUid, resourceVersion: out.rv.at(t - LEASE_PERIOD) }));
  }
}

/** The authenticator's `access granted` line for a node's token under a mapping. */
export function grantLine(out: Out, n: DemoNode, mapping: NodeMapping, time: Micros): void {
  const m = roleMapping(n.group, mapping);
  out.authenticator.add(
    time,
    accessGranted({
      time, arn: n.group.roleArn, client: `127.0.0.1:${40000 + out.rng.int(20000)}`, groups: m.groups,
      uid: `aws-iam-authenticator:${n.group.roleArn.split(':')[4]}:${n.group.roleId}`,
      username: m.username === NODE_TEMPLATE_USERNAME ? `system:node:${n.name}` : m.username, stsEndpoint: STS_ENDPOINT,
    }),
  );
}

/** The two DaemonSet pods every EKS node runs, as this node's kubelet reports them. */
export function daemonPods(rng: Rng, n: DemoNode): PodRef[] {
  return [
    {
      namespace: 'kube-system', name: `aws-node-${rng.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}`, uid: rng.uuid(),
      container: 'aws-node', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1', podIP: n.ip,
    },
    {
      namespace: 'kube-system', name: `kube-proxy-${rng.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}`, uid: rng.uuid(),
      container: 'kube-proxy', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.31.3-eksbuild.2', podIP: n.ip,
    },
  ];
}

export interface StartupOptions {
  /** When the kubelet's first request arrives. */
  readonly start: Micros;
  /** Heart-beats run until then. */
  readonly end: Micros;
  /** Whether EKS approves the kubelet-serving CSR (only for a requester named system:node:<name>). */
  readonly csrApproved: boolean;
}

/** A new node joins: what its kubelet does in its first minute, then heart-beats. Returns the lease uid. */
export function nodeStartup(out: Out, n: DemoNode, mapping: NodeMapping, o: StartupOptions): string {
  const { rng, audit, rv } = out;
  const k = kubelet(n, mapping);
  const t0 = o.start;
  grantLine(out, n, mapping, t0 - 40_000);
  audit.add(t0, kubeletRegisterNode({ rng, time: t0, kubelet: k, labels: nodeLabels(n) }));

  // No Lease yet: get answers 404, then the kubelet creates it (node-lease controller's ensureLease).
  const leaseUid = rng.uuid();
  audit.add(t0 + 310_000, kubeletLease({ rng, time: t0 + 310_000, kubelet: k, verb: 'get', outcome: notFound() }));
  audit.add(t0 + 330_000, kubeletLease({ rng, time: t0 + 330_000, kubelet: k, verb: 'create' }));
  heartbeats(out, k, leaseUid, t0 + 330_000 + LEASE_PERIOD, o.end);

  const csrAt = t0 + 1_180_000;
  const csr = servingCsr(rng, csrAt, rv.at(csrAt));
  audit.add(csrAt, kubeletServingCsrCreate({ rng, time: csrAt, kubelet: k, csr }));
  if (o.csrApproved) {
    const approveAt = csrAt + 14 * SECOND + rng.int(2 * SECOND);
    audit.add(approveAt, csrApproval({
      rng, time: approveAt, approver: CERTIFICATE_CONTROLLER, csr, requester: k.user, resourceVersion: rv.at(approveAt),
      reason: rbacAllowed({ binding: 'eks:certificate-controller', role: 'system:controller:certificate-controller', subjectKind: 'User', subject: 'eks:certificate-controller' }),
    }));
  }

  // The DaemonSet pods' configuration: list then watch by field selector (Node authorizer: pod -> configmap).
  let t = t0 + 2_400_000;
  for (const name of ['kube-root-ca.crt', 'kube-proxy', 'kube-proxy-config', 'amazon-vpc-cni']) {
    audit.add(t, kubeletRead({ rng, time: t, kubelet: k, resource: 'configmaps', namespace: 'kube-system', name, verb: 'list' }));
    t += 40_000 + rng.int(60_000);
    audit.add(t, kubeletRead({ rng, time: t, kubelet: k, resource: 'configmaps', namespace: 'kube-system', name, verb: 'watch', resourceVersion: rv.at(t - 50_000) }));
    t += 40_000 + rng.int(60_000);
  }
  // Projected service account tokens for those pods (Node authorizer: pod -> service account).
  const pods = daemonPods(rng, n);
  for (const sa of ['aws-node', 'kube-proxy']) {
    t += 200_000 + rng.int(300_000);
    audit.add(t, auditEvent({
      rng, time: t, level: 'Metadata', caller: k,
      request: { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: sa, subresource: 'token' },
      outcome: allow(201), annotations: { 'authentication.kubernetes.io/issued-credential-id': `JTI=${rng.uuid()}` },
    }));
  }
  for (const pod of pods) {
    const ready = t0 + 18 * SECOND + rng.int(12 * SECOND);
    audit.add(ready, podStatusPatch({ rng, time: ready, kubelet: k, pod, startedAt: ready - 4 * SECOND }));
  }
  const status = t0 + 5 * 60 * SECOND + rng.int(3 * SECOND);
  if (status < o.end) audit.add(status, nodeStatusPatch({ rng, time: status, kubelet: k }));
  return leaseUid;
}
