import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, ScanResult } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import { severityRank } from '../../lambda/model/severity';

export const HOSTILE_USER = '<script>alert(1)</script>';
export const HOSTILE_NODE = '<img src=x onerror="window.pwned=true">';
export const HOSTILE_WRITER = '<img src=x onerror=alert(2)>';
const ROLE = 'arn:aws:iam::111122223333:role/EvilNodeRole';

/**
 * An audit log where a kubelet's username, its node name and the aws-auth writer are markup: a write of aws-auth
 * at 10:00:00 mapping the node role to the hostile username, then 403s on the node's lease from 10:00:41.
 */
export function hostileInput(): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-hostile-'));
  const mapRoles = `- rolearn: ${ROLE}\n  username: ${HOSTILE_USER}\n  groups:\n  - system:bootstrappers\n  - system:nodes\n`;
  const events: object[] = [
    {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: 'w-1', stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth', verb: 'update',
      user: { username: HOSTILE_WRITER, groups: ['system:masters', 'system:authenticated'] },
      sourceIPs: ['192.0.2.10'], userAgent: `kubectl/v1.31.0 ${HOSTILE_USER}`,
      objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 200 },
      requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data: { mapRoles } },
      requestReceivedTimestamp: '2026-11-27T10:00:00.000000Z', stageTimestamp: '2026-11-27T10:00:00.010000Z',
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    },
  ];
  for (let i = 0; i < 12; i++) {
    const t = new Date(Date.parse('2026-11-27T10:00:41Z') + i * 10_000).toISOString().replace('Z', '000Z');
    events.push({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `l-${i}`, stage: 'ResponseComplete',
      requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(HOSTILE_NODE)}?timeout=10s`,
      verb: 'update',
      user: {
        username: HOSTILE_USER, uid: 'aws-iam-authenticator:111122223333:AROAEVIL',
        groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
        extra: { canonicalArn: [ROLE], arn: ['arn:aws:sts::111122223333:assumed-role/EvilNodeRole/i-0123'] },
      },
      sourceIPs: ['10.0.9.9'], userAgent: 'kubelet/v1.31.4 (linux/amd64) kubernetes/5d3e1f0',
      objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: HOSTILE_NODE, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
      responseStatus: { metadata: {}, status: 'Failure', message: `leases.coordination.k8s.io "${HOSTILE_NODE}" is forbidden: User "${HOSTILE_USER}" cannot update resource`, reason: 'Forbidden', code: 403 },
      requestReceivedTimestamp: t, stageTimestamp: t,
      annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
    });
  }
  const path = join(dir, 'audit.jsonl');
  writeFileSync(path, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The result's incidents; until the engine groups findings itself, a stand-in: the findings of one IAM role (or of
 * one node username's role) together, any other finding alone, with the role's aws-auth write as the change.
 */
export function incidentsFor(result: ScanResult): Incident[] {
  const own = (result as { incidents?: Incident[] }).incidents;
  if (own) return own;
  const groups = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const key = f.subject['arn'] ?? f.fingerprint;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  // A lease finding names its node and username, not the role: it belongs to the role whose findings share that username.
  const roleOfUser = new Map<string, string>();
  for (const [key, list] of groups) for (const f of list) if (f.subject['arn'] && f.subject['username']) roleOfUser.set(f.subject['username'], key);
  for (const [key, list] of [...groups]) {
    const f = list[0]!;
    const role = f.subject['arn'] ? undefined : roleOfUser.get(f.subject['username'] ?? '');
    if (list.length === 1 && role) {
      groups.delete(key);
      groups.get(role)!.push(f);
    }
  }
  const writes = result.timelines?.awsAuthWrites ?? [];
  return [...groups.entries()].map(([key, list]) => {
    list.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    const times = list.flatMap((f) => [f.firstSeen, f.lastSeen]).filter((t): t is string => t !== null).sort();
    const isRole = key.startsWith('arn:');
    const write = isRole ? writes.find((w) => list.some((f) => f.ruleId.startsWith('aws-auth') && f.firstSeen === w.time)) : undefined;
    const nodes = [...new Set(list.map((f) => f.subject['node']).filter((n): n is string => n !== undefined))];
    const incident: Incident = {
      id: createHash('sha256').update(key).digest('hex').slice(0, 32),
      cluster: 'demo',
      severity: list[0]!.severity,
      title: isRole ? `Node role ${key.split('/').pop()}: ${list.length} findings` : list[0]!.title,
      cause: {
        kind: isRole ? 'node-role' : 'finding',
        summary: isRole ? `the mapping of ${key}` : list[0]!.message.split('\n')[0]!,
        ...(isRole ? { roleArn: key } : {}),
        ...(write
          ? { change: { time: write.time, verb: write.verb, ...(write.username ? { username: write.username } : {}), before: null, after: `- rolearn: ${key}\n  username: ${HOSTILE_USER}` } }
          : { changeUnknown: 'the change that introduced it is older than the data' }),
      },
      impact: `${nodes.length} node(s) affected`,
      remediation: list[0]!.remediation,
      findings: list.map((f) => f.fingerprint),
      firstSeen: times[0] ?? null,
      lastSeen: times[times.length - 1] ?? null,
      ...(nodes.length > 0 ? { nodes: { count: nodes.length, names: nodes.slice(0, 10) } } : {}),
    };
    return incident;
  });
}
