import { describe, expect, it } from 'vitest';
import { Engine, fingerprint } from '../../lambda/engine/engine';
import { MAX_EVIDENCE } from '../../lambda/model/limits';
import type { AuditEvent, AuditRecord } from '../../lambda/model/records';
import type { Rule } from '../../lambda/model/rule';
import { auditEvidence } from '../../lambda/model/audit';

function audit(event: AuditEvent, line = 1, extra: Partial<AuditRecord> = {}): AuditRecord {
  return { kind: 'audit', event, truncated: false, origin: { file: 'a.jsonl', line }, ...extra };
}

/** A rule that observes every audit event under subject {user}. */
function userRule(id: string, severity: Rule['severity']): Rule {
  return {
    id, severity, title: `title ${id}`, description: 'd', remediation: 'r', references: [],
    needs: { stream: 'audit', filter: 'true', keys: [] },
    create: () => ({
      onAudit(record, emit) {
        emit({ subject: { user: record.event.user?.username ?? '' }, evidence: auditEvidence(record), tally: { seen: 1 } });
      },
    }),
    describe: (g) => ({ message: `${g.subject['user']} seen ${g.tally['seen']}`, remediation: 'fix it' }),
  };
}

describe('Engine', () => {
  it('merges observations per rule and subject with count, time range and capped evidence', () => {
    // Prepare
    const engine = new Engine([userRule('r1', 'high')], { cluster: 'prod' });
    const times = ['2026-01-01T00:00:05.5Z', '2026-01-01T00:00:01.123456Z', '2026-01-01T00:00:09Z'];
    // Act
    for (let i = 0; i < 8; i++) {
      engine.record(audit({ user: { username: 'bob' }, requestReceivedTimestamp: times[i % 3] }, i + 1));
    }
    engine.record(audit({ user: { username: 'eve' } }, 9));
    const { findings, stats } = engine.finish();
    // Assess
    expect(stats.auditEvents).toBe(9);
    expect(findings).toHaveLength(2);
    const bob = findings[0]!;
    expect(bob.subject).toEqual({ user: 'bob' });
    expect(bob.count).toBe(8);
    expect(bob.firstSeen).toBe('2026-01-01T00:00:01.123456Z');
    expect(bob.lastSeen).toBe('2026-01-01T00:00:09Z');
    expect(bob.evidence).toHaveLength(MAX_EVIDENCE);
    expect(bob.message).toBe('bob seen 8');
    expect(bob.cluster).toBe('prod');
    expect(findings[1]!.firstSeen).toBeNull();
  });

  it('counts an aggregated record as many events with its time range', () => {
    const engine = new Engine([userRule('r1', 'high')], { cluster: 'c' });
    engine.record(audit({ user: { username: 'n' } }, 1, {
      aggregate: { count: 360, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T01:00:00Z' },
    }));
    const [f] = engine.finish().findings;
    expect(f).toMatchObject({ count: 360, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T01:00:00Z' });
  });

  it('keeps running the other rules when one throws, and reports the one that threw', () => {
    const broken: Rule = {
      ...userRule('broken', 'low'),
      create: () => ({ onAudit: () => { throw new Error('boom'); } }),
    };
    const engine = new Engine([broken, userRule('ok', 'low')], { cluster: 'c' });
    engine.record(audit({ user: { username: 'x' } }));
    engine.record(audit({ user: { username: 'x' } }));
    const result = engine.finish();
    expect(result.findings.map((f) => f.ruleId)).toEqual(['ok']);
    expect(result.ruleErrors).toEqual([{ ruleId: 'broken', error: 'boom', count: 2 }]);
  });

  it('reports a rule whose describe() throws with its catalogue text instead of losing the finding', () => {
    const rule: Rule = { ...userRule('d', 'medium'), describe: () => { throw new Error('bad text'); } };
    const engine = new Engine([rule], { cluster: 'c' });
    engine.record(audit({ user: { username: 'x' } }));
    const result = engine.finish();
    expect(result.findings[0]).toMatchObject({ ruleId: 'd', message: 'd', remediation: 'r' });
    expect(result.ruleErrors[0]?.ruleId).toBe('d');
  });

  it('orders findings by severity then count, and filters by minSeverity', () => {
    const engine = new Engine([userRule('low1', 'low'), userRule('crit', 'critical'), userRule('med', 'medium')], {
      cluster: 'c', minSeverity: 'medium',
    });
    engine.record(audit({ user: { username: 'x' } }));
    expect(engine.finish().findings.map((f) => f.ruleId)).toEqual(['crit', 'med']);
  });

  it('strips control characters and caps attacker-controlled subject values', () => {
    const engine = new Engine([userRule('r', 'low')], { cluster: 'c' });
    engine.record(audit({ user: { username: `evil\u001b[31m\nname${'x'.repeat(1000)}` } }));
    const [f] = engine.finish().findings;
    expect(f!.subject['user']).not.toMatch(/[\u0000-\u001f]/);
    expect(f!.subject['user']!.length).toBeLessThanOrEqual(256);
  });

  it('counts malformed lines and keeps the first few positions', () => {
    const engine = new Engine([], { cluster: 'c' });
    for (let i = 1; i <= 7; i++) engine.malformed({ file: 'x.log', line: i, reason: 'not JSON' });
    const result = engine.finish();
    expect(result.stats.malformed).toBe(7);
    expect(result.malformedSamples.map((m) => m.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('learns node role ARNs from kubelet requests before finish()', () => {
    let seen: string[] = [];
    const rule: Rule = {
      ...userRule('ctx', 'info'),
      create: (ctx) => ({ finish: () => { seen = [...ctx.nodeRoleArns]; } }),
    };
    const engine = new Engine([rule], { cluster: 'c' });
    engine.record(audit({
      userAgent: 'kubelet/v1.31.0 (linux/amd64) kubernetes/abc',
      user: { username: 'WorkerNodeRole', groups: ['system:nodes'], extra: { canonicalArn: ['arn:aws:iam::1:role/NodeRole'] } },
    }));
    engine.record(audit({ user: { username: 'alice', extra: { canonicalArn: ['arn:aws:iam::1:role/Admin'] } } }));
    engine.finish();
    expect(seen).toEqual(['arn:aws:iam::1:role/NodeRole']);
  });
});

describe('fingerprint', () => {
  it('is stable, independent of key order, and distinguishes cluster and subject', () => {
    const a = fingerprint('r', 'prod', { node: 'n1', username: 'u' });
    expect(fingerprint('r', 'prod', { username: 'u', node: 'n1' })).toBe(a);
    expect(fingerprint('r', 'dev', { node: 'n1', username: 'u' })).not.toBe(a);
    expect(fingerprint('r', 'prod', { node: 'n2', username: 'u' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });
});
