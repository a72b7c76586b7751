import { createHash } from 'node:crypto';
import type { Finding } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';
import type { Severity } from '../../lambda/model/severity';
import type { WindowObservation } from '../../lambda/runtime/lifecycle';

/** Hand-made incidents and windows for the life-cycle tests: the grouping itself is tested in test/core. */

const hex = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

export const ROLE_ARN = 'arn:aws:iam::111122223333:role/WorkerNodeRole';

export function leaseFinding(node: string, o: { severity?: Severity; count?: number; at?: string } = {}): Finding {
  const at = o.at ?? '2026-03-02T09:00:03.000Z';
  return {
    ruleId: 'node-lease-forbidden',
    severity: o.severity ?? 'high',
    title: 'Node cannot renew its lease (node going NotReady)',
    cluster: 'prod',
    subject: { node, username: 'WorkerNodeRole' },
    count: o.count ?? 30,
    firstSeen: at,
    lastSeen: at,
    message: `The kubelet of node ${node} was refused access to its Lease.`,
    remediation: 'Map the node role as a node.',
    fingerprint: hex(`lease ${node}`),
    evidence: [],
  };
}

/** The incident of one node role with `nodes` NotReady nodes, and its findings. */
export function roleIncident(nodes: number, o: { severity?: Severity; at?: string; cause?: string } = {}): { incident: Incident; findings: Finding[] } {
  const names = Array.from({ length: nodes }, (_, i) => `ip-10-0-${Math.floor(i / 250)}-${i % 250}.eu-west-1.compute.internal`);
  const findings = names.map((n) => leaseFinding(n, o));
  const times = findings.map((f) => f.firstSeen!).sort();
  const incident: Incident = {
    id: hex(`prod node-role ${o.cause ?? ROLE_ARN}`),
    cluster: 'prod',
    severity: o.severity ?? 'high',
    title: `Node role WorkerNodeRole is not mapped as a node: ${nodes} nodes NotReady`,
    cause: { kind: 'node-role', summary: 'mapRoles maps WorkerNodeRole with username WorkerNodeRole', roleArn: o.cause ?? ROLE_ARN, username: 'WorkerNodeRole' },
    impact: `${nodes} nodes cannot renew their lease: NotReady`,
    remediation: 'Map the node role as a node: username system:node:{{EC2PrivateDNSName}}, groups [system:bootstrappers, system:nodes].',
    findings: findings.map((f) => f.fingerprint),
    firstSeen: times[0] ?? null,
    lastSeen: times[times.length - 1] ?? null,
    nodes: { count: nodes, names: names.slice(0, 10) },
  };
  return { incident, findings };
}

/** A lone finding of its own, e.g. a burst. */
export function singleIncident(name: string, severity: Severity = 'medium', at = '2026-03-02T09:00:03.000Z'): { incident: Incident; findings: Finding[] } {
  const f: Finding = { ...leaseFinding(name, { severity, at }), ruleId: 'forbidden-burst', title: `Burst of 403s from ${name}`, fingerprint: hex(`burst ${name}`), subject: { username: name } };
  const incident: Incident = {
    id: hex(`prod finding ${f.fingerprint}`), cluster: 'prod', severity, title: f.title,
    cause: { kind: 'finding', summary: f.title }, impact: '403s', remediation: 'Look at it.',
    findings: [f.fingerprint], firstSeen: at, lastSeen: at,
  };
  return { incident, findings: [f] };
}

const QUARTER_MS = 15 * 60_000;

/** The n-th 15-minute window from `from` (ISO), with these incidents in it. */
export function quarter(n: number, shown: { incident: Incident; findings: Finding[] }[], o: { complete?: boolean; from?: string } = {}): WindowObservation {
  const start = Date.parse(o.from ?? '2026-03-02T09:00:00.000Z') + n * QUARTER_MS;
  const at = (ms: number): string => new Date(ms).toISOString();
  const inWindow = shown.map((s) => {
    const t = at(start + 3_000);
    const findings = s.findings.map((f) => ({ ...f, firstSeen: t, lastSeen: t }));
    return { incident: { ...s.incident, firstSeen: t, lastSeen: t }, findings };
  });
  return {
    window: { start: at(start), end: at(start + QUARTER_MS) },
    complete: o.complete ?? true,
    incidents: inWindow.map((s) => s.incident),
    findings: inWindow.flatMap((s) => s.findings),
  };
}
