import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forbiddenBurst as rule } from '../../lambda/rules/audit/forbidden-burst';
import type { AuditEvent, AuditUser } from '../../lambda/model/records';
import { auditEvent, hasReal, iamUser, kubeletUser, NODE_GROUPS, readAuditJsonl, REAL_DIR, record } from './helpers';
import { scanWith } from './authenticator-helpers';

const THIEF_IP = '203.0.113.45';
const CHECKOUT: AuditUser = {
  username: 'system:serviceaccount:shop:checkout',
  uid: '4b1f6c1e-0000-4000-8000-000000000001',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
};
/** What a `kubectl auth can-i --list`-style walk tries with a stolen token. */
const RESOURCES = ['secrets', 'configmaps', 'pods', 'pods/exec', 'nodes', 'clusterroles', 'clusterrolebindings', 'serviceaccounts/token', 'deployments', 'daemonsets', 'persistentvolumes', 'namespaces'];

/** A 403 of `user` from `ip` on `resource` (`name/sub` for a subresource). */
function refused(user: AuditUser, ip: string, resource: string, extra: Partial<Parameters<typeof auditEvent>[0]> = {}): AuditEvent {
  const [res, sub] = resource.split('/');
  const e = auditEvent({
    user, verb: 'list', uri: `/api/v1/${resource}`, code: 403, userAgent: 'kubectl/v1.31.0 (linux/amd64) kubernetes/7c5b1e2',
    objectRef: { resource: res, apiVersion: 'v1', ...(sub ? { subresource: sub } : {}) },
    message: `${res} is forbidden: User "${user.username}" cannot list resource "${resource}" in API group "" at the cluster scope`,
    ...extra,
  });
  e.sourceIPs = [ip];
  return e;
}

/** n refusals spread round-robin over the first k resources. */
function walk(user: AuditUser, ip: string, n: number, k: number): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => refused(user, ip, RESOURCES[i % k]!));
}

