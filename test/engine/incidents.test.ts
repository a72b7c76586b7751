import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { MAX_INCIDENT_NODE_NAMES } from '../../lambda/model/incident';
import { renderText } from '../../lambda/report/text';
import { incidentId } from '../../lambda/engine/incidents';
import { roleKey } from '../../lambda/engine/role-key';
import { MINUTE, SECOND } from '../../tools/time';
import { Logs, NODE_GROUPS, NODE_USERNAME, T0, arnOf, grant, mapping, nodeGroup } from './incident-fixtures';

/** The ruleIds of an incident's findings, sorted (with repeats: one lease finding per node). */
function rulesOf(result: ScanResult, incident: Incident): string[] {
  const byFp = new Map(result.findings.map((f) => [f.fingerprint, f.ruleId]));
  return incident.findings.map((fp) => byFp.get(fp)!).sort();
}

function roleIncident(result: ScanResult, role: string): Incident {
  const found = result.incidents.filter((i) => i.cause.kind === 'node-role' && i.cause.roleArn && roleKey(i.cause.roleArn) === roleKey(arnOf(role)));
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Misconfiguration 1 (domain.md §2): groups right, username WorkerNodeRole: leases refused, nodes NotReady. */
function misconfiguration1(logs: Logs, nodes = 3): void {
  logs.awsAuth(T0 - 5 * MINUTE, [mapping('batch-node-role')]);
  logs.awsAuth(T0, [mapping('batch-node-role', 'WorkerNodeRole', NODE_GROUPS)]);
  grant(logs, 'batch-node-role', mapping('batch-node-role', 'WorkerNodeRole'), T0 + 30 * SECOND);
  nodeGroup(logs, 'batch-node-role', mapping('batch-node-role', 'WorkerNodeRole'), { nodes, from: T0 + 41 * SECOND });
}

/** Misconfiguration 2: system:masters with username WorkerNodeRole: Ready, CSRs never approved, cluster admin. */
function misconfiguration2(logs: Logs): void {
  logs.awsAuth(T0 + 10 * MINUTE, [mapping('gpu-node-role', 'WorkerNodeRole', ['system:masters'])], 'merge');
  nodeGroup(logs, 'gpu-node-role', mapping('gpu-node-role', 'WorkerNodeRole', ['system:masters']), { nodes: 2, from: T0 + 12 * MINUTE, csr: true, first: 100 });
}

/** Misconfiguration 3: node username kept, system:masters instead of system:nodes: works, unconfined admin. */
function misconfiguration3(logs: Logs): void {
  logs.awsAuth(T0 + 20 * MINUTE, [mapping('web-node-role', NODE_USERNAME, ['system:masters'])], 'apply');
  nodeGroup(logs, 'web-node-role', mapping('web-node-role', NODE_USERNAME, ['system:masters']), { nodes: 2, from: T0 + 22 * MINUTE, first: 200 });
}

describe('incidents: one per cause', () => {
  it('misconfiguration 1: the identity, lease, authenticator and aws-auth findings of one role are one incident, with its nodes counted', async () => {
    // Prepare
    const logs = new Logs('mis1');
    misconfiguration1(logs);

    // Act
    const result = await logs.scan();

    // Assess
    expect(result.incidents).toHaveLength(1);
    const incident = roleIncident(result, 'batch-node-role');
    expect(rulesOf(result, incident)).toEqual([
      'authenticator-node-wrong-username', 'aws-auth-node-username', 'node-identity-unrecognized',
      'node-lease-forbidden', 'node-lease-forbidden', 'node-lease-forbidden',
    ]);
    expect(incident.findings).toHaveLength(result.findings.length);
    expect(incident.severity).toBe('high');
    expect(incident.title).toBe('Node role batch-node-role is not mapped as a node: 3 nodes NotReady');
    expect(incident.cause).toMatchObject({ kind: 'node-role', roleArn: arnOf('batch-node-role'), username: 'WorkerNodeRole' });
    expect(incident.cause.summary).toContain('the username is not system:node:<node name>');
    expect(incident.impact).toMatch(/^3 nodes cannot renew their lease: NotReady/);
    expect(incident.nodes).toEqual({ count: 3, names: expect.arrayContaining(['ip-10-0-0-0.us-west-2.compute.internal']) });
    // The entry before the change was a correct node mapping: the fix is to put it back.
    expect(incident.remediation).toContain(`put the role's entry in aws-auth (kube-system) mapRoles back as it was:\n    - {rolearn: ${arnOf('batch-node-role')}, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}`);
    expect(incident.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('misconfiguration 2: cluster admin, and kubectl logs/exec fail on its nodes; the CSR finding (username only) joins its role', async () => {
    // Prepare
    const logs = new Logs('mis2');
    misconfiguration2(logs);

    // Act
    const result = await logs.scan();

    // Assess
    expect(result.incidents).toHaveLength(1);
    const incident = roleIncident(result, 'gpu-node-role');
    expect(rulesOf(result, incident)).toEqual([
      'aws-auth-node-missing-groups', 'aws-auth-node-system-masters', 'aws-auth-node-username',
      'node-csr-unapprovable', 'node-identity-unrecognized', 'node-system-masters',
    ]);
    expect(incident.title).toBe('Node role gpu-node-role is cluster admin and kubectl logs/exec fail on 2 nodes');
    expect(incident.impact).toContain('kubectl logs/exec fail on 2 nodes');
    expect(incident.impact).toContain('every node of this role is cluster admin');
  });

  it('misconfiguration 3: works, but every node is an unconfined cluster admin', async () => {
    // Prepare
    const logs = new Logs('mis3');
    misconfiguration3(logs);

    // Act
    const result = await logs.scan();

    // Assess
    expect(result.incidents).toHaveLength(1);
    const incident = roleIncident(result, 'web-node-role');
    expect(rulesOf(result, incident)).toEqual([
      'aws-auth-node-missing-groups', 'aws-auth-node-system-masters',
      'node-identity-unrecognized', 'node-identity-unrecognized', 'node-system-masters', 'node-system-masters',
    ]);
    expect(incident.title).toBe('Node role web-node-role is cluster admin (system:masters): 2 nodes');
    expect(incident.impact).not.toContain('NotReady');
    expect(incident.cause.summary).toContain('the groups lack system:nodes, the groups include system:masters');
  });

  it('a mixed cluster: three roles, three incidents, although two share the username WorkerNodeRole; healthy groups open none', async () => {
    // Prepare
    const logs = new Logs('mixed');
    nodeGroup(logs, 'system-node-role', mapping('system-node-role'), { nodes: 4, from: T0 - 10 * MINUTE, first: 300 });
    misconfiguration1(logs);
    misconfiguration2(logs);
    misconfiguration3(logs);

    // Act
    const result = await logs.scan();

    // Assess
    const roles = result.incidents.filter((i) => i.cause.kind === 'node-role').map((i) => i.cause.roleArn).sort();
    expect(roles).toEqual([arnOf('batch-node-role'), arnOf('gpu-node-role'), arnOf('web-node-role')]);
    expect(roleIncident(result, 'batch-node-role').nodes?.count).toBe(3);
    expect(rulesOf(result, roleIncident(result, 'gpu-node-role'))).toContain('node-csr-unapprovable');
    // Every finding is in exactly one incident.
    const all = result.incidents.flatMap((i) => i.findings).sort();
    expect(all).toEqual(result.findings.map((f) => f.fingerprint).sort());
  });

  it('the flag findings of one kube-apiserver configuration are one incident; another configuration is another', async () => {
    // Prepare
    const logs = new Logs('flags');
    logs.apiserverStart(T0, 'AlwaysAllow', 'NamespaceLifecycle,ServiceAccount');
    logs.apiserverStart(T0 + 10 * MINUTE, 'AlwaysAllow', 'NamespaceLifecycle,ServiceAccount');
    logs.apiserverStart(T0 + 20 * MINUTE, 'Node,RBAC', 'NamespaceLifecycle');
    nodeGroup(logs, 'system-node-role', mapping('system-node-role'), { nodes: 1, from: T0 });

    // Act
    const result = await logs.scan();

    // Assess
    const configs = result.incidents.filter((i) => i.cause.kind === 'apiserver-config');
    expect(configs).toHaveLength(2);
    const allowAll = configs.find((i) => i.cause.summary.includes('[AlwaysAllow]'))!;
    expect(rulesOf(result, allowAll)).toEqual([
      'apiserver-admission-missing-noderestriction', 'apiserver-authz-always-allow', 'apiserver-authz-config',
      'apiserver-authz-missing-node', 'apiserver-authz-missing-rbac',
    ]);
    expect(allowAll.severity).toBe('critical');
    expect(allowAll.impact).toContain('Seen on 2 kube-apiserver starts');
    expect(allowAll.remediation).toContain('restart kube-apiserver with --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction,NamespaceLifecycle,ServiceAccount.');
    const noRestriction = configs.find((i) => i !== allowAll)!;
    expect(rulesOf(result, noRestriction)).toEqual(['apiserver-admission-missing-noderestriction', 'apiserver-authz-config']);
  });

  it('keeps a 1,000-node incident to ten names, the full count, and one screen of text', async () => {
    // Prepare
    const logs = new Logs('thousand');
    misconfiguration1(logs, 1000);

    // Act
    const result = await logs.scan();

    // Assess
    expect(result.incidents).toHaveLength(1);
    const incident = result.incidents[0]!;
    expect(incident.findings.length).toBeGreaterThan(1000);
    expect(incident.nodes?.count).toBe(1000);
    expect(incident.nodes?.names).toHaveLength(MAX_INCIDENT_NODE_NAMES);
    expect(incident.title).toBe('Node role batch-node-role is not mapped as a node: 1,000 nodes NotReady');
    const text = renderText(result, { color: false, width: 100 });
    expect(text.replace(/\s+/g, ' ')).toContain('.us-west-2.compute.internal and 990 more Fix:');
    expect(text.split('\n').length).toBeLessThan(50);
  });

  it('keeps the id across runs for the same cluster and cause, and changes it for another cluster', async () => {
    // Prepare
    const first = new Logs('run-1');
    misconfiguration1(first, 2);
    const later = new Logs('run-2');
    nodeGroup(later, 'batch-node-role', mapping('batch-node-role', 'WorkerNodeRole'), { nodes: 5, from: T0 + 3 * 3600 * SECOND });

    // Act
    const a = (await first.scan()).incidents[0]!;
    const b = (await later.scan()).incidents[0]!;
    const other = (await later.scan({ cluster: 'staging' })).incidents[0]!;

    // Assess
    expect(b.findings).not.toEqual(a.findings);
    expect(b.id).toBe(a.id);
    expect(other.id).not.toBe(a.id);
    expect(a.id).toBe(incidentId('prod', `node-role:${roleKey(arnOf('batch-node-role'))}`));
  });

  it('an unrelated finding is an incident of its own', async () => {
    // Prepare
    const logs = new Logs('alone');
    nodeGroup(logs, 'system-node-role', mapping('system-node-role'), { nodes: 1, from: T0 });
    grant(logs, 'ci-role', mapping('ci-role', 'ci-bot', ['system:bootstrappers']), T0);

    // Act
    const result = await logs.scan();

    // Assess
    expect(result.incidents.map((i) => i.cause.kind)).toEqual(['node-role']);
    expect(result.incidents[0]!.cause.roleArn).toBe(arnOf('ci-role'));
  });
});

describe('roleKey', () => {
  it('is one key for a role however its ARN is written', () => {
    const key = roleKey('arn:aws:iam::111122223333:role/NodeRole');
    expect(roleKey('arn:aws:iam::111122223333:role/teams/a/NodeRole')).toBe(key);
    expect(roleKey('arn:aws:sts::111122223333:assumed-role/NodeRole/i-0abc')).toBe(key);
    expect(roleKey('ARN:AWS:IAM::111122223333:ROLE/noderole')).toBe(key);
    expect(roleKey('arn:aws:iam::111122223333:user/NodeRole')).not.toBe(key);
  });
});
