import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { readMessage } from '../../lambda/readers/message';
import type { AuditEvent } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import { RULES } from '../../lambda/rules/registry';
import { auditEvent, forbiddenMessage, kubeletUser, NODE, OTHER_NODE, REAL_DIR, record } from './helpers';

/**
 * The node rules on API-server and kubelet text lines (NodeDenialRecord), alone and beside the audit log.
 * Lines are written here from the formats (kube-apiserver and kubelet klog, journald prefix); names are made up.
 */

function scanLines(lines: readonly string[], events: readonly AuditEvent[] = []): ScanResult {
  const engine = new Engine(RULES, { cluster: 'test-cluster' });
  engine.file('input');
  events.forEach((e, i) => engine.record(record(e, { line: i + 1 })));
  lines.forEach((l, i) => readMessage(l, { file: 'lines.log', line: i + 1, timestamp: '2024-06-19T08:00:00Z' }, engine));
  return engine.finish();
}

const ids = (r: ScanResult): string[] => r.findings.map((f) => f.ruleId).sort();

const journal = (time: string, pid = 2222): string => `Jun 19 ${time} ${NODE} kubelet[${pid}]: `;
const klog = (sev: string, time: string, file: string): string => `${sev}0619 ${time}.100200    2222 ${file}] `;

function nodeDeny(object: string, time = '08:07:21'): string {
  return `${klog('I', time, 'node_authorizer.go:200')}"NODE DENY" err="node '${NODE}' cannot get unknown pv /${object}"`;
}

describe('node rules on kube-apiserver lines', () => {
  it('reports NODE DENY lines as node-unrelated-object-access, saying where they were seen', () => {
    // Act
    const result = scanLines([nodeDeny('pvc-a'), nodeDeny('pvc-b'), nodeDeny('pvc-a')]);

    // Assess
    expect(ids(result)).toEqual(['node-unrelated-object-access']);
    const f = result.findings[0]!;
    expect(f.subject).toEqual({ node: NODE, resource: 'persistentvolumes' });
    expect(f.count).toBe(3);
    expect(f.message).toContain('2 distinct object(s)');
    expect(f.message).toContain('seen in the API-server log');
    expect(f.evidence[0]!.message).toContain('"NODE DENY"');
    expect(result.stats.apiserverLines).toBe(3);
  });

  it('counts a refusal once when the audit log carries it too (the Lambda reads both streams)', () => {
    // Prepare
    const reason = `no relationship found between node '${NODE}' and this object`;
    const audit = ['pvc-a', 'pvc-b'].map((name) =>
      auditEvent({
        user: kubeletUser(),
        verb: 'get',
        uri: `/api/v1/persistentvolumes/${name}`,
        objectRef: { resource: 'persistentvolumes', name, apiVersion: 'v1' },
        code: 403,
        reason,
        message: forbiddenMessage(`persistentvolumes "${name}"`, `system:node:${NODE}`, 'get', 'persistentvolumes', '', 'at the cluster scope', reason),
      }),
    );

    // Act
    const result = scanLines([nodeDeny('pvc-a'), nodeDeny('pvc-b')], audit);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.count])).toEqual([['node-unrelated-object-access', 2]]);
    expect(result.findings[0]!.message).not.toContain('API-server log');
  });

  it('reads RBAC DENY lines of a node refused its own Node as a sign the Node authorizer is off', () => {
    // Act
    const result = scanLines([
      `${klog('I', '17:10:24', 'rbac.go:116')}RBAC DENY: user "system:node:${NODE}" groups ["system:nodes" "system:authenticated"] cannot "get" resource "nodes" named "${NODE}" cluster-wide`,
    ]);

    // Assess
    expect(ids(result)).toEqual(['node-forbidden-other']);
    expect(result.findings[0]!.message).toContain('check that --authorization-mode includes Node');
  });
});

