import { describe, expect, it } from 'vitest';
import { nodeSystemMasters as rule } from '../../lambda/rules/audit/node-system-masters';
import { auditEvent, benignEvents, iamUser, leaseEvent, NODE, NODE_ROLE_ARN, record, scan } from './helpers';

describe('node-system-masters', () => {
  it('reports a kubelet mapped to system:masters under a plain username, once per credential', () => {
    // Prepare: misconfiguration 2; two nodes share the role and the username.
    const user = iamUser('WorkerNodeRole', ['system:masters', 'system:authenticated']);
    const other = iamUser('WorkerNodeRole', ['system:masters', 'system:authenticated'], { instance: 'i-0ffffffffffffffff' });
    const events = [
      leaseEvent(user, 'update', NODE, 200, { time: '2024-05-06T07:00:00.000000Z' }),
      leaseEvent(other, 'update', 'ip-10-1-9-9.eu-west-1.compute.internal', 200, { time: '2024-05-06T07:05:00.000000Z' }),
    ];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ username: 'WorkerNodeRole', arn: NODE_ROLE_ARN });
    expect(f.count).toBe(2);
    expect(f.firstSeen).toBe('2024-05-06T07:00:00.000000Z');
    expect(f.lastSeen).toBe('2024-05-06T07:05:00.000000Z');
    expect(f.message).toContain('is in system:masters: 2 request(s) between 2024-05-06T07:00:00.000000Z and 2024-05-06T07:05:00.000000Z');
    expect(f.message).toContain('neither the Node authorizer nor NodeRestriction confines it');
    expect(f.remediation).toContain('Remove system:masters');
    expect(f.remediation).toContain(`rolearn: ${NODE_ROLE_ARN}`);
    expect(f.message.length).toBeLessThan(650);
  });

  it('reports system:node:<name> in system:masters (works, but unconfined)', () => {
    // Prepare: misconfiguration 3.
    const user = iamUser(`system:node:${NODE}`, ['system:masters', 'system:authenticated']);

    // Act
    const { findings } = scan([rule], [leaseEvent(user, 'update', NODE, 200)]);

    // Assess
    expect(findings.map((f) => f.subject.username)).toEqual([`system:node:${NODE}`]);
  });

  it('says NodeRestriction still applies when the node is also in system:nodes', () => {
    // Prepare
    const user = iamUser(`system:node:${NODE}`, ['system:bootstrappers', 'system:nodes', 'system:masters', 'system:authenticated']);

    // Act
    const { findings } = scan([rule], [leaseEvent(user, 'update', NODE, 200)]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('NodeRestriction still checks its writes');
  });

  it('ignores the API server and admins in system:masters, and benign traffic', () => {
    // Prepare
    const admin = auditEvent({
      user: iamUser('kubernetes-admin', ['system:masters', 'system:authenticated']),
      userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
      verb: 'get',
      uri: '/api/v1/nodes',
      objectRef: { resource: 'nodes', apiVersion: 'v1' },
      code: 200,
    });

    // Act
    const { findings } = scan([rule], [...benignEvents(), admin]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('judges what a truncated event still shows', () => {
    // Prepare
    const withGroups = record(leaseEvent(iamUser('WorkerNodeRole', ['system:masters']), 'update', NODE, 200), { truncated: true });
    const lostGroups = record(leaseEvent(iamUser('OtherRole', undefined, { role: 'other' }), 'update', NODE, 200), { truncated: true });

    // Act
    const { findings } = scan([rule], [withGroups, lostGroups]);

    // Assess
    expect(findings.map((f) => f.subject.username)).toEqual(['WorkerNodeRole']);
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });

  it('declares a Logs Insights filter over node-looking credentials in system:masters', () => {
    // Assess
    expect(rule.needs.filter).toContain('@message like /"system:masters"/');
    expect(rule.needs.filter).toContain('user.username not like /^system:(bootstrap|serviceaccount):/');
  });
});
