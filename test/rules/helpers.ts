/**
 * Test helpers for the node rules: audit events shaped like real EKS ones (see the kubelet PV 403 in
 * shared/fixtures/real), records around them, and a scan through the real Engine.
 * Values are made up; only the shapes follow the real logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Aggregate, AuditEvent, AuditRecord, AuditUser, RecordSink } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import { Engine } from '../../lambda/engine/engine';
import type { Rule } from '../../lambda/model/rule';
import { RULES } from '../../lambda/rules/registry';

/** Every audit-stream node rule, in catalogue order (taken from the registry, so none can be left out). */
export const NODE_RULES: readonly Rule[] = RULES.filter((r) => r.id.startsWith('node-'));

/** shared/fixtures/real beside the repository (or EKS_AUTHZ_AUDIT_REAL_FIXTURES); tests that read it skip when it is absent. */
export const REAL_DIR = process.env['EKS_AUTHZ_AUDIT_REAL_FIXTURES'] ?? resolve(import.meta.dirname, '../../../shared/fixtures/real');
export const hasReal = existsSync(REAL_DIR);

export const ACCOUNT = '111122223333';
export const NODE = 'ip-10-1-2-3.eu-west-1.compute.internal';
export const OTHER_NODE = 'ip-10-9-8-7.eu-west-1.compute.internal';
export const NODE_ROLE = 'eks-node-group-20240102030405060700000001';
export const NODE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${NODE_ROLE}`;
export const KUBELET_UA = 'kubelet/v1.29.3 (linux/amd64) kubernetes/6813625';
export const NODE_GROUPS = ['system:bootstrappers', 'system:nodes', 'system:authenticated'];

/** An aws-iam-authenticator identity for a node IAM role, as EKS records it. */
export function iamUser(username: string, groups: string[] | undefined, opts: { role?: string; instance?: string } = {}): AuditUser {
  const role = opts.role ?? NODE_ROLE;
  const instance = opts.instance ?? 'i-0a1b2c3d4e5f60718';
  const user: AuditUser = {
    username,
    uid: `aws-iam-authenticator:${ACCOUNT}:AROAEXAMPLEROLEID0001`,
    extra: {
      accessKeyId: ['ASIAEXAMPLEKEY000001'],
      arn: [`arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${instance}`],
      canonicalArn: [`arn:aws:iam::${ACCOUNT}:role/${role}`],
      principalId: ['AROAEXAMPLEROLEID0001'],
      sessionName: [instance],
    },
  };
  if (groups) user.groups = groups;
  return user;
}

/** The kubelet of `node`, correctly mapped. */
export function kubeletUser(node = NODE): AuditUser {
  return iamUser(`system:node:${node}`, [...NODE_GROUPS]);
}

export interface EventSpec {
  user: AuditUser;
  verb: string;
  uri: string;
  objectRef?: AuditEvent['objectRef'];
  code: number;
  decision?: 'allow' | 'forbid';
  reason?: string;
  message?: string;
  userAgent?: string;
  time?: string;
  level?: string;
  requestObject?: unknown;
  auditID?: string;
}

let seq = 0;

/** One audit.k8s.io/v1 Event, fields in the order the API server writes them. */
export function auditEvent(s: EventSpec): AuditEvent {
  seq++;
  const time = s.time ?? `2024-05-06T07:08:${String(seq % 60).padStart(2, '0')}.123456Z`;
  const status: AuditEvent['responseStatus'] =
    s.code >= 400
      ? { status: 'Failure', message: s.message ?? '', reason: s.code === 403 ? 'Forbidden' : 'NotFound', code: s.code }
      : { code: s.code };
  const e: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: s.level ?? 'Metadata',
    auditID: s.auditID ?? `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    stage: 'ResponseComplete',
    requestURI: s.uri,
    verb: s.verb,
    user: s.user,
    sourceIPs: ['10.1.2.3'],
    userAgent: s.userAgent ?? KUBELET_UA,
    responseStatus: status,
    requestReceivedTimestamp: time,
    stageTimestamp: time.replace('123456Z', '124001Z'),
    annotations: { 'authorization.k8s.io/decision': s.decision ?? (s.code === 403 ? 'forbid' : 'allow'), 'authorization.k8s.io/reason': s.reason ?? '' },
  };
  if (s.objectRef) e.objectRef = s.objectRef;
  if (s.requestObject !== undefined) e.requestObject = s.requestObject;
  return e;
}

/** The RBAC-style refusal text the API server puts in responseStatus.message, with the authorizer reason appended. */
export function forbiddenMessage(what: string, user: string, verb: string, resource: string, group: string, scope: string, reason?: string): string {
  return `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}${reason ? `: ${reason}` : ''}`;
}

