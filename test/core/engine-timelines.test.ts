import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { RULES } from '../../lambda/rules/registry';
import { readInputs } from '../../lambda/scan/index';
import type { AuditEvent, AuditRecord } from '../../lambda/model/records';
import type { Rule } from '../../lambda/model/rule';
import { MAX_AWS_AUTH_WRITE_MARKS } from '../../lambda/model/timeline';
import { renderJson } from '../../lambda/report/json';

const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');

function audit(event: AuditEvent, extra: Partial<AuditRecord> = {}): AuditRecord {
  return { kind: 'audit', event, truncated: false, origin: { file: 'a.jsonl', line: 1 }, ...extra };
}

const everyEvent: Rule = {
  id: 'r1', severity: 'high', title: 't', description: 'd', remediation: 'r', references: [],
  needs: { stream: 'audit', filter: 'true', keys: [] },
  create: () => ({ onAudit: (record, emit) => emit({ subject: { user: record.event.user?.username ?? '' } }) }),
  describe: () => ({ message: 'm', remediation: 'r' }),
};

function awsAuthWrite(time: string, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    auditID: `id-${time}`, stage: 'ResponseComplete', verb: 'update', requestReceivedTimestamp: time,
    user: { username: 'kubernetes-admin' }, userAgent: 'kubectl/v1.30.0',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' }, responseStatus: { code: 200 },
    ...over,
  };
}

describe('Engine timelines', () => {
  it('are collected only when asked, and never reach the JSON output', () => {
    const plain = new Engine([everyEvent], { cluster: 'c' });
    plain.record(audit({ user: { username: 'a' }, requestReceivedTimestamp: '2026-01-01T00:00:00Z' }));
    expect(plain.finish().timelines).toBeUndefined();

    const engine = new Engine([everyEvent], { cluster: 'c', timelines: true });
    engine.record(audit({ user: { username: 'a' }, requestReceivedTimestamp: '2026-01-01T00:00:00Z' }));
    const result = engine.finish();
    expect(Object.keys(result.timelines!.findings)).toEqual([result.findings[0]!.fingerprint]);
    expect(renderJson(result)).not.toContain('timelines');
  });

  it('count each finding over time, aggregated rows spread between their first and last time', () => {
    const engine = new Engine([everyEvent], { cluster: 'c', timelines: true });
    engine.record(audit({ user: { username: 'a' }, requestReceivedTimestamp: '2026-01-01T00:00:00Z' }));
    engine.record(audit({ user: { username: 'a' }, requestReceivedTimestamp: '2026-01-01T00:00:02Z' }));
    engine.record(audit({ user: { username: 'b' } }, { aggregate: { count: 4, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:01Z' } }));
    const result = engine.finish();
    const byUser = (u: string) => result.timelines!.findings[result.findings.find((f) => f.subject['user'] === u)!.fingerprint]!;
    expect(byUser('a')).toEqual({ bucketSeconds: 1, start: Date.parse('2026-01-01T00:00:00Z') / 1000, counts: [1, 0, 1] });
    expect(byUser('b')).toMatchObject({ counts: [2, 2], estimated: true });
  });

  it('keep the accepted aws-auth writes once each, in time order, and count those beyond the cap', () => {
    const engine = new Engine([], { cluster: 'c', timelines: true });
    engine.record(audit(awsAuthWrite('2026-01-01T00:05:00Z', { verb: 'patch' })));
    engine.record(audit(awsAuthWrite('2026-01-01T00:01:00Z')));
    engine.record(audit(awsAuthWrite('2026-01-01T00:01:00Z'))); // the same auditID again
    engine.record(audit(awsAuthWrite('2026-01-01T00:02:00Z', { responseStatus: { code: 403 } })));
    engine.record(audit(awsAuthWrite('2026-01-01T00:03:00Z', { stage: 'RequestReceived' })));
    engine.record(audit(awsAuthWrite('2026-01-01T00:04:00Z', { requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth?dryRun=All' })));
    engine.record(audit(awsAuthWrite('2026-01-01T00:06:00Z', { objectRef: { resource: 'configmaps', namespace: 'default', name: 'aws-auth' } })));
    engine.record(audit(awsAuthWrite('2026-01-01T00:07:00Z', { verb: 'get' })));
    const t = engine.finish().timelines!;
    expect(t.awsAuthWrites).toEqual([
      { time: '2026-01-01T00:01:00Z', verb: 'update', username: 'kubernetes-admin', userAgent: 'kubectl/v1.30.0', auditID: 'id-2026-01-01T00:01:00Z' },
      { time: '2026-01-01T00:05:00Z', verb: 'patch', username: 'kubernetes-admin', userAgent: 'kubectl/v1.30.0', auditID: 'id-2026-01-01T00:05:00Z' },
    ]);
    expect(t.awsAuthWritesNotKept).toBe(0);

    const many = new Engine([], { cluster: 'c', timelines: true });
    for (let i = 0; i < MAX_AWS_AUTH_WRITE_MARKS + 3; i++) many.record(audit(awsAuthWrite(new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString())));
    const capped = many.finish().timelines!;
    expect(capped.awsAuthWrites).toHaveLength(MAX_AWS_AUTH_WRITE_MARKS);
    expect(capped.awsAuthWritesNotKept).toBe(3);
  });

  it('on the samples: every lease refusal counted on its node, and the 10:10 aws-auth write of wrong-node-username', async () => {
    const engine = new Engine(RULES, { cluster: 'demo', timelines: true });
    await readInputs([join(SAMPLES, 'wrong-node-username')], engine);
    const result = engine.finish();
    const lease = result.findings.filter((f) => f.ruleId === 'node-lease-forbidden');
    expect(lease.length).toBeGreaterThan(0);
    for (const f of lease) {
      const t = result.timelines!.findings[f.fingerprint]!;
      expect(t.counts.reduce((a, b) => a + b, 0)).toBe(f.count);
      expect(t.start).toBeLessThanOrEqual(Date.parse(f.firstSeen!) / 1000);
    }
    expect(result.timelines!.awsAuthWrites.map((w) => w.time.slice(11, 16))).toContain('10:10');
  });
});
