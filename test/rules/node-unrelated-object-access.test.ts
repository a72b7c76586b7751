import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lambda/model/records';
import { MAX_COUNTED_OBJECTS, MAX_SUBJECTS, nodeUnrelatedObjectAccess as rule } from '../../lambda/rules/audit/node-unrelated-object-access';
import { auditEvent, benignEvents, forbiddenMessage, iamUser, kubeletUser, NODE, readAuditJsonl, REAL_DIR, record, scan } from './helpers';

const me = `system:node:${NODE}`;
const reason = `no relationship found between node '${NODE}' and this object`;

function secretGet(namespace: string, name: string, user = kubeletUser()): AuditEvent {
  return auditEvent({
    user,
    verb: 'get',
    uri: `/api/v1/namespaces/${namespace}/secrets/${name}`,
    objectRef: { resource: 'secrets', namespace, name, apiVersion: 'v1' },
    code: 403,
    reason,
    message: forbiddenMessage(`secrets "${name}"`, me, 'get', 'secrets', '', `in the namespace "${namespace}"`, reason),
  });
}

function pvGet(name: string): AuditEvent {
  return auditEvent({
    user: kubeletUser(),
    verb: 'get',
    uri: `/api/v1/persistentvolumes/${name}`,
    objectRef: { resource: 'persistentvolumes', name, apiVersion: 'v1' },
    code: 403,
    level: 'Request',
    reason,
    message: forbiddenMessage(`persistentvolumes "${name}"`, me, 'get', 'persistentvolumes', '', 'at the cluster scope', reason),
  });
}

describe('node-unrelated-object-access', () => {
  it('reports a kubelet retrying one stale volume as a stale reference', () => {
    // Prepare
    const events = [pvGet('pvc-4f1a'), pvGet('pvc-4f1a'), pvGet('pvc-4f1a')];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ node: NODE, resource: 'persistentvolumes' });
    expect(f.count).toBe(3);
    expect(f.message).toContain('3 time(s) on persistentvolumes (get x3)');
    expect(f.message).toContain(', 1 distinct object(s)');
    expect(f.message).toContain('stale reference');
    expect(f.remediation).toContain(`nothing on ${NODE} should`);
    expect(f.message.length).toBeLessThan(650);
  });

  it('reports reads of many secrets as possible probing', () => {
    // Prepare
    const events = ['db', 'api-key', 'tls', 'token', 'registry', 'db'].map((n, i) => secretGet(i % 2 ? 'prod' : 'payments', n));

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.subject).toEqual({ node: NODE, resource: 'secrets' });
    expect(findings[0]!.count).toBe(6);
    expect(findings[0]!.message).toContain('6 distinct object(s)');
    expect(findings[0]!.message).toContain('probe the cluster');
  });

  it('ignores the same denial for an unrecognized credential, other 403s and benign traffic', () => {
    // Prepare
    const unrecognized = secretGet('prod', 'db', iamUser(me, ['system:masters']));
    const rbac = auditEvent({ user: kubeletUser(), verb: 'list', uri: '/api/v1/secrets', objectRef: { resource: 'secrets', apiVersion: 'v1' }, code: 403, reason: 'can only read namespaced object of this type' });

    // Act
    const { findings } = scan([rule], [unrecognized, rbac, ...benignEvents()]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('fires on a truncated event that kept its status, and marks the evidence', () => {
    // Prepare
    const e = pvGet('pvc-9c9c');
    delete e.annotations;

    // Act
    const { findings } = scan([rule], [record(e, { truncated: true })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });

  it.skipIf(!existsSync(REAL_DIR))('reports the real EKS kubelet PV 403', () => {
    // Prepare
    const records = readAuditJsonl(resolve(REAL_DIR, 'eks-audit-node-forbidden-pv-403.jsonl'));

    // Act
    const { findings } = scan([rule], records);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.subject).toEqual({ node: 'ip-10-0-0-137.eu-west-1.compute.internal', resource: 'persistentvolumes' });
    expect(findings[0]!.evidence[0]!.reason).toBe("no relationship found between node 'ip-10-0-0-137.eu-west-1.compute.internal' and this object");
  });

  it('declares a Logs Insights filter on the Node authorizer reason', () => {
    // Assess
    expect(rule.needs.filter).toContain('`annotations.authorization.k8s.io/reason` like /no relationship found between node/');
    expect(rule.needs.filter).toContain('responseStatus.code = 403');
  });

  it('counts distinct objects up to MAX_COUNTED_OBJECTS over all nodes, then stops counting (memory stays bounded)', () => {
    // Prepare: forged refusals of 1,000 objects on each of enough nodes to reach the bound, then one node more.
    const refused = (node: string, name: string): AuditEvent => {
      const why = `no relationship found between node '${node}' and this object`;
      return auditEvent({
        user: kubeletUser(node), verb: 'get', uri: `/api/v1/namespaces/web/secrets/${name}`, code: 403, reason: why,
        objectRef: { resource: 'secrets', namespace: 'web', name, apiVersion: 'v1' },
      });
    };
    const events: AuditEvent[] = [];
    for (let i = 0; i < MAX_COUNTED_OBJECTS; i++) events.push(refused(`ip-10-0-${Math.floor(i / 1000)}-1.ec2.internal`, `s${i % 1000}`));
    events.push(refused('late.ec2.internal', 'a'), refused('late.ec2.internal', 'b'));

    // Act
    const findings = scan([rule], events).findings;

    // Assess
    const first = findings.find((f) => f.subject['node'] === 'ip-10-0-0-1.ec2.internal')!;
    const late = findings.find((f) => f.subject['node'] === 'late.ec2.internal')!;
    expect(first.message).toContain(', at least 1000 distinct object(s): ');
    expect(late.count).toBe(2);
    expect(late.message).toContain('at least 0 distinct object(s) (this input names more objects than a scan counts one by one');
  });

  it('counts every refusal when a log names more nodes than it keeps until the end (none dropped)', () => {
    // Prepare: one refusal for each of more nodes than MAX_SUBJECTS.
    const events: AuditEvent[] = [];
    for (let i = 0; i < MAX_SUBJECTS + 3; i++) {
      const node = `ip-10-1-${i >> 8}-${i & 255}.ec2.internal`;
      const why = `no relationship found between node '${node}' and this object`;
      events.push(auditEvent({
        user: kubeletUser(node), verb: 'get', uri: '/api/v1/namespaces/web/secrets/tls', code: 403, reason: why,
        objectRef: { resource: 'secrets', namespace: 'web', name: 'tls', apiVersion: 'v1' },
      }));
    }

    // Act
    const findings = scan([rule], events).findings;

    // Assess: the engine lists 1,000 and sums the rest into one finding; every refusal is counted once.
    expect(findings.reduce((n, f) => n + f.count, 0)).toBe(MAX_SUBJECTS + 3);
    expect(findings.find((f) => f.subject['more'] === 'nodes')?.message).toContain(`And ${(MAX_SUBJECTS + 3 - 1_000).toLocaleString('en-US')} more nodes`);
  });
});
