import { describe, expect, it } from 'vitest';
import { duration, renderText, summaryLine, evidenceLine } from '../../lambda/report/text';
import { renderJson } from '../../lambda/report/json';
import type { ScanResult } from '../../lambda/model/findings';
import type { Finding } from '../../lambda/model/findings';
import { emptyStats } from '../../lambda/model/findings';
import type { Incident } from '../../lambda/model/incident';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 'Node cannot renew its lease', cluster: 'demo',
    subject: { node: 'ip-10-0-1-2', username: 'WorkerNodeRole' }, count: 1234,
    firstSeen: '2026-11-27T10:00:01Z', lastSeen: '2026-11-27T10:59:58Z',
    message: 'The kubelet was refused.', remediation: 'Map the role as a node.',
    fingerprint: 'f'.repeat(32),
    evidence: [{ time: '2026-11-27T10:00:01Z', verb: 'get', requestURI: '/apis/x', code: 403, decision: 'forbid', source: 'a.jsonl:3', truncated: true }],
    ...over,
  };
}

function incident(over: Partial<Incident>): Incident {
  return {
    id: 'a'.repeat(32), cluster: 'demo', severity: 'high',
    title: 'Node role WorkerNodeRole is not mapped as a node: 1 node NotReady',
    cause: { kind: 'node-role', summary: 'Node IAM role arn:aws:iam::1:role/R is mapped with username "WorkerNodeRole".', changeUnknown: 'the change that introduced it is older than the data' },
    impact: '1 node cannot renew its lease: NotReady, pods evicted.',
    remediation: 'Map the role as a node: replace its entry in aws-auth (kube-system) mapRoles:\n    - rolearn: arn:aws:iam::1:role/R\n      username: "system:node:{{EC2PrivateDNSName}}"',
    findings: ['f'.repeat(32)], firstSeen: '2026-11-27T10:00:01Z', lastSeen: '2026-11-27T10:59:58Z',
    ...over,
  };
}

function result(findings: Finding[], incidents: Incident[], over: Partial<ScanResult> = {}): ScanResult {
  return {
    findings, incidents, stats: { ...emptyStats(), files: 2, records: 10, auditEvents: 9, malformed: 1 },
    malformedSamples: [{ file: 'b.log', line: 4, reason: 'not JSON, klog or logrus' }], ruleErrors: [], ...over,
  };
}

