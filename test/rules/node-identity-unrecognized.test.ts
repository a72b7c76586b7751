import { describe, expect, it } from 'vitest';
import { nodeIdentityUnrecognized as rule } from '../../lambda/rules/audit/node-identity-unrecognized';
import {
  auditEvent,
  benignEvents,
  forbiddenMessage,
  iamUser,
  kubeletUser,
  leaseEvent,
  NODE,
  NODE_GROUPS,
  NODE_ROLE_ARN,
  record,
  scan,
} from './helpers';

const csrCreate = (user: ReturnType<typeof iamUser>, code = 201) =>
  auditEvent({
    user,
    verb: 'create',
    uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
    code,
  });

const leaseDenied = (user: ReturnType<typeof iamUser>) =>
  leaseEvent(user, 'get', NODE, 403, {
    message: forbiddenMessage(`leases.coordination.k8s.io "${NODE}"`, user.username!, 'get', 'leases', 'coordination.k8s.io', 'in the namespace "kube-node-lease"'),
  });

describe('node-identity-unrecognized', () => {
  it('reports a node role mapped with the right groups but a plain username, with counts', () => {
    // Prepare: misconfiguration 1, username WorkerNodeRole, groups [system:bootstrappers, system:nodes].
    const user = iamUser('WorkerNodeRole', [...NODE_GROUPS]);
    const events = [leaseDenied(user), leaseDenied(user), csrCreate(user)];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ username: 'WorkerNodeRole', arn: NODE_ROLE_ARN });
    expect(f.severity).toBe('high');
    expect(f.count).toBe(3);
    expect(f.message).toContain('3 request(s)');
    expect(f.message).toContain('2 refused with 403');
    expect(f.message).toContain('username is not system:node:<node name>');
    expect(f.message).toContain('NotReady');
    expect(f.remediation).toContain(`rolearn: ${NODE_ROLE_ARN}, username: system:node:{{EC2PrivateDNSName}}, groups: [system:bootstrappers, system:nodes]`);
    expect(f.remediation).toContain('EC2_LINUX');
    expect(f.remediation).not.toContain('system:masters');
    expect(f.message.length).toBeLessThan(650);
  });

  it('says both halves are wrong when a kubelet runs as a plain user in system:masters', () => {
    // Prepare: misconfiguration 2.
    const user = iamUser('WorkerNodeRole', ['system:masters', 'system:authenticated']);

    // Act
    const { findings } = scan([rule], [leaseEvent(user, 'update', NODE, 200), csrCreate(user)]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('Neither its username');
    expect(findings[0]!.message).toContain('system:masters, system:authenticated');
    expect(findings[0]!.message).toContain('0 refused with 403');
    expect(findings[0]!.message).toContain('unconfined');
    expect(findings[0]!.remediation.startsWith('Remove system:masters from this mapping.')).toBe(true);
  });

  it('says the group is wrong when system:node:<name> is in system:masters instead of system:nodes', () => {
    // Prepare: misconfiguration 3.
    const user = iamUser(`system:node:${NODE}`, ['system:masters', 'system:authenticated']);

    // Act
    const { findings } = scan([rule], [leaseEvent(user, 'update', NODE, 200)]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ username: `system:node:${NODE}`, arn: NODE_ROLE_ARN }]);
    expect(findings[0]!.message).toContain('in system:masters instead of system:nodes');
    expect(findings[0]!.message).toContain('cluster admin');
  });

  it('says the group is missing when a node name has no system:nodes and no masters', () => {
    // Prepare
    const user = iamUser(`system:node:${NODE}`, ['system:bootstrappers', 'system:authenticated']);

    // Act
    const { findings } = scan([rule], [leaseDenied(user)]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('not in system:nodes (groups: system:bootstrappers, system:authenticated)');
    expect(findings[0]!.message).toContain('1 refused with 403');
  });

  it('reports a non-kubelet agent using the node group under a plain username', () => {
    // Prepare
    const user = iamUser('node-agent', ['system:nodes', 'system:authenticated']);
    const e = auditEvent({ user, userAgent: 'curl/8.5.0', verb: 'get', uri: '/api/v1/nodes', objectRef: { resource: 'nodes', apiVersion: 'v1' }, code: 403 });

    // Act
    const { findings } = scan([rule], [e]);

    // Assess
    expect(findings.map((f) => f.subject.username)).toEqual(['node-agent']);
  });

  it('stays silent for recognized nodes and benign look-alikes', () => {
    // Act
    const { findings } = scan([rule], [...benignEvents(), leaseEvent(kubeletUser(), 'update', NODE, 200)]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('does not call a group missing when a truncated event lost its groups, but judges the username', () => {
    // Prepare
    const lostGroups = leaseEvent(iamUser(`system:node:${NODE}`, undefined), 'update', NODE, 200);
    const wrongName = leaseEvent(iamUser('WorkerNodeRole', undefined), 'update', NODE, 200);

    // Act
    const quiet = scan([rule], [record(lostGroups, { truncated: true })]);
    const loud = scan([rule], [record(wrongName, { truncated: true })]);

    // Assess
    expect(quiet.findings).toEqual([]);
    expect(loud.findings).toHaveLength(1);
    expect(loud.findings[0]!.message).toContain('group membership not visible');
    expect(loud.findings[0]!.evidence[0]!.truncated).toBe(true);
  });

  it('takes the half from a complete event when a truncated one came first', () => {
    // Prepare
    const truncated = record(leaseEvent(iamUser('WorkerNodeRole', undefined), 'get', NODE, 403), { truncated: true, line: 1 });
    const full = record(leaseDenied(iamUser('WorkerNodeRole', [...NODE_GROUPS])), { line: 2 });

    // Act
    const { findings } = scan([rule], [truncated, full]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.count).toBe(2);
    expect(findings[0]!.message).toContain('Its groups include system:nodes but its username');
    expect(findings[0]!.evidence.map((e) => e.truncated)).toEqual([true, false]);
  });

  it('counts an aggregated Logs Insights row as many requests', () => {
    // Prepare
    const row = record(leaseDenied(iamUser('WorkerNodeRole', [...NODE_GROUPS])), {
      aggregate: { count: 40, firstSeen: '2024-05-06T07:00:00.000Z', lastSeen: '2024-05-06T07:39:00.000Z' },
    });

    // Act
    const { findings } = scan([rule], [row]);

    // Assess
    expect(findings[0]!.count).toBe(40);
    expect(findings[0]!.message).toContain('40 request(s) between 2024-05-06T07:00:00.000Z and 2024-05-06T07:39:00.000Z, 40 refused with 403');
  });

  it('declares a Logs Insights filter for kubelet credentials not named system:node', () => {
    // Assess
    expect(rule.needs.stream).toBe('audit');
    expect(rule.needs.filter).toContain('userAgent like /^kubelet\\//');
    expect(rule.needs.filter).toContain('user.username not like /^system:(node|bootstrap|serviceaccount):/');
    expect(rule.needs.filter).toContain('@message not like /"system:nodes"/');
    expect(rule.needs.keys).toEqual(['user.username', 'user.extra.canonicalArn.0', 'responseStatus.code']);
  });
});
