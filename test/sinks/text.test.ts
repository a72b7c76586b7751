import { describe, expect, it } from 'vitest';
import { renderText, summaryLine, evidenceLine } from '../../lambda/report/text';
import { renderJson } from '../../lambda/report/json';
import type { ScanResult } from '../../lambda/model/findings';
import type { Finding } from '../../lambda/model/findings';
import { emptyStats } from '../../lambda/model/findings';

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'node-lease-forbidden', severity: 'high', title: 'Node cannot renew its lease', cluster: 'demo',
    subject: { node: 'ip-10-0-1-2', username: 'WorkerNodeRole' }, count: 1234,
    firstSeen: '2026-11-27T10:00:01Z', lastSeen: '2026-11-27T10:59:58Z',
    message: 'The kubelet was refused.', remediation: 'Fix the mapping:\n  - rolearn: arn:aws:iam::1:role/R\n    username: system:node:{{EC2PrivateDNSName}}',
    fingerprint: 'f'.repeat(32),
    evidence: [{ time: '2026-11-27T10:00:01Z', verb: 'get', requestURI: '/apis/x', code: 403, decision: 'forbid', source: 'a.jsonl:3', truncated: true }],
    ...over,
  };
}

function result(findings: Finding[]): ScanResult {
  return { findings, stats: { ...emptyStats(), files: 2, records: 10, auditEvents: 9, malformed: 1 }, malformedSamples: [{ file: 'b.log', line: 4, reason: 'not JSON, klog or logrus' }], ruleErrors: [] };
}

describe('renderText', () => {
  it('groups by severity, most severe first, keeps YAML remediation indented, and ends with the summary', () => {
    const text = renderText(result([finding({ severity: 'medium', ruleId: 'm', title: 'Medium one' }), finding({})]), { color: false });
    expect(text.indexOf('HIGH (1)')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('HIGH (1)')).toBeLessThan(text.indexOf('MEDIUM (1)'));
    expect(text).toContain('    username: system:node:{{EC2PrivateDNSName}}');
    expect(text).toContain('1,234 time(s), 2026-11-27T10:00:01Z .. 2026-11-27T10:59:58Z');
    expect(text).toContain('b.log:4 (not JSON, klog or logrus)');
    expect(text).toContain('[truncated]');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '2 findings (1 high, 1 medium) from 2 file(s), 10 records: 9 audit events, 0 API-server lines, 0 authenticator lines, 1 malformed, 0 truncated.',
    );
    expect(text).not.toContain('\u001b[');
  });

  it('shows two evidence samples in text and says where the rest are', () => {
    const e = finding({}).evidence[0]!;
    const text = renderText(result([finding({ evidence: [e, e, e, e, e] })]), { color: false });
    expect(text.match(/^    - /gm)).toHaveLength(2);
    expect(text).toContain('(3 more samples with --format json)');
  });

  it('uses ANSI colour only when asked', () => {
    expect(renderText(result([finding({})]), { color: true })).toContain('\u001b[1;31m');
  });

  it('says so when there is nothing to report', () => {
    expect(renderText(result([]), { color: false })).toContain('No findings.');
  });
});

describe('summaryLine and evidenceLine', () => {
  it('uses singular for one finding', () => {
    expect(summaryLine([finding({})], emptyStats())).toMatch(/^1 finding \(1 high\) from 0 file\(s\)/);
  });
  it('renders an evidence sample on one line', () => {
    expect(evidenceLine({ time: 't', verb: 'get', code: 403, reason: 'no relationship', auditID: 'id1', truncated: false }))
      .toBe('t get 403: no relationship (auditID id1)');
  });
});

describe('renderJson', () => {
  it('writes exactly the contract keys', () => {
    const parsed = JSON.parse(renderJson(result([finding({})])));
    expect(Object.keys(parsed)).toEqual(['findings', 'stats', 'malformedSamples', 'ruleErrors']);
    expect(Object.keys(parsed.findings[0]).sort()).toEqual(
      ['ruleId', 'severity', 'title', 'cluster', 'subject', 'count', 'firstSeen', 'lastSeen', 'message', 'remediation', 'fingerprint', 'evidence'].sort(),
    );
    expect(Object.keys(parsed.stats).sort()).toEqual(
      ['files', 'records', 'auditEvents', 'apiserverLines', 'authenticatorLines', 'kubeletLines', 'malformed', 'truncated'].sort(),
    );
  });
});