describe('renderText', () => {
  it('leads with incidents, most severe first, each as cause, change, impact, fix, then its findings', () => {
    const medium = incident({ id: 'b'.repeat(32), severity: 'medium', title: 'Medium incident', findings: [] });
    const text = renderText(result([finding({})], [medium, incident({})]), { color: false });
    expect(text.indexOf('HIGH     Node role WorkerNodeRole')).toBe(0);
    expect(text.indexOf('HIGH ')).toBeLessThan(text.indexOf('MEDIUM   Medium incident'));
    const order = ['  Cause:', '  Change:   not found: the change that introduced it is older than the data.', '  Impact:', '  Fix:', '  Findings: node-lease-forbidden (1,234 events)'];
    const at = order.map((label) => text.indexOf(label));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // YAML stays as written, indented under Fix.
    expect(text).toContain('\n    Map the role as a node: replace its entry in aws-auth (kube-system) mapRoles:\n        - rolearn: arn:aws:iam::1:role/R\n          username: "system:node:{{EC2PrivateDNSName}}"\n');
  });

  it('names the aws-auth write: who, from where, before and after, and the delay to the first failure', () => {
    const change = {
      time: '2026-11-27T10:10:12Z', verb: 'patch', patchType: 'json' as const, username: 'kubernetes-admin', arn: 'arn:aws:iam::1:role/Admin',
      sourceIP: '192.0.2.10', userAgent: 'kubectl/v1.31.2', auditID: 'id-1',
      before: '- {rolearn: arn:aws:iam::1:role/R, username: "system:node:{{EC2PrivateDNSName}}", groups: [system:bootstrappers, system:nodes]}',
      after: '- {rolearn: arn:aws:iam::1:role/R, username: WorkerNodeRole, groups: [system:bootstrappers, system:nodes]}',
      firstFailureAfterSeconds: 41, firstFailure: 'lease refusal',
    };
    const text = renderText(result([], [incident({ cause: { kind: 'node-role', summary: 's', change } })]), { color: false, width: 120 });
    expect(text.replace(/\s+/g, ' ')).toContain('Change: aws-auth patch (JSON patch) by kubernetes-admin (arn:aws:iam::1:role/Admin) at 2026-11-27T10:10:12Z from 192.0.2.10 with kubectl/v1.31.2 (auditID id-1).');
    expect(text).toContain(`            before: ${change.before}\n            after:  ${change.after}\n            first lease refusal 41 s after the change\n`);
    const unknownBefore = renderText(result([], [incident({ cause: { kind: 'node-role', summary: 's', change: { ...change, before: undefined, after: null } } })]), { color: false });
    expect(unknownBefore).toContain('before: not known (the earlier content is older than the data)');
    expect(unknownBefore).toContain('after:  (no entry for this role)');
  });

  it('keeps a 1,000-node incident on one screen: ten node names, then how many more, one line per rule', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`);
    const findings = names.map((n, i) => finding({ subject: { node: n, username: 'WorkerNodeRole' }, count: 10, fingerprint: i.toString(16).padStart(32, '0') }));
    const big = incident({ findings: findings.map((f) => f.fingerprint), nodes: { count: 1000, names: names.slice(0, 10) } });
    const text = renderText(result(findings, [big]), { color: false });
    expect(text).toContain(`${names.slice(0, 10).join(', ').slice(0, 40)}`);
    expect(text).toMatch(/and 990 more\n/);
    expect(text).toContain('Findings: node-lease-forbidden x1,000 (10,000 events)');
    expect(text.split('\n').length).toBeLessThan(40);
  });

  it('lists info incidents in one line each, after the others', () => {
    const info = incident({ id: 'c'.repeat(32), severity: 'info', title: 'kube-apiserver configuration recorded: --authorization-mode=[Node,RBAC]' });
    const text = renderText(result([], [info, incident({})]), { color: false });
    expect(text).toContain('INFO (1), for reference:\n  kube-apiserver configuration recorded: --authorization-mode=[Node,RBAC]\n');
    expect(text.indexOf('HIGH ')).toBeLessThan(text.indexOf('INFO (1)'));
    expect(text).not.toContain('INFO     ');
  });

  it('counts suppressed findings with their reason and says when a suppression expired', () => {
    const text = renderText(result([finding({})], [incident({})], {
      suppressed: [1, 2, 3].map((i) => ({
        fingerprint: String(i).repeat(32), ruleId: 'forbidden-burst', severity: 'medium' as const, subject: {}, count: 60, suppression: 0,
        reason: 'CI role probes its own permissions', expires: '2027-01-31',
      })),
      expiredSuppressions: [{ suppression: 1, ruleId: 'node-system-masters', subject: {}, reason: 'break-glass', expires: '2026-11-01', findings: 2 }],
    }), { color: false });
    expect(text).toContain('3 findings suppressed:\n  3 forbidden-burst by suppressions[0] until 2027-01-31: CI role probes its own permissions\n');
    expect(text).toContain('Suppression suppressions[1] (node-system-masters: break-glass) expired on 2026-11-01 and no longer applies: 2 findings it matched are reported again.');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^1 incident \(1 high\) from 1 finding \(and 3 suppressed\); read 2 file\(s\)/);
  });

  it('uses ANSI colour only when asked', () => {
    expect(renderText(result([finding({})], [incident({})]), { color: true })).toContain('\u001b[1;31m');
    expect(renderText(result([finding({})], [incident({})]), { color: false })).not.toContain('\u001b[');
  });

  it('says so when there is nothing to report', () => {
    expect(renderText(result([], []), { color: false })).toContain('No incidents.');
  });
});

describe('summaryLine, duration and evidenceLine', () => {
  it('counts incidents by severity and findings, in the singular for one', () => {
    expect(summaryLine([finding({})], emptyStats(), [incident({})])).toMatch(/^1 incident \(1 high\) from 1 finding; read 0 file\(s\)/);
    expect(summaryLine([finding({}), finding({})], emptyStats(), [incident({}), incident({ severity: 'critical' })]))
      .toMatch(/^2 incidents \(1 critical, 1 high\) from 2 findings;/);
    expect(summaryLine([finding({})], emptyStats())).toMatch(/^1 finding \(1 high\); read 0 file\(s\)/);
  });
  it('words a delay for people', () => {
    expect([41, 69, 3600, 3661, 90000].map(duration)).toEqual(['41 s', '1 min 9 s', '1 h', '1 h 1 min', '1 d 1 h']);
  });
  it('renders an evidence sample on one line', () => {
    expect(evidenceLine({ time: 't', verb: 'get', code: 403, reason: 'no relationship', auditID: 'id1', truncated: false }))
      .toBe('t get 403: no relationship (auditID id1)');
  });
});

describe('renderJson', () => {
  it('writes the contract keys: the findings as before, then incidents and suppressions', () => {
    const parsed = JSON.parse(renderJson(result([finding({})], [incident({})])));
    expect(Object.keys(parsed)).toEqual(['findings', 'stats', 'malformedSamples', 'ruleErrors', 'incidents', 'suppressed', 'expiredSuppressions']);
    expect(Object.keys(parsed.findings[0]).sort()).toEqual(
      ['ruleId', 'severity', 'title', 'cluster', 'subject', 'count', 'firstSeen', 'lastSeen', 'message', 'remediation', 'fingerprint', 'evidence'].sort(),
    );
    expect(Object.keys(parsed.stats).sort()).toEqual(
      ['files', 'records', 'auditEvents', 'apiserverLines', 'authenticatorLines', 'kubeletLines', 'malformed', 'truncated', 'duplicates', 'duplicatesUnchecked', 'malformedFields'].sort(),
    );
    expect(Object.keys(parsed.incidents[0]).sort()).toEqual(
      ['id', 'cluster', 'severity', 'title', 'cause', 'impact', 'remediation', 'findings', 'firstSeen', 'lastSeen'].sort(),
    );
  });
});
