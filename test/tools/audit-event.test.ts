import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../tools/prng';
import { micros } from '../../tools/time';
import type { ApiRequest, Caller, IamRoleSession } from '../../tools/audit-event';
import {
  admissionDeny, allow, auditEvent, forbid, forbiddenMessage, forbiddenText, iamRoleUser, notFound, rbacAllowed, requestURI,
} from '../../tools/audit-event';
import type { Kubelet } from '../../tools/kubelet-events';
import { kubeletLease, kubeletServingCsrCreate, podStatusPatch, servingCsr } from '../../tools/kubelet-events';

const REAL = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'real');
const T = micros('2026-11-27T10:00:01.081550Z');
const NODE = 'ip-10-0-1-23.us-west-2.compute.internal';

const session: IamRoleSession = {
  account: '111122223333', roleName: 'eks-ng-system-NodeInstanceRole', roleId: 'AROAEXAMPLEROLEID2345',
  sessionName: 'i-0123456789abcdef0', accessKeyId: 'ASIAEXAMPLEKEY234567',
};

function kubeletAs(username: string, groups: string[]): Kubelet {
  return { nodeName: NODE, sourceIP: '10.0.1.23', userAgent: 'kubelet/v1.31.4 (linux/amd64) kubernetes/5d3e1f0', user: iamRoleUser(username, groups, session) };
}

const nodeKubelet = kubeletAs(`system:node:${NODE}`, ['system:bootstrappers', 'system:nodes']);
const lease: ApiRequest = { verb: 'update', resource: 'leases', group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: NODE };

describe('iamRoleUser', () => {
  it('reports an aws-iam-authenticator identity: uid from the role id, system:authenticated appended, extra keys sorted', () => {
    // Act
    const user = iamRoleUser('WorkerNodeRole', ['system:bootstrappers', 'system:nodes'], session);

    // Assess
    expect(user).toEqual({
      username: 'WorkerNodeRole',
      uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID2345',
      groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
      extra: {
        accessKeyId: ['ASIAEXAMPLEKEY234567'],
        arn: ['arn:aws:sts::111122223333:assumed-role/eks-ng-system-NodeInstanceRole/i-0123456789abcdef0'],
        canonicalArn: ['arn:aws:iam::111122223333:role/eks-ng-system-NodeInstanceRole'],
        principalId: ['AROAEXAMPLEROLEID2345'],
        sessionName: ['i-0123456789abcdef0'],
      },
    });
    expect(Object.keys(user.extra ?? {})).toEqual([...Object.keys(user.extra ?? {})].sort());
  });
});

describe('requestURI', () => {
  it('builds core, group, namespaced, named, subresource and query paths', () => {
    expect(requestURI({ ...lease, query: 'timeout=10s' })).toBe(
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}?timeout=10s`,
    );
    expect(requestURI({ verb: 'patch', resource: 'nodes', name: NODE, subresource: 'status' })).toBe(`/api/v1/nodes/${NODE}/status`);
    // create names the object in the body, list/watch in a field selector: not in the path
    expect(requestURI({ ...lease, verb: 'create' })).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    expect(requestURI({ verb: 'list', resource: 'secrets', namespace: 'shop', name: 'db' })).toBe('/api/v1/namespaces/shop/secrets');
    // ... except for a subresource of a named object
    expect(requestURI({ verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'aws-node', subresource: 'token' })).toBe(
      '/api/v1/namespaces/kube-system/serviceaccounts/aws-node/token',
    );
  });
});

describe('denial messages', () => {
  it('words an RBAC denial like responsewriters.ForbiddenStatusError inside apierrors.NewForbidden', () => {
    expect(forbiddenMessage(lease, forbiddenText('WorkerNodeRole', lease, ''))).toBe(
      `leases.coordination.k8s.io "${NODE}" is forbidden: User "WorkerNodeRole" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease"`,
    );
  });

  it('names the subresource and the cluster scope, and appends the authorizer reason', () => {
    const status: ApiRequest = { verb: 'patch', resource: 'nodes', name: NODE, subresource: 'status' };
    expect(forbiddenMessage(status, forbiddenText('WorkerNodeRole', status, ''))).toBe(
      `nodes "${NODE}" is forbidden: User "WorkerNodeRole" cannot patch resource "nodes/status" in API group "" at the cluster scope`,
    );
    const pv: ApiRequest = { verb: 'list', resource: 'persistentvolumes' };
    expect(forbiddenMessage(pv, forbiddenText(`system:node:${NODE}`, pv, 'can only get individual resources of this type'))).toBe(
      `persistentvolumes is forbidden: User "system:node:${NODE}" cannot list resource "persistentvolumes" in API group "" at the cluster scope: can only get individual resources of this type`,
    );
  });

  it('words an RBAC allow reason for cluster and namespaced bindings', () => {
    expect(rbacAllowed({ binding: 'eks:node-manager', bindingNamespace: 'kube-system', role: 'eks:node-manager', subjectKind: 'User', subject: 'eks:node-manager' })).toBe(
      'RBAC: allowed by RoleBinding "eks:node-manager/kube-system" of Role "eks:node-manager" to User "eks:node-manager"',
    );
    expect(rbacAllowed({ binding: 'system:coredns', role: 'system:coredns', subjectKind: 'ServiceAccount', subject: 'coredns/kube-system' })).toBe(
      'RBAC: allowed by ClusterRoleBinding "system:coredns" of ClusterRole "system:coredns" to ServiceAccount "coredns/kube-system"',
    );
  });
});

