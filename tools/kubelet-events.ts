/**
 * The requests a kubelet makes, as audit events. Levels follow what EKS logs: leases and reads at
 * Metadata, node and pod status patches at Request (body only when it was read), CSRs at RequestResponse.
 */
import type { Rng } from './prng';
import type { Micros } from './time';
import { isoSeconds } from './time';
import type { AuditEventJson, Caller, Outcome, UserInfo } from './audit-event';
import { allow, auditEvent } from './audit-event';

export const KUBE_NODE_LEASE = 'kube-node-lease';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/** A kubelet: the caller plus the name it registers its Node and Lease under. */
export interface Kubelet extends Caller {
  readonly nodeName: string;
}

interface Base {
  readonly rng: Rng;
  readonly time: Micros;
}

/**
 * Lease heart-beat in kube-node-lease: `get` (then `create` on 404) at start-up, `update` every 10 s.
 * The kubelet asks with a 10 s client timeout, which shows in the URI.
 */
export function kubeletLease(
  p: Base & {
    readonly kubelet: Kubelet;
    readonly verb: 'get' | 'create' | 'update';
    readonly outcome?: Outcome;
    /** The Lease's uid and resourceVersion, shown on a successful update. */
    readonly leaseUid?: string;
    readonly resourceVersion?: string;
  },
): AuditEventJson {
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Metadata',
    caller: p.kubelet,
    request: {
      verb: p.verb, resource: 'leases', group: 'coordination.k8s.io', namespace: KUBE_NODE_LEASE,
      name: p.kubelet.nodeName, query: 'timeout=10s', uid: p.leaseUid, resourceVersion: p.resourceVersion,
    },
    outcome: p.outcome ?? allow(p.verb === 'create' ? 201 : 200),
  });
}

/** The kubelet's first request: it registers its Node object (POST /api/v1/nodes). */
export function kubeletRegisterNode(
  p: Base & { readonly kubelet: Kubelet; readonly labels: Readonly<Record<string, string>>; readonly outcome?: Outcome },
): AuditEventJson {
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Request',
    caller: p.kubelet,
    request: { verb: 'create', resource: 'nodes', name: p.kubelet.nodeName },
    outcome: p.outcome ?? allow(201),
    requestObject: {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: {
        name: p.kubelet.nodeName,
        creationTimestamp: null,
        labels: p.labels,
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: {},
      status: { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } }, nodeInfo: {} },
    },
  });
}

const NODE_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];

/** Node status heart-beat: a strategic-merge patch of the condition heart-beat times. */
export function nodeStatusPatch(p: Base & { readonly kubelet: Kubelet; readonly outcome?: Outcome }): AuditEventJson {
  const beat = isoSeconds(p.time);
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Request',
    caller: p.kubelet,
    request: { verb: 'patch', resource: 'nodes', name: p.kubelet.nodeName, subresource: 'status', query: 'timeout=10s' },
    outcome: p.outcome ?? allow(),
    requestObject: {
      status: {
        '$setElementOrder/conditions': NODE_CONDITIONS.map((type) => ({ type })),
        conditions: NODE_CONDITIONS.map((type) => ({ lastHeartbeatTime: beat, type })),
      },
    },
  });
}

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The main container's name and image. */
  readonly container: string;
  readonly image: string;
  readonly podIP: string;
}

/** A pod turned Ready on this node: the kubelet patches pods/<name>/status. */
export function podStatusPatch(
  p: Base & { readonly kubelet: Kubelet; readonly pod: PodRef; readonly startedAt: Micros; readonly outcome?: Outcome },
): AuditEventJson {
  const at = isoSeconds(p.time);
  const containerID = `containerd://${p.rng.hex(64)}`;
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Request',
    caller: p.kubelet,
    request: { verb: 'patch', resource: 'pods', namespace: p.pod.namespace, name: p.pod.name, subresource: 'status' },
    outcome: p.outcome ?? allow(),
    requestObject: {
      metadata: { uid: p.pod.uid },
      status: {
        '$setElementOrder/conditions': ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']
          .map((type) => ({ type })),
        conditions: [
          { lastProbeTime: null, lastTransitionTime: at, status: 'True', type: 'Ready' },
          { lastProbeTime: null, lastTransitionTime: at, status: 'True', type: 'ContainersReady' },
        ],
        containerStatuses: [
          {
            containerID,
            image: p.pod.image,
            imageID: `${p.pod.image.split(':')[0]}@sha256:${p.rng.hex(64)}`,
            lastState: {},
            name: p.pod.container,
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: isoSeconds(p.startedAt) } },
          },
        ],
        podIP: p.pod.podIP,
        podIPs: [{ ip: p.pod.podIP }],
      },
    },
  });
}

/**
 * A kubelet reading a ConfigMap or Secret its pods mount. Current kubelets list and watch one object by
 * field selector; `get` is the older style (and what a person with a stolen credential types).
 */
export function kubeletRead(
  p: Base & {
    readonly kubelet: Kubelet;
    readonly resource: 'configmaps' | 'secrets';
    readonly namespace: string;
    readonly name: string;
    readonly verb: 'get' | 'list' | 'watch';
    readonly resourceVersion?: string;
    readonly outcome?: Outcome;
  },
): AuditEventJson {
  const selector = `fieldSelector=metadata.name%3D${p.name}`;
  let query: string | undefined;
  if (p.verb === 'list') query = `${selector}&limit=500&resourceVersion=0`;
  if (p.verb === 'watch') {
    const seconds = 300 + p.rng.int(300);
    query =
      `allowWatchBookmarks=true&${selector}&resourceVersion=${p.resourceVersion ?? '0'}` +
      `&timeout=${Math.floor(seconds / 60)}m${seconds % 60}s&timeoutSeconds=${seconds}&watch=true`;
  }
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'Metadata',
    caller: p.kubelet,
    request: { verb: p.verb, resource: p.resource, namespace: p.namespace, name: p.name, query },
    outcome: p.outcome ?? allow(),
  });
}

