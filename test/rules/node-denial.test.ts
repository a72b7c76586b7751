import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lambda/model/records';
import { classifyNodeDenial, isNodeLeaseDenial } from '../../lambda/rules/support/node-denial';
import { nodeForbiddenOther } from '../../lambda/rules/audit/node-forbidden-other';
import { nodeLeaseForbidden } from '../../lambda/rules/audit/node-lease-forbidden';
import { nodeNameMismatch } from '../../lambda/rules/audit/node-name-mismatch';
import { nodeRestrictionDenied } from '../../lambda/rules/audit/node-restriction-denied';
import { nodeUnrelatedObjectAccess } from '../../lambda/rules/audit/node-unrelated-object-access';
import {
  auditEvent,
  benignEvents,
  forbiddenMessage,
  iamUser,
  kubeletUser,
  leaseEvent,
  NODE,
  NODE_RULES,
  OTHER_NODE,
  readAuditJsonl,
  REAL_DIR,
  scan,
} from './helpers';

const me = `system:node:${NODE}`;
const LEASE_REASON = 'can only access node lease with the same name as the requesting node';

/** One of each kind of 403 a recognized node can get, with the kind the classifier must give. */
function denials(): { name: string; event: AuditEvent; kind: string; object?: string; detail?: string; resource: string }[] {
  const unrelatedReason = `no relationship found between node '${NODE}' and this object`;
  return [
    {
      name: 'Node authorizer: unrelated persistent volume',
      kind: 'unrelated-object',
      resource: 'persistentvolumes',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'get',
        uri: '/api/v1/persistentvolumes/pvc-0b1c2d3e',
        objectRef: { resource: 'persistentvolumes', name: 'pvc-0b1c2d3e', apiVersion: 'v1' },
        code: 403,
        reason: unrelatedReason,
        message: forbiddenMessage('persistentvolumes "pvc-0b1c2d3e"', me, 'get', 'persistentvolumes', '', 'at the cluster scope', unrelatedReason),
      }),
    },
    {
      name: 'older cluster: node name in double quotes, reason only in the message',
      kind: 'unrelated-object',
      resource: 'secrets',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'get',
        uri: '/api/v1/namespaces/prod/secrets/db-password',
        objectRef: { resource: 'secrets', namespace: 'prod', name: 'db-password', apiVersion: 'v1' },
        code: 403,
        reason: '',
        message: forbiddenMessage('secrets "db-password"', me, 'get', 'secrets', '', 'in the namespace "prod"', `no relationship found between node "${NODE}" and this object`),
      }),
    },
    {
      name: 'Node authorizer: lease of another name',
      kind: 'name-mismatch',
      object: OTHER_NODE,
      detail: 'lease',
      resource: 'leases',
      event: leaseEvent(kubeletUser(), 'update', OTHER_NODE, 403, {
        reason: LEASE_REASON,
        message: forbiddenMessage(`leases.coordination.k8s.io "${OTHER_NODE}"`, me, 'update', 'leases', 'coordination.k8s.io', 'in the namespace "kube-node-lease"', LEASE_REASON),
      }),
    },
    {
      name: 'NodeRestriction: lease create under another name (decision allow)',
      kind: 'name-mismatch',
      object: OTHER_NODE,
      detail: 'lease',
      resource: 'leases',
      event: leaseEvent(kubeletUser(), 'create', OTHER_NODE, 403, {
        decision: 'allow',
        message: `leases.coordination.k8s.io "${OTHER_NODE}" is forbidden: ${LEASE_REASON}`,
      }),
    },
    {
      name: 'NodeRestriction: modify another node',
      kind: 'name-mismatch',
      object: OTHER_NODE,
      detail: 'node',
      resource: 'nodes/status',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'patch',
        uri: `/api/v1/nodes/${OTHER_NODE}/status?timeout=10s`,
        objectRef: { resource: 'nodes', name: OTHER_NODE, apiVersion: 'v1', subresource: 'status' },
        code: 403,
        decision: 'allow',
        message: `nodes "${OTHER_NODE}" is forbidden: node "${NODE}" is not allowed to modify node "${OTHER_NODE}"`,
      }),
    },
    {
      name: 'NodeRestriction: restricted label',
      kind: 'node-restriction',
      detail: 'labels',
      resource: 'nodes',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'patch',
        uri: `/api/v1/nodes/${NODE}`,
        objectRef: { resource: 'nodes', name: NODE, apiVersion: 'v1' },
        code: 403,
        decision: 'allow',
        message: `nodes "${NODE}" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker`,
      }),
    },
    {
      name: 'NodeRestriction: token for a pod on another node',
      kind: 'node-restriction',
      detail: 'tokens',
      resource: 'serviceaccounts/token',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'create',
        uri: '/api/v1/namespaces/kube-system/serviceaccounts/aws-node/token',
        objectRef: { resource: 'serviceaccounts', namespace: 'kube-system', name: 'aws-node', apiVersion: 'v1', subresource: 'token' },
        code: 403,
        decision: 'allow',
        message: 'serviceaccounts "aws-node" is forbidden: node requested token bound to a pod scheduled on a different node',
      }),
    },
    {
      name: 'another admission plugin (PodSecurity) is not NodeRestriction',
      kind: 'other',
      resource: 'pods',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'create',
        uri: '/api/v1/namespaces/kube-system/pods',
        objectRef: { resource: 'pods', namespace: 'kube-system', name: `static-web-${NODE}`, apiVersion: 'v1' },
        code: 403,
        decision: 'allow',
        message: `pods "static-web-${NODE}" is forbidden: violates PodSecurity "restricted:latest": privileged (container "web" must not set securityContext.privileged=true)`,
      }),
    },
    {
      name: 'RBAC refusal with no reason',
      kind: 'other',
      resource: 'clusterroles',
      event: auditEvent({
        user: kubeletUser(),
        verb: 'list',
        uri: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        objectRef: { resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
        code: 403,
        message: forbiddenMessage('clusterroles.rbac.authorization.k8s.io', me, 'list', 'clusterroles', 'rbac.authorization.k8s.io', 'at the cluster scope'),
      }),
    },
    {
      name: 'own lease refused (node-lease-forbidden owns it)',
      kind: 'lease',
      resource: 'leases',
      event: leaseEvent(kubeletUser(), 'update', NODE, 403, {
        message: forbiddenMessage(`leases.coordination.k8s.io "${NODE}"`, me, 'update', 'leases', 'coordination.k8s.io', 'in the namespace "kube-node-lease"'),
      }),
    },
  ];
}

