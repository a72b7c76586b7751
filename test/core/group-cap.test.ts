import { describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { MAX_GROUPS_PER_RULE, MAX_NAMED_TALLY_KEYS, addTally } from '../../lambda/engine/group-cap';
import { MAX_NODE_ROLES } from '../../lambda/engine/engine';
import { DistinctCounter } from '../../lambda/model/distinct-counter';
import { RULES } from '../../lambda/rules/registry';
import { MAX_PRINCIPALS } from '../../lambda/rules/audit/forbidden-burst';
import { auditEvent, iamUser, leaseEvent, record } from '../rules/helpers';

describe('findings kept per rule', () => {
  it('keeps 1,000 per rule and sums the rest into one finding that says how many more, counted exactly', () => {
    // Prepare: a wrongly mapped node role on 2,500 nodes, each renewing its lease twice.
    const engine = new Engine(RULES, { cluster: 'prod' });
    engine.file('audit.jsonl');
    const user = { username: 'WorkerNodeRole', uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLE', groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'] };

    // Act
    let line = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2_500; i++) engine.record(record(leaseEvent(user, 'get', `ip-10-0-${i >> 8}-${i & 255}.ec2.internal`, 403), { line: ++line }));
    }
    const lease = engine.finish().findings.filter((f) => f.ruleId === 'node-lease-forbidden');

    // Assess
    expect(lease).toHaveLength(MAX_GROUPS_PER_RULE + 1);
    const more = lease.find((f) => f.subject['more'] === 'nodes')!;
    expect(more.message).toContain('And 1,500 more nodes (3,000 events) with the same finding, not listed one by one');
    expect(more.count).toBe(3_000);
    expect(more.severity).toBe('high');
    expect(more.evidence.length).toBeGreaterThan(0);
    expect(lease.reduce((n, f) => n + f.count, 0)).toBe(5_000);
  });

  it('forbidden-burst follows MAX_PRINCIPALS callers one by one and says when more came than that', () => {
    // Prepare: 60 anonymous callers more than it follows, one refusal each, each from its own address.
    const engine = new Engine(RULES, { cluster: 'prod' });
    engine.file('audit.jsonl');

    // Act
    for (let i = 0; i < MAX_PRINCIPALS + 60; i++) {
      const e = auditEvent({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', uri: '/api/v1/secrets', code: 403, userAgent: 'Mozilla/5.0 zgrab/0.x', objectRef: { resource: 'secrets', apiVersion: 'v1' } });
      e.sourceIPs = [`100.64.${i >> 8}.${i & 255}`];
      engine.record(record(e, { line: i + 1 }));
    }
    const bursts = engine.finish().findings.filter((f) => f.ruleId === 'forbidden-burst');

    // Assess
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.count).toBe(60);
    expect(bursts[0]!.message).toContain('60 more principals (username and address) got 60 403 Forbidden responses');
    expect(bursts[0]!.message).toContain('a burst among them cannot be ruled out');
  });
});

describe('DistinctCounter', () => {
  it('counts distinct strings exactly up to its exact limit', () => {
    // Act
    const c = new DistinctCounter(100_000);
    for (let round = 0; round < 2; round++) for (let i = 0; i < 50_000; i++) c.add(`ip-10-${i}`);

    // Assess
    expect([c.count, c.estimated, c.text()]).toEqual([50_000, false, '50,000']);
  });

  it.each([[1_001], [20_000], [400_000]])('estimates past it within 3%%, in the same memory, and says so (%i distinct)', (distinct) => {
    // Act: every string twice, the repeats after the switch to the estimate.
    const c = new DistinctCounter(1_000);
    for (let round = 0; round < 2; round++) for (let i = 0; i < distinct; i++) c.add(`ip-10-${i >> 16}-${(i >> 8) & 255}-${i & 255}.ec2.internal`);

    // Assess
    expect(c.estimated).toBe(true);
    expect(Math.abs(c.count - distinct) / distinct).toBeLessThan(0.03);
    expect(c.text()).toMatch(/^about \d{1,3}(,\d{3})*$/);
  });

  it('rounds an estimate to three significant digits in words', () => {
    // Prepare
    const c = new DistinctCounter(0);
    c.add('x');
    Object.defineProperty(c, 'count', { get: () => 981_204 });

    // Act / Assess
    expect(c.text()).toBe('about 981,000');
    // Never more strings than the events behind them, whatever the estimate says.
    expect(c.text(980_000)).toBe('about 980,000');
  });
});

describe('addTally', () => {
  it('keeps at most 1,000 named keys (node:<name>) per tally, and the rules\' own words always', () => {
    // Prepare
    const tally: Record<string, number> = Object.create(null) as Record<string, number>;
    let named = 0;

    // Act: 5,000 node names, then a fixed word and a repeat of a kept name
    for (let i = 0; i < 5_000; i++) named += addTally(tally, `node:ip-10-${i}`, 1, named);
    named += addTally(tally, 'forbidden', 2, named);
    named += addTally(tally, 'node:ip-10-0', 1, named);

    // Assess
    expect(named).toBe(MAX_NAMED_TALLY_KEYS);
    expect(Object.keys(tally).filter((k) => k.startsWith('node:'))).toHaveLength(MAX_NAMED_TALLY_KEYS);
    expect([tally['forbidden'], tally['node:ip-10-0'], tally['node:ip-10-4999']]).toEqual([2, 2, undefined]);
  });
});

describe('node roles remembered by the engine', () => {
  it('keeps at most MAX_NODE_ROLES distinct roles that signed kubelet requests, whatever the input names', () => {
    // Prepare
    const engine = new Engine(RULES, { cluster: 'prod' });
    engine.file('audit.jsonl');

    // Act: a kubelet lease renewal under each of more roles than the bound.
    for (let i = 0; i < MAX_NODE_ROLES + 50; i++) {
      const user = iamUser(`system:node:ip-10-0-0-${i & 255}.ec2.internal`, ['system:bootstrappers', 'system:nodes'], { role: `forged-${i}` });
      engine.record(record(leaseEvent(user, 'update', `ip-10-0-0-${i & 255}.ec2.internal`, 200), { line: i + 1 }));
    }

    // Assess
    expect(engine.kubeletRoleArns.size).toBe(MAX_NODE_ROLES);
    expect(engine.kubeletRoleArns.has('arn:aws:iam::111122223333:role/forged-0')).toBe(true);
  });
});