/** A CertificateSigningRequest as the kubelet sends it and as the API server stores it. */
export interface ServingCsr {
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  /** Base64 of the PEM request. */
  readonly request: string;
  readonly created: Micros;
}

/**
 * A made-up kubelet-serving CSR. The PEM block holds random bytes, not a parseable request: nothing in
 * this project decodes it, and a real key pair would make the samples depend on the crypto library.
 */
export function servingCsr(rng: Rng, created: Micros, resourceVersion: string): ServingCsr {
  const der = Buffer.alloc(250);
  for (let i = 0; i < der.length; i++) der[i] = rng.int(256);
  der.set([0x30, 0x81, 0xf7], 0);
  const body = der.toString('base64').replace(/.{64}/g, '$&\n');
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
  return { name: `csr-${rng.chars(5, 'bcdfghjklmnpqrstvwxz2456789')}`, uid: rng.uuid(), resourceVersion, request: Buffer.from(pem).toString('base64'), created };
}

const CSR_USAGES = ['digital signature', 'server auth'];

function csrMetadata(csr: ServingCsr, resourceVersion: string, approvedAt?: Micros): Record<string, unknown> {
  const created = isoSeconds(csr.created);
  const managedFields: unknown[] = [
    {
      manager: 'kubelet', operation: 'Update', apiVersion: 'certificates.k8s.io/v1', time: created,
      fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {} } },
    },
  ];
  if (approvedAt !== undefined) {
    managedFields.push({
      manager: 'eks-certificates-controller', operation: 'Update', apiVersion: 'certificates.k8s.io/v1',
      time: isoSeconds(approvedAt), fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Approved"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:lastUpdateTime': {}, 'f:message': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} } } } },
      subresource: 'approval',
    });
  }
  return { name: csr.name, generateName: 'csr-', uid: csr.uid, resourceVersion, creationTimestamp: created, managedFields };
}

/** The spec the API server stores: the request plus who asked (username, uid, groups, extra). */
function csrSpec(csr: ServingCsr, requester: UserInfo): Record<string, unknown> {
  const spec: Record<string, unknown> = { request: csr.request, signerName: KUBELET_SERVING_SIGNER, usages: CSR_USAGES, username: requester.username };
  if (requester.uid) spec.uid = requester.uid;
  spec.groups = requester.groups;
  if (requester.extra) spec.extra = requester.extra;
  return spec;
}

/** The kubelet asks for its serving certificate (kubelet-serving signer). */
export function kubeletServingCsrCreate(
  p: Base & { readonly kubelet: Kubelet; readonly csr: ServingCsr; readonly outcome?: Outcome },
): AuditEventJson {
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'RequestResponse',
    caller: p.kubelet,
    request: { verb: 'create', resource: 'certificatesigningrequests', group: 'certificates.k8s.io' },
    outcome: p.outcome ?? allow(201),
    requestObject: {
      kind: 'CertificateSigningRequest',
      apiVersion: 'certificates.k8s.io/v1',
      metadata: { generateName: 'csr-', creationTimestamp: null },
      spec: { request: p.csr.request, signerName: KUBELET_SERVING_SIGNER, usages: CSR_USAGES },
      status: {},
    },
    responseObject: {
      kind: 'CertificateSigningRequest',
      apiVersion: 'certificates.k8s.io/v1',
      metadata: csrMetadata(p.csr, p.csr.resourceVersion),
      spec: csrSpec(p.csr, p.kubelet.user),
      status: {},
    },
  });
}

/**
 * EKS's certificate controller approves a kubelet-serving CSR (the `approval` subresource). It only does
 * so for a requester named system:node:<name>; a CSR from any other username stays Pending.
 */
export function csrApproval(
  p: Base & { readonly approver: Caller; readonly reason: string; readonly csr: ServingCsr; readonly requester: UserInfo; readonly resourceVersion: string },
): AuditEventJson {
  const at = isoSeconds(p.time);
  const body = (rv: string, approvedAt?: Micros) => ({
    kind: 'CertificateSigningRequest',
    apiVersion: 'certificates.k8s.io/v1',
    metadata: csrMetadata(p.csr, rv, approvedAt),
    spec: csrSpec(p.csr, p.requester),
    status: {
      conditions: [
        {
          type: 'Approved', status: 'True', reason: 'AutoApproved',
          message: 'Auto approving self kubelet server certificate after SubjectAccessReview.',
          lastUpdateTime: approvedAt === undefined ? null : at, lastTransitionTime: approvedAt === undefined ? null : at,
        },
      ],
    },
  });
  return auditEvent({
    rng: p.rng,
    time: p.time,
    level: 'RequestResponse',
    caller: p.approver,
    request: {
      verb: 'update', resource: 'certificatesigningrequests', group: 'certificates.k8s.io', name: p.csr.name,
      subresource: 'approval', uid: p.csr.uid, resourceVersion: p.csr.resourceVersion,
    },
    outcome: allow(200, p.reason),
    requestObject: body(p.csr.resourceVersion),
    responseObject: body(p.resourceVersion, p.time),
  });
}