describe('classifyNodeDenial', () => {
  it.each(denials())('$name -> $kind', ({ event, kind, object, detail, resource }) => {
    // Act
    const d = classifyNodeDenial(event);

    // Assess
    expect(d).toEqual({ kind, node: NODE, resource, ...(object ? { object } : {}), ...(detail ? { detail } : {}) });
  });

  it('ignores successes, non-nodes and unrecognized node credentials', () => {
    // Prepare
    const ok = leaseEvent(kubeletUser(), 'update', NODE, 200);
    const notFound = leaseEvent(kubeletUser(), 'get', NODE, 404);
    const wrongName = leaseEvent(iamUser('WorkerNodeRole', ['system:bootstrappers', 'system:nodes', 'system:authenticated']), 'get', NODE, 403);
    const noGroup = leaseEvent(iamUser(me, ['system:masters', 'system:authenticated']), 'get', NODE, 403);
    const admin = auditEvent({ user: { username: 'alice', groups: ['system:authenticated'] }, userAgent: 'kubectl/v1.29.3', verb: 'get', uri: '/api/v1/nodes', code: 403 });

    // Act / Assess
    for (const e of [ok, notFound, wrongName, noGroup, admin]) expect(classifyNodeDenial(e)).toBeUndefined();
  });

  it('names a non-resource path when there is no objectRef', () => {
    // Prepare
    const e = auditEvent({ user: kubeletUser(), verb: 'get', uri: '/debug/pprof/profile?seconds=30', code: 403, message: `forbidden: User "${me}" cannot get path "/debug/pprof/profile"` });

    // Act / Assess
    expect(classifyNodeDenial(e)).toEqual({ kind: 'other', node: NODE, resource: '/debug/pprof/profile' });
  });

  it('falls back to the name in the message when objectRef has none', () => {
    // Prepare
    const e = leaseEvent(kubeletUser(), 'create', OTHER_NODE, 403, { decision: 'allow', message: `leases.coordination.k8s.io "${OTHER_NODE}" is forbidden: ${LEASE_REASON}` });
    delete e.objectRef!.name;

    // Act / Assess
    expect(classifyNodeDenial(e)?.object).toBe(OTHER_NODE);
  });
});