describe('forbidden-burst', () => {
  it('reports a service account token refused across many resources from one address', () => {
    // Act
    const { findings, ruleErrors } = scanWith([rule], walk(CHECKOUT, THIEF_IP, 60, 12));

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      ruleId: 'forbidden-burst', severity: 'medium', count: 60,
      subject: { username: 'system:serviceaccount:shop:checkout', sourceIP: THIEF_IP },
    });
    expect(f.message).toContain(`system:serviceaccount:shop:checkout from ${THIEF_IP} with kubectl/v1.31.0 (linux/amd64) kubernetes/7c5b1e2 got 403 Forbidden 60 times on 12 distinct resources in this input`);
    expect(f.message).toContain('(thresholds: 50 refusals across 5 resources per window; the window is the input scanned');
    expect(f.message).toContain('clusterrolebindings x5, clusterroles x5, configmaps x5, daemonsets x5, deployments x5, namespaces x5, nodes x5, persistentvolumes x5, and 4 more.');
    expect(f.message).toContain('stolen service account token');
    expect(f.remediation).toContain('Find what runs as system:serviceaccount:shop:checkout at 203.0.113.45');
    expect(f.evidence).toHaveLength(5);
  });

  it.each([
    [50, 5, 1],
    [49, 5, 0],
    [50, 4, 0],
  ])('with the defaults, %d refusals across %d resources give %d finding(s)', (n, k, expected) => {
    expect(scanWith([rule], walk(CHECKOUT, THIEF_IP, n, k)).findings).toHaveLength(expected);
  });

  it('takes both thresholds from the settings', () => {
    // Act
    const { findings } = scanWith([rule], walk(CHECKOUT, THIEF_IP, 10, 2), { forbiddenBurst: 10, forbiddenBurstResources: 2 });

    // Assess
    expect(findings.map((f) => f.count)).toEqual([10]);
    expect(findings[0]!.message).toContain('(thresholds: 10 refusals across 2 resources per window');
  });

  it('leaves a controller briefly forbidden during an upgrade alone: many refusals, few resources', () => {
    // Prepare: the load balancer controller retrying two resources its new version needs, before its RBAC is updated.
    const controller: AuditUser = { username: 'system:serviceaccount:kube-system:aws-load-balancer-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const events = Array.from({ length: 80 }, (_, i) => refused(controller, '10.0.2.15', i % 2 ? 'ingressclassparams' : 'targetgroupbindings/status'));

    // Act
    const { findings } = scanWith([rule], events);

    // Assess
    expect(findings).toEqual([]);
  });

  it('counts each source address of a user as its own principal', () => {
    const events = [...walk(CHECKOUT, THIEF_IP, 30, 6), ...walk(CHECKOUT, '198.51.100.7', 30, 6)];
    expect(scanWith([rule], events).findings).toEqual([]);
  });

  it('leaves node credentials to the node rules, and EKS\'s own principals alone', () => {
    // Prepare: a kubelet mapped as WorkerNodeRole, a recognized node credential used from outside, and eks:addon-manager.
    const workerNode = iamUser('WorkerNodeRole', [...NODE_GROUPS]);
    const events = [
      ...walk(workerNode, '10.0.1.2', 60, 6),
      ...walk(kubeletUser(), THIEF_IP, 60, 6),
      ...walk({ username: 'eks:addon-manager', groups: ['system:authenticated'] }, '198.51.100.23', 60, 6),
    ];

    // Act
    const { findings } = scanWith([rule], events);

    // Assess
    expect(findings).toEqual([]);
  });

  it('reports an unauthenticated scanner walking URL paths, with the endpoint fix', () => {
    // Prepare
    const anonymous: AuditUser = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const paths = ['/.env', '/.git/config', '/vendor/phpunit/src/Util/PHP/eval-stdin.php', '/wp-login.php', '/actuator/env', '/server-status'];
    const events = Array.from({ length: 54 }, (_, i) => {
      const e = auditEvent({ user: anonymous, verb: 'get', uri: `${paths[i % 6]}?probe=${i}`, code: 403, userAgent: 'Mozilla/5.0 zgrab/0.x' });
      e.sourceIPs = ['198.51.100.66'];
      return e;
    });

    // Act
    const { findings } = scanWith([rule], events);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.subject).toEqual({ username: 'system:anonymous', sourceIP: '198.51.100.66' });
    expect(findings[0]!.message).toContain('on 6 distinct resources');
    expect(findings[0]!.message).toContain('/.env x9');
    expect(findings[0]!.message).toContain('An unauthenticated client walking URLs is a scanner');
    expect(findings[0]!.remediation).toContain('publicAccessCidrs');
  });

  it('adds aggregated Logs Insights rows up by their counts', () => {
    // Prepare: one row of 45 secrets refusals, and one refusal on each of five other resources.
    const agg = { count: 45, firstSeen: '2026-11-27T10:00:00.000Z', lastSeen: '2026-11-27T10:40:00.000Z' };
    const rows = [record(refused(CHECKOUT, THIEF_IP, 'secrets'), { aggregate: agg }), ...RESOURCES.slice(1, 6).map((r) => refused(CHECKOUT, THIEF_IP, r))];

    // Act
    const { findings } = scanWith([rule], rows);

    // Assess
    // (The single refusals carry 2024 times from the helpers: the row's range is the later end.)
    expect(findings.map((f) => [f.count, f.lastSeen])).toEqual([[50, '2026-11-27T10:40:00.000Z']]);
    expect(findings[0]!.message).toContain('secrets x45');
  });

  it.skipIf(!hasReal)('finds no burst in the real Panther test events (a single scanner probe, a 403 with decision allow)', () => {
    const { findings, ruleErrors } = scanWith([rule], readAuditJsonl(join(REAL_DIR, 'panther-eks-audit-normalized.jsonl')), { forbiddenBurst: 1, forbiddenBurstResources: 2 });
    expect(ruleErrors).toEqual([]);
    expect(findings).toEqual([]);
  });
});
