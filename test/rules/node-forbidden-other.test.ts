import { describe, expect, it } from 'vitest';
import { nodeForbiddenOther as rule } from '../../lambda/rules/audit/node-forbidden-other';
import { auditEvent, benignEvents, forbiddenMessage, iamUser, kubeletUser, leaseEvent, NODE, record, scan } from './helpers';

const me = `system:node:${NODE}`;

const listSecrets = () =>
  auditEvent({
    user: kubeletUser(),
    userAgent: 'fluent-bit/3.0.4',
    verb: 'list',
    uri: '/api/v1/secrets?limit=500',
    objectRef: { resource: 'secrets', apiVersion: 'v1' },
    code: 403,
    reason: 'can only read namespaced object of this type',
    message: forbiddenMessage('secrets', me, 'list', 'secrets', '', 'at the cluster scope', 'can only read namespaced object of this type'),
  });

describe('node-forbidden-other', () => {
  it('reports other refusals per node and resource, with the reason and the user agent', () => {
    // Prepare
    const watchCrd = auditEvent({
      user: kubeletUser(),
      verb: 'watch',
      uri: '/apis/crd.k8s.amazonaws.com/v1alpha1/eniconfigs?watch=true',
      objectRef: { resource: 'eniconfigs', apiGroup: 'crd.k8s.amazonaws.com', apiVersion: 'v1alpha1' },
      code: 403,
      message: forbiddenMessage('eniconfigs.crd.k8s.amazonaws.com', me, 'watch', 'eniconfigs', 'crd.k8s.amazonaws.com', 'at the cluster scope'),
    });

    // Act
    const { findings } = scan([rule], [listSecrets(), listSecrets(), watchCrd]);

    // Assess
    expect(findings.map((f) => [f.subject, f.count])).toEqual([
      [{ node: NODE, resource: 'secrets' }, 2],
      [{ node: NODE, resource: 'eniconfigs' }, 1],
    ]);
    const secrets = findings[0]!;
    expect(secrets.severity).toBe('low');
    expect(secrets.message).toContain('(list x2) by fluent-bit/3.0.4');
    expect(secrets.message).toContain('reason "can only read namespaced object of this type"');
    expect(findings[1]!.message).toContain('"eniconfigs.crd.k8s.amazonaws.com is forbidden: User');
    expect(secrets.message.length).toBeLessThan(650);
  });

  it('does not re-report own-lease refusals, unrelated objects, name mismatches or NodeRestriction', () => {
    // Prepare
    const other = 'ip-10-9-8-7.eu-west-1.compute.internal';
    const events = [
      leaseEvent(kubeletUser(), 'update', NODE, 403),
      auditEvent({
        user: kubeletUser(),
        verb: 'get',
        uri: '/api/v1/namespaces/prod/configmaps/app',
        objectRef: { resource: 'configmaps', namespace: 'prod', name: 'app', apiVersion: 'v1' },
        code: 403,
        reason: `no relationship found between node '${NODE}' and this object`,
      }),
      leaseEvent(kubeletUser(), 'update', other, 403, { reason: 'can only access node lease with the same name as the requesting node' }),
      auditEvent({
        user: kubeletUser(),
        verb: 'patch',
        uri: `/api/v1/nodes/${NODE}`,
        objectRef: { resource: 'nodes', name: NODE, apiVersion: 'v1' },
        code: 403,
        decision: 'allow',
        message: `nodes "${NODE}" is forbidden: node "${NODE}" is not allowed to modify taints`,
      }),
    ];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toEqual([]);
  });

  it('ignores unrecognized credentials and benign traffic', () => {
    // Prepare
    const unrecognized = auditEvent({ user: iamUser('WorkerNodeRole', ['system:nodes']), verb: 'list', uri: '/api/v1/secrets', objectRef: { resource: 'secrets', apiVersion: 'v1' }, code: 403 });

    // Act
    const { findings } = scan([rule], [unrecognized, ...benignEvents()]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('fires on a truncated event that lost its annotations and says no reason was recorded', () => {
    // Prepare
    const e = listSecrets();
    delete e.annotations;
    e.responseStatus = { code: 403 };

    // Act
    const { findings } = scan([rule], [record(e, { truncated: true })]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('no reason recorded');
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });
});
