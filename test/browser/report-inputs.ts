import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanResult } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';

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

/** The incidents the engine grouped. */
export function incidentsFor(result: ScanResult): Incident[] {
  return result.incidents;
}