/** A lease request of a kubelet in kube-node-lease. */
export function leaseEvent(user: AuditUser, verb: string, lease: string, code: number, extra: Partial<EventSpec> = {}): AuditEvent {
  return auditEvent({
    user,
    verb,
    uri: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases${verb === 'create' ? '' : `/${lease}`}?timeout=10s`,
    objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: lease, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
    code,
    ...extra,
  });
}

export interface RecordOptions {
  truncated?: boolean;
  line?: number;
  file?: string;
  aggregate?: Aggregate;
}

export function record(event: AuditEvent, o: RecordOptions = {}): AuditRecord {
  const r: AuditRecord = { kind: 'audit', event, truncated: o.truncated ?? false, origin: { file: o.file ?? 'test.jsonl', line: o.line ?? 1 } };
  return o.aggregate ? { ...r, aggregate: o.aggregate } : r;
}

/** Feeds events (or records) through a real Engine with the given rules. */
export function scan(rules: readonly Rule[], input: readonly (AuditEvent | AuditRecord)[]): ScanResult {
  const engine = new Engine(rules, { cluster: 'test-cluster' });
  const sink: RecordSink = engine;
  sink.file('test.jsonl');
  input.forEach((x, i) => sink.record('kind' in x && x.kind === 'audit' ? (x as AuditRecord) : record(x as AuditEvent, { line: i + 1 })));
  return engine.finish();
}

/** Reads a JSON-lines audit file the simple way (one event per line), for the real fixtures. */
export function readAuditJsonl(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.trim() !== '')
    .map(({ text, line }) => record(JSON.parse(text) as AuditEvent, { file: path, line }));
}

/**
 * Benign traffic that looks like node trouble but is not. No node rule may fire on any of it.
 */
export function benignEvents(): AuditEvent[] {
  const bootstrap: AuditUser = { username: 'system:bootstrap:abcdef', uid: '', groups: ['system:bootstrappers', 'system:authenticated'] };
  const fargate = 'fargate-ip-192-168-10-20.eu-west-1.compute.internal';
  return [
    // kubeadm-style bootstrap token creating the kubelet's client CSR.
    auditEvent({
      user: bootstrap,
      verb: 'create',
      uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
      objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
      code: 201,
      level: 'RequestResponse',
      requestObject: { kind: 'CertificateSigningRequest', spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] } },
      reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:kubelet-bootstrap" of ClusterRole "system:node-bootstrapper" to Group "system:bootstrappers"',
    }),
    // Controllers renewing their own leader-election leases in kube-system.
    auditEvent({
      user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
      userAgent: 'kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/leader-election',
      verb: 'update',
      uri: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s',
      objectRef: { resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      code: 200,
      reason: 'RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager"',
    }),
    auditEvent({
      user: { username: 'system:serviceaccount:kube-system:cloud-controller-manager', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
      userAgent: 'aws-cloud-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/leader-election',
      verb: 'update',
      uri: '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cloud-controller-manager?timeout=5s',
      objectRef: { resource: 'leases', namespace: 'kube-system', name: 'cloud-controller-manager', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      code: 200,
    }),
    // eks:node-manager patching a node during a managed node group update.
    auditEvent({
      user: { username: 'eks:node-manager', uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEMANAGER01', groups: ['system:authenticated'] },
      userAgent: 'vpcLambda/v0.0.0 (linux/amd64) kubernetes/$Format',
      verb: 'patch',
      uri: `/api/v1/nodes/${NODE}`,
      objectRef: { resource: 'nodes', name: NODE, apiVersion: 'v1' },
      code: 200,
      reason: 'RBAC: allowed by ClusterRoleBinding "eks:node-manager" of ClusterRole "eks:node-manager" to User "eks:node-manager"',
    }),
    // eks:certificate-controller approving the kubelet's serving CSR.
    auditEvent({
      user: { username: 'eks:certificate-controller', groups: ['system:authenticated'] },
      userAgent: 'eks-certificates-controller/v0.0.0 (linux/amd64) kubernetes/$Format',
      verb: 'update',
      uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-abcde/approval',
      objectRef: { resource: 'certificatesigningrequests', name: 'csr-abcde', apiGroup: 'certificates.k8s.io', apiVersion: 'v1', subresource: 'approval' },
      code: 200,
      reason: 'RBAC: allowed by ClusterRoleBinding "eks:certificate-controller" of ClusterRole "eks:certificate-controller" to User "eks:certificate-controller"',
    }),
    // A Fargate kubelet reporting pod status.
    auditEvent({
      user: iamUser(`system:node:${fargate}`, ['system:bootstrappers', 'system:nodes', 'system:node-proxier', 'system:authenticated'], {
        role: 'eks-fargate-pod-execution-role',
        instance: 'aws-fargate-session-0123',
      }),
      userAgent: 'kubelet/v1.29.0-eks-5e0fdde (linux/amd64) kubernetes/5e0fdde',
      verb: 'patch',
      uri: '/api/v1/namespaces/default/pods/web-7d4795b8bb-klqtk/status',
      objectRef: { resource: 'pods', namespace: 'default', name: 'web-7d4795b8bb-klqtk', apiVersion: 'v1', subresource: 'status' },
      code: 200,
      level: 'Request',
    }),
    // The API server itself (system:masters) maintaining the kubernetes endpoints.
    auditEvent({
      user: { username: 'system:apiserver', uid: '7a0c7f5e-0000-4000-8000-000000000001', groups: ['system:masters'] },
      userAgent: 'kube-apiserver/v1.29.3 (linux/amd64) kubernetes/6813625',
      verb: 'update',
      uri: '/api/v1/namespaces/default/endpoints/kubernetes',
      objectRef: { resource: 'endpoints', namespace: 'default', name: 'kubernetes', apiVersion: 'v1' },
      code: 200,
    }),
    // Normal kubelet start: lease get 404, then create 201, then renewals.
    leaseEvent(kubeletUser(), 'get', NODE, 404, { message: `leases.coordination.k8s.io "${NODE}" not found` }),
    leaseEvent(kubeletUser(), 'create', NODE, 201),
    leaseEvent(kubeletUser(), 'update', NODE, 200),
    // The kubelet's own serving CSR.
    auditEvent({
      user: kubeletUser(),
      verb: 'create',
      uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
      objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
      code: 201,
      level: 'RequestResponse',
      requestObject: { kind: 'CertificateSigningRequest', spec: { signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] } },
    }),
  ];
}