describe('node rules on kubelet journal lines', () => {
  const leaseLine = (user: string, lease: string, verb: string, reason = ''): string =>
    `${journal('08:07:05')}${klog('E', '08:07:05', 'controller.go:146')}"Failed to update lease" err="leases.coordination.k8s.io \\"${lease}\\" is forbidden: User \\"${user}\\" cannot ${verb} resource \\"leases\\" in API group \\"coordination.k8s.io\\" in the namespace \\"kube-node-lease\\"${reason ? `: ${reason}` : ''}"`;

  it('reports a kubelet whose credential is no node: lease refused, identity not a node', () => {
    // Act
    const result = scanLines([leaseLine('WorkerNodeRole', NODE, 'update'), leaseLine('WorkerNodeRole', NODE, 'get')]);

    // Assess
    expect(ids(result)).toEqual(['node-identity-unrecognized', 'node-lease-forbidden']);
    const lease = result.findings.find((f) => f.ruleId === 'node-lease-forbidden')!;
    expect(lease.subject).toEqual({ node: NODE, username: 'WorkerNodeRole' });
    expect(lease.count).toBe(2);
    expect(lease.message).toContain('seen in the kubelet log');
    expect(lease.message).toContain('is not a recognized node');
    const identity = result.findings.find((f) => f.ruleId === 'node-identity-unrecognized')!;
    expect(identity.message).toContain('does not show its groups');
    expect(result.stats.kubeletLines).toBe(2);
  });

  it("reports the kubelet's side of a name mismatch: lease, Node and CSINode", () => {
    // Act
    const result = scanLines([
      leaseLine(`system:node:${NODE}`, OTHER_NODE, 'get', 'can only access node lease with the same name as the requesting node'),
      `${journal('08:07:06')}${klog('E', '08:07:06', 'kubelet_node_status.go:96')}"Unable to register node with API server" err="nodes \\"${OTHER_NODE}\\" is forbidden: node \\"${NODE}\\" is not allowed to modify node \\"${OTHER_NODE}\\"" node="${OTHER_NODE}"`,
      `${journal('08:07:07')}${klog('E', '08:07:07', 'csi_plugin.go:300')}Failed to initialize CSINode: error updating CSINode annotation: csinodes.storage.k8s.io "${OTHER_NODE}" is forbidden: User "system:node:${NODE}" cannot get resource "csinodes" in API group "storage.k8s.io" at the cluster scope: can only access CSINode with the same name as the requesting node`,
    ]);

    // Assess
    expect(ids(result)).toEqual(['node-name-mismatch']);
    const f = result.findings[0]!;
    expect(f.subject).toEqual({ node: NODE, object: OTHER_NODE });
    expect(f.count).toBe(3);
    expect(f.message).toContain('CSINode x1');
  });

  it('reports an anonymous kubelet as having no credential, and nothing else', () => {
    // Act
    const result = scanLines([
      `${journal('08:07:08')}${klog('E', '08:07:08', 'kubelet_node_status.go:96')}"Unable to register node with API server" err="nodes is forbidden: User \\"system:anonymous\\" cannot create resource \\"nodes\\" in API group \\"\\" at the cluster scope" node="${NODE}"`,
    ]);

    // Assess
    expect(ids(result)).toEqual(['node-kubelet-anonymous']);
    expect(result.findings[0]!.subject).toEqual({ node: NODE });
    expect(result.findings[0]!.message).toContain('it is not a node');
  });

  it('reports ConfigMaps and Secrets refused to a kubelet, with the older wording too', () => {
    // Act
    const result = scanLines([
      `${journal('08:07:09')}${klog('E', '08:07:09', 'configmap.go:199')}Couldn't get configMap web/settings: configmaps "settings" is forbidden: User "system:node:${NODE}" cannot get resource "configmaps" in API group "" in the namespace "web": no relationship found between node '${NODE}' and this object`,
      `${journal('08:07:10')}${klog('E', '08:07:10', 'secret.go:195')}Couldn't get secret web/tls: secrets "tls" is forbidden: User "system:node:${NODE}" cannot get secrets in the namespace "web": no path found to object`,
    ]);

    // Assess
    expect(result.findings.map((f) => [f.ruleId, f.subject['resource']]).sort()).toEqual([
      ['node-unrelated-object-access', 'configmaps'],
      ['node-unrelated-object-access', 'secrets'],
    ]);
    expect(result.findings[0]!.message).toContain('control-plane restore');
  });

  it('finds nothing in a healthy kubelet journal', () => {
    // Act
    const result = scanLines([
      `${journal('08:00:01')}${klog('I', '08:00:01', 'server.go:487')}"Kubelet version" kubeletVersion="v1.29.3-eks-ae9a62a"`,
      `${journal('08:00:02')}${klog('I', '08:00:02', 'kubelet_node_status.go:73')}"Attempting to register node" node="${NODE}"`,
      `${journal('08:00:03')}${klog('I', '08:00:03', 'kubelet_node_status.go:76')}"Successfully registered node" node="${NODE}"`,
      `${journal('08:00:04')}${klog('E', '08:00:04', 'pod_workers.go:1298')}"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"web\\" with CrashLoopBackOff: \\"back-off 10s restarting failed container\\"" pod="web/web-0"`,
    ]);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.stats.kubeletLines).toBe(0);
  });
});

describe('node rules on the real published lines', () => {
  const file = (name: string): string => join(REAL_DIR, name);
  const have = existsSync(file('eks-controlplane-klog-node-deny.log'));
  const lines = (name: string): string[] => readFileSync(file(name), 'utf8').split('\n').filter((l) => l.trim() !== '');

  it.skipIf(!have)('finds the NODE DENY lines of the EKS control plane (skipped without shared/fixtures/real)', () => {
    const result = scanLines(lines('eks-controlplane-klog-node-deny.log'));
    expect(result.findings.map((f) => [f.ruleId, f.subject['node'], f.count])).toEqual([
      ['node-unrelated-object-access', 'ip-10-0-0-137.eu-west-1.compute.internal', 3],
    ]);
  });

  it.skipIf(!have)('finds the node refusals of the issue-thread lines (skipped without shared/fixtures/real)', () => {
    const result = scanLines(lines('k8s-node-authz-denials-from-issues.log'));
    expect(ids(result)).toEqual(['node-forbidden-other', 'node-forbidden-other', 'node-forbidden-other', 'node-unrelated-object-access'].sort());
  });

  it.skipIf(!have)("finds the misconfigured kubelet's lease refusal in its journal (skipped without shared/fixtures/real)", () => {
    const result = scanLines(lines('eks-kubelet-journal-lease-forbidden-misconfigured-aws-auth.log'));
    expect(ids(result)).toEqual(['node-identity-unrecognized', 'node-lease-forbidden']);
    expect(result.findings.find((f) => f.ruleId === 'node-identity-unrecognized')!.count).toBe(2);
  });
});
