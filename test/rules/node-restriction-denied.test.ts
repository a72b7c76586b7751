import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lambda/model/records';
import { nodeRestrictionDenied as rule } from '../../lambda/rules/audit/node-restriction-denied';
import { auditEvent, benignEvents, kubeletUser, NODE, record, scan } from './helpers';

/** An admission refusal of a node write: authorization allowed it, NodeRestriction said no. */
function admissionDenied(resource: string, name: string, message: string, extra: Partial<AuditEvent['objectRef']> = {}): AuditEvent {
  const ns = extra?.namespace;
  return auditEvent({
    user: kubeletUser(),
    verb: resource === 'nodes' ? 'patch' : 'create',
    uri: ns ? `/api/v1/namespaces/${ns}/${resource}/${name}` : `/api/v1/${resource}/${name}`,
    objectRef: { resource, name, apiVersion: 'v1', ...extra },
    code: 403,
    decision: 'allow',
    message,
  });
}

const labels = () => admissionDenied('nodes', NODE, `nodes "${NODE}" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker`);
const taints = () => admissionDenied('nodes', NODE, `nodes "${NODE}" is forbidden: node "${NODE}" is not allowed to modify taints`);
const mirror = () =>
  admissionDenied(
    'pods',
    'debug',
    `pods "debug" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "${NODE}" can only create mirror pods`,
    { namespace: 'default' },
  );
const token = () =>
  admissionDenied('serviceaccounts', 'default', 'serviceaccounts "default" is forbidden: node requested token not bound to a pod', {
    namespace: 'default',
    subresource: 'token',
  });

describe('node-restriction-denied', () => {
  it('reports label and taint changes of a node as workload steering, tallied by kind', () => {
    // Prepare
    const events = [labels(), labels(), taints()];

    // Act
    const { findings } = scan([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toEqual({ node: NODE });
    expect(f.severity).toBe('medium');
    expect(f.count).toBe(3);
    expect(f.message).toContain('(labels x2, taints x1)');
    expect(f.message).toContain('steer sensitive workloads');
    expect(f.remediation).toContain('--node-labels');
    expect(f.message.length).toBeLessThan(650);
  });

  it('reports pod and token refusals as reaching beyond the node', () => {
    // Act
    const { findings } = scan([rule], [mirror(), token()]);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('(pods x1, tokens x1)');
    expect(findings[0]!.message).toContain('reached further');
    expect(findings[0]!.evidence.map((e) => e.decision)).toEqual(['allow', 'allow']);
  });

  it('leaves name mismatches, other admission plugins, authorizer denials and benign traffic alone', () => {
    // Prepare
    const other = 'ip-10-9-8-7.eu-west-1.compute.internal';
    const modifyOther = admissionDenied('nodes', other, `nodes "${other}" is forbidden: node "${NODE}" is not allowed to modify node "${other}"`);
    const podSecurity = admissionDenied('pods', 'web', 'pods "web" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes', { namespace: 'default' });
    const authorizer = auditEvent({
      user: kubeletUser(),
      verb: 'list',
      uri: '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      objectRef: { resource: 'leases', namespace: 'default', apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      code: 403,
      reason: 'can only get, create, update, patch, or delete a node lease',
      message: 'leases.coordination.k8s.io is forbidden: ... can only access leases in the "kube-node-lease" system namespace',
    });

    // Act
    const { findings } = scan([rule], [modifyOther, podSecurity, authorizer, ...benignEvents()]);

    // Assess
    expect(findings).toEqual([]);
  });

  it('fires on a truncated event that kept its status, and marks the evidence', () => {
    // Prepare
    const e = taints();
    delete e.annotations;

    // Act
    const { findings } = scan([rule], [record(e, { truncated: true })]);

    // Assess
    expect(findings.map((f) => f.message.includes('(taints x1)'))).toEqual([true]);
    expect(findings[0]!.evidence[0]!.truncated).toBe(true);
  });

  it('declares a Logs Insights filter on admission refusals of node users', () => {
    // Assess
    expect(rule.needs.filter).toBe(
      "responseStatus.code = 403 and user.username like /^system:node:/ and `annotations.authorization.k8s.io/decision` = 'allow'",
    );
  });
});