describe('auditEvent', () => {
  it('prints an authorization denial with decision forbid, the reason, no body and no uid/resourceVersion', () => {
    // Act
    const e = auditEvent({
      rng: new Rng('t'), time: T, latency: 4321, level: 'Request', caller: nodeKubelet,
      request: { ...lease, uid: 'u-1', resourceVersion: '7' }, outcome: forbid('x'), requestObject: { spec: {} },
    });

    // Assess
    expect(e.requestObject).toBeUndefined();
    expect(e.objectRef).toEqual({ resource: 'leases', namespace: 'kube-node-lease', name: NODE, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' });
    expect(e.responseStatus).toEqual({
      metadata: {}, status: 'Failure',
      message: `leases.coordination.k8s.io "${NODE}" is forbidden: User "system:node:${NODE}" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": x`,
      reason: 'Forbidden', details: { name: NODE, group: 'coordination.k8s.io', kind: 'leases' }, code: 403,
    });
    expect(e.annotations).toEqual({ 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'x' });
    expect(e.requestReceivedTimestamp).toBe('2026-11-27T10:00:01.081550Z');
    expect(e.stageTimestamp).toBe('2026-11-27T10:00:01.085871Z');
  });

  it('prints a NodeRestriction denial as allowed by authorization, 403 from admission, body kept', () => {
    // Act
    const other = 'ip-10-0-3-88.us-west-2.compute.internal';
    const e = auditEvent({
      rng: new Rng('t'), time: T, level: 'Request', caller: nodeKubelet, request: { verb: 'patch', resource: 'nodes', name: other },
      outcome: admissionDeny(`node "${NODE}" is not allowed to modify node "${other}"`), requestObject: { spec: { unschedulable: true } },
    });

    // Assess
    expect(e.annotations['authorization.k8s.io/decision']).toBe('allow');
    expect(e.responseStatus.code).toBe(403);
    expect(e.responseStatus.message).toBe(`nodes "${other}" is forbidden: node "${NODE}" is not allowed to modify node "${other}"`);
    expect(e.requestObject).toEqual({ spec: { unschedulable: true } });
  });

  it('sorts extra annotations in with the authorization ones, as Go prints a map', () => {
    const e = auditEvent({
      rng: new Rng('t'), time: T, level: 'Metadata', caller: nodeKubelet, outcome: allow(201),
      request: { verb: 'create', resource: 'serviceaccounts', namespace: 'kube-system', name: 'aws-node', subresource: 'token' },
      annotations: { 'authentication.kubernetes.io/issued-credential-id': 'JTI=1' },
    });
    expect(Object.keys(e.annotations)).toEqual([
      'authentication.kubernetes.io/issued-credential-id', 'authorization.k8s.io/decision', 'authorization.k8s.io/reason',
    ]);
  });

  it('is deterministic for a seed and varies with it', () => {
    const build = (seed: string) => auditEvent({ rng: new Rng(seed), time: T, level: 'Metadata', caller: nodeKubelet, request: lease, outcome: allow() });
    expect(JSON.stringify(build('a'))).toBe(JSON.stringify(build('a')));
    expect(build('a').auditID).not.toBe(build('b').auditID);
    expect(build('a').auditID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

/** The key structure of a JSON value: object keys in order, recursively; arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

function keys(v: unknown): string[] {
  return Object.keys(v as object);
}

describe.skipIf(!existsSync(REAL))('field order matches real EKS events (shared/fixtures/real)', () => {
  const real = (file: string) => readFileSync(join(REAL, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  it('a Node authorizer 403 has the real event\'s keys, user, extra, responseStatus and annotations', () => {
    // Prepare
    const [pv] = real('eks-audit-node-forbidden-pv-403.jsonl');
    const caller: Caller = nodeKubelet;

    // Act
    const built = auditEvent({
      rng: new Rng('t'), time: T, level: 'Request', caller, request: { verb: 'get', resource: 'persistentvolumes', name: 'pv-1' },
      outcome: forbid(`no relationship found between node '${NODE}' and this object`),
    });

    // Assess
    expect(keys(built)).toEqual(keys(pv));
    expect(shape(built.user)).toEqual(shape(pv?.user));
    expect(shape(built.objectRef)).toEqual(shape(pv?.objectRef));
    expect(shape(built.responseStatus)).toEqual(shape(pv?.responseStatus));
    expect(keys(built.annotations)).toEqual(keys(pv?.annotations));
  });

  it('lease get 404, create 201 and update 200 have the real lifecycle events\' shapes', () => {
    // Prepare
    const lifecycle = real(join('unattributed', 'eks-audit-node-lease-lifecycle.jsonl')).filter((e) => String(e.userAgent).startsWith('kubelet/'));
    const rng = new Rng('t');

    // Act
    const built = [
      kubeletLease({ rng, time: T, kubelet: nodeKubelet, verb: 'get', outcome: notFound() }),
      kubeletLease({ rng, time: T, kubelet: nodeKubelet, verb: 'create' }),
      kubeletLease({ rng, time: T, kubelet: nodeKubelet, verb: 'update', leaseUid: 'u', resourceVersion: '1' }),
    ];

    // Assess
    expect(built.map((e) => e.verb)).toEqual(lifecycle.map((e) => e.verb));
    built.forEach((e, i) => {
      const r = lifecycle[i];
      expect(shape(e), String(r?.verb)).toEqual(shape(r));
    });
  });

  it('a pod status patch has the real event\'s top-level keys', () => {
    const [pod] = real('eks-audit-kubelet-pod-status-oomkilled.jsonl');
    const built = podStatusPatch({
      rng: new Rng('t'), time: T, kubelet: nodeKubelet, startedAt: T,
      pod: { namespace: 'default', name: 'p', uid: 'u', container: 'c', image: 'i:1', podIP: '10.0.1.5' },
    });
    expect(keys(built)).toEqual(keys(pod));
  });

  it('a kubelet-serving CSR create has the real export\'s bodies (Insights JSON export)', () => {
    // Prepare
    const rows = JSON.parse(readFileSync(join(REAL, 'eks-insights-export-csr-node-bootstrap.json'), 'utf8')) as { '@message': Record<string, Record<string, unknown>> }[];
    const realCreate = rows[0]?.['@message'];

    // Act
    const rng = new Rng('t');
    const built = kubeletServingCsrCreate({ rng, time: T, kubelet: nodeKubelet, csr: servingCsr(rng, T, '42') });

    // Assess
    expect(keys(built)).toEqual(keys(realCreate));
    expect(shape(built.requestObject)).toEqual(shape(realCreate?.requestObject));
    const spec = (o: unknown) => keys((o as { spec: object }).spec);
    expect(spec(built.responseObject)).toEqual(spec(realCreate?.responseObject));
  });
});
