import { describe, expect, it } from 'vitest';
import { nodeLeaseForbidden as rule } from '../../lambda/rules/audit/node-lease-forbidden';
import { benignEvents, forbiddenMessage, iamUser, kubeletUser, leaseEvent, NODE, NODE_GROUPS, NODE_ROLE_ARN, record, scan } from './helpers';

const OTHER = 'i-0a1b2c3d4e5f60718.eu-west-1.compute.internal';

describe('node-lease-forbidden', () => {
  it('reports a plain-username kubelet refused on its lease, with the mapping fix', () => {
    // Prepare: the kubelet journal line "User \"WorkerNode\" cannot get resource \"leases\"" seen from the API server.
    const user = iamUser('WorkerNode', [...NODE_GROUPS]);
    const message = forbiddenMessage(`leases.coordination.k8s.io "${NODE}"`, 'WorkerNode', 'get', 'leases', 'coordination.k8s.io', 'in the namespace "kube-node-lease"');
    const events = [leaseEvent(user, 'get', NODE, 403, { message }), leaseEvent(user, 'get', NODE, 403, { message }), leaseEvent(user, 'create', NODE, 403)];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ node: NODE, username: 'WorkerNode' });
    expect(f.message).toContain('3 time(s) (get x2, create x1)');
    expect(f.message).toContain('not a recognized node');
    expect(f.remediation).toContain(`rolearn: ${NODE_ROLE_ARN}, username: system:node:{{EC2PrivateDNSName}}`);
  });

  it('points a recognized node refused on a lease of another name to the name mismatch', () => {
    // Prepare
    const e = leaseEvent(kubeletUser(), 'update', OTHER, 403, { reason: 'can only access node lease with the same name as the requesting node' });

    // Act
    const { findings } = scan([rule], [e]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('registers under a different name');
    expect(findings[0]!.remediation).toContain(`(${NODE})`);
  });

  it('counts an aggregated row as many refusals', () => {
    // Prepare
    const row = record(leaseEvent(iamUser('WorkerNode', [...NODE_GROUPS]), 'update', NODE, 403), {
      aggregate: { count: 12, firstSeen: '2024-05-06T07:00:00.000Z', lastSeen: '2024-05-06T07:11:00.000Z' },
    });

    // Act
    const { findings } = scan([rule], [row]);

    // Assess
    expect(findings[0]!.count).toBe(12);
    expect(findings[0]!.message).toContain('(update x12)');
  });

  it('ignores 404 then 201 at start-up, controller leases and other benign traffic', () => {
    // Act
    const { findings } = scan([rule], benignEvents());

    // Assess
    expect(findings).toEqual([]);
  });
});