describe('isNodeLeaseDenial', () => {
  it('is true only for a node credential refused on a heartbeat verb in kube-node-lease', () => {
    // Prepare
    const wrongName = iamUser('WorkerNodeRole', ['system:bootstrappers', 'system:nodes', 'system:authenticated']);
    const controller = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };

    // Act / Assess
    expect(isNodeLeaseDenial(leaseEvent(wrongName, 'get', NODE, 403))).toBe(true);
    expect(isNodeLeaseDenial(leaseEvent(kubeletUser(), 'patch', NODE, 403))).toBe(true);
    expect(isNodeLeaseDenial(leaseEvent(kubeletUser(), 'delete', NODE, 403))).toBe(false);
    expect(isNodeLeaseDenial(leaseEvent(kubeletUser(), 'get', NODE, 404))).toBe(false);
    expect(isNodeLeaseDenial(leaseEvent(controller, 'get', NODE, 403, { userAgent: 'kube-controller-manager/v1.29.3' }))).toBe(false);
  });
});

describe('the four 403 rules of recognized nodes', () => {
  const four = [nodeUnrelatedObjectAccess, nodeNameMismatch, nodeRestrictionDenied, nodeForbiddenOther];
  const owner: Record<string, string> = {
    'unrelated-object': 'node-unrelated-object-access',
    'name-mismatch': 'node-name-mismatch',
    'node-restriction': 'node-restriction-denied',
    other: 'node-forbidden-other',
  };

  it.each(denials())('report "$name" exactly once', ({ event, kind }) => {
    // Act
    const result = scan([...four, nodeLeaseForbidden], [event]);

    // Assess
    const fromFour = result.findings.filter((f) => four.some((r) => r.id === f.ruleId)).map((f) => f.ruleId);
    expect(fromFour).toEqual(kind === 'lease' ? [] : [owner[kind]]);
    if (kind === 'lease') expect(result.findings.map((f) => f.ruleId)).toEqual(['node-lease-forbidden']);
  });
});

describe('all node rules on benign traffic', () => {
  it('report nothing', () => {
    // Act
    const result = scan(NODE_RULES, benignEvents());

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
  });
});

describe.skipIf(!existsSync(REAL_DIR))('all node rules on real EKS logs', () => {
  it('turn the real kubelet PV 403 into exactly one node-unrelated-object-access finding', () => {
    // Prepare
    const records = readAuditJsonl(resolve(REAL_DIR, 'eks-audit-node-forbidden-pv-403.jsonl'));

    // Act
    const result = scan(NODE_RULES, records);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.subject])).toEqual([
      ['node-unrelated-object-access', { node: 'ip-10-0-0-137.eu-west-1.compute.internal', resource: 'persistentvolumes' }],
    ]);
    expect(result.findings[0]!.count).toBe(1);
    expect(result.findings[0]!.firstSeen).toBe('2023-06-19T08:07:21.502039Z');
    expect(result.findings[0]!.evidence[0]!.auditID).toBe('46f27cb4-b1e3-42a1-af08-4937f58e3d8f');
  });

  it.each(['eks-audit-focaaby-events.jsonl', 'unattributed/eks-audit-node-lease-lifecycle.jsonl', 'eks-audit-kubelet-pod-status-oomkilled.jsonl'])(
    'find nothing in %s',
    (file) => {
      // Prepare
      const records = readAuditJsonl(resolve(REAL_DIR, file));

      // Act
      const result = scan(NODE_RULES, records);

      // Assess
      expect(records.length).toBeGreaterThan(0);
      expect(result.findings).toEqual([]);
      expect(result.ruleErrors).toEqual([]);
    },
  );
});
