import { describe, expect, it } from 'vitest';
import { nodeNameMismatch as rule } from '../../lambda/rules/audit/node-name-mismatch';
import { auditEvent, benignEvents, forbiddenMessage, iamUser, kubeletUser, leaseEvent, NODE, record, scan } from './helpers';

/** The kubelet registers under its instance id while its credential carries the private DNS name. */
const REGISTERED = 'i-0a1b2c3d4e5f60718.eu-west-1.compute.internal';
const me = `system:node:${NODE}`;
const LEASE_REASON = 'can only access node lease with the same name as the requesting node';

const leaseUpdate = () =>
  leaseEvent(kubeletUser(), 'update', REGISTERED, 403, {
    reason: LEASE_REASON,
    message: forbiddenMessage(`leases.coordination.k8s.io "${REGISTERED}"`, me, 'update', 'leases', 'coordination.k8s.io', 'in the namespace "kube-node-lease"', LEASE_REASON),
  });

const nodeStatusPatch = () =>
  auditEvent({
    user: kubeletUser(),
    verb: 'patch',
    uri: `/api/v1/nodes/${REGISTERED}/status?timeout=10s`,
    objectRef: { resource: 'nodes', name: REGISTERED, apiVersion: 'v1', subresource: 'status' },
    code: 403,
    decision: 'allow',
    message: `nodes "${REGISTERED}" is forbidden: node "${NODE}" is not allowed to modify node "${REGISTERED}"`,
  });

describe('node-name-mismatch', () => {
  it('reports lease and node refusals under the other name as one finding', () => {
    // Prepare
    const events = [leaseUpdate(), leaseUpdate(), nodeStatusPatch()];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ node: NODE, object: REGISTERED });
    expect(f.count).toBe(3);
    expect(f.message).toContain('(lease x2, node x1)');
    expect(f.message).toContain(`registers as "${REGISTERED}" but authenticates as "${NODE}"`);
    expect(f.message).toContain('NotReady');
    expect(f.remediation).toContain(`registers as "${NODE}"`);
    expect(f.message.length).toBeLessThan(650);
  });

  it('reports a lease create refused by NodeRestriction (decision allow)', () => {
    // Prepare
    const create = leaseEvent(kubeletUser(), 'create', REGISTERED, 403, {
      decision: 'allow',
      message: `leases.coordination.k8s.io "${REGISTERED}" is forbidden: ${LEASE_REASON}`,
    });

    // Act
    const { findings } = scan([rule], [create]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ node: NODE, object: REGISTERED }]);
  });

  it('reports the newer authorizer refusal to read another Node', () => {
    // Prepare
    const read = auditEvent({
      user: kubeletUser(),
      verb: 'get',
      uri: `/api/v1/nodes/${REGISTERED}`,
      objectRef: { resource: 'nodes', name: REGISTERED, apiVersion: 'v1' },
      code: 403,
      reason: `node '${NODE}' cannot read '${REGISTERED}', only its own Node object`,
      message: forbiddenMessage(`nodes "${REGISTERED}"`, me, 'get', 'nodes', '', 'at the cluster scope', `node '${NODE}' cannot read '${REGISTERED}', only its own Node object`),
    });

    // Act
    const { findings } = scan([rule], [read]);

    // Assess
    expect(findings.map((f) => f.message.includes('(node read x1)'))).toEqual([true]);
    expect(findings[0]!.message).not.toContain('NotReady');
  });

  it('ignores unrecognized credentials, own-name leases and benign traffic', () => {
    // Prepare
    const unrecognized = leaseEvent(iamUser('WorkerNodeRole', ['system:bootstrappers', 'system:nodes']), 'update', REGISTERED, 403, { reason: LEASE_REASON });
    const ownLease = leaseEvent(kubeletUser(), 'update', NODE, 403);

    // Act
    const { findings } = scan([rule], [unrecognized, ownLease, ...benignEvents()]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('fires on a truncated event that kept its status', () => {
    // Prepare
    const e = nodeStatusPatch();
    delete e.annotations;

    // Act
    const { findings } = scan([rule], [record(e, { truncated: true })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });
});
