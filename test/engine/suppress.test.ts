import { describe, expect, it } from 'vitest';
import { Glob, globProblem } from '../../lambda/model/glob';
import type { Suppression } from '../../lambda/model/suppression';
import { renderText } from '../../lambda/report/text';
import { MINUTE } from '../../tools/time';
import { Logs, NODE_USERNAME, T0, arnOf, mapping, nodeGroup } from './incident-fixtures';

describe('Glob', () => {
  it.each([
    ['system:serviceaccount:ci:*', 'system:serviceaccount:ci:runner', true],
    ['system:serviceaccount:ci:*', 'system:serviceaccount:cd:runner', false],
    ['*', '', true],
    ['ip-10-0-?-9.*', 'ip-10-0-1-9.ec2.internal', true],
    ['ip-10-0-?-9.*', 'ip-10-0-12-9.ec2.internal', false],
    ['a*b*c', 'a-x-b-y-c', true],
    ['a*b*c', 'a-x-c-y-b', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['lit\\*eral', 'lit*eral', true],
    ['lit\\*eral', 'litXeral', false],
    ['.+(x)', '.+(x)', true],
    ['.+(x)', 'aa(x)', false],
    ['?', '\u{1F600}', true],
  ])('%j matches %j: %s', (pattern, text, expected) => {
    expect(new Glob(pattern).matches(text)).toBe(expected);
  });

  it('answers a pattern built to backtrack without exploring every split', () => {
    // A backtracking matcher takes exponential time here; this one is bounded by pattern x text.
    const pattern = `${'a*'.repeat(40)}b`;
    expect(new Glob(pattern).matches('a'.repeat(5000))).toBe(false);
    expect(new Glob(pattern).matches(`${'a'.repeat(5000)}b`)).toBe(true);
  });

  it.each([
    ['', 'is empty'],
    ['a\\', 'ends in a lone'],
    ['[abc]', 'not supported'],
    ['x{a,b}', 'not supported'],
  ])('rejects %j', (pattern, why) => {
    expect(globProblem(pattern)).toContain(why);
  });

  it('accepts escaped brackets and backslashes', () => {
    expect(globProblem('a\\[b\\]\\\\')).toBeUndefined();
    expect(new Glob('a\\[b\\]\\\\').matches('a[b]\\')).toBe(true);
  });
});

/** A CI role whose kubelet-like credential is a known exception, and a real problem beside it. */
function cluster(): Logs {
  const logs = new Logs('suppress');
  nodeGroup(logs, 'web-node-role', mapping('web-node-role', NODE_USERNAME, ['system:masters']), { nodes: 2, from: T0 });
  nodeGroup(logs, 'batch-node-role', mapping('batch-node-role', 'WorkerNodeRole'), { nodes: 1, from: T0 + MINUTE, first: 50 });
  return logs;
}

const BREAK_GLASS: Suppression = {
  ruleId: 'node-system-masters', subject: { arn: '*:role/web-node-role' }, reason: 'break-glass node group, reviewed monthly', expires: '2027-01-31',
};

describe('suppressions in the engine', () => {
  it('takes a suppressed finding out of findings and incidents, and counts it with its reason', async () => {
    // Prepare
    const logs = cluster();
    const plain = await logs.scan();

    // Act
    const result = await logs.scan({ suppressions: [BREAK_GLASS], now: new Date('2026-12-01T00:00:00Z') });

    // Assess
    const silenced = plain.findings.filter((f) => f.ruleId === 'node-system-masters');
    expect(silenced).toHaveLength(2);
    expect(result.findings).toHaveLength(plain.findings.length - 2);
    expect(result.suppressed?.map((s) => s.fingerprint).sort()).toEqual(silenced.map((f) => f.fingerprint).sort());
    expect(result.suppressed?.[0]).toMatchObject({ ruleId: 'node-system-masters', suppression: 0, reason: BREAK_GLASS.reason, expires: '2027-01-31' });
    const fingerprints = new Set(result.incidents.flatMap((i) => i.findings));
    for (const f of silenced) expect(fingerprints.has(f.fingerprint)).toBe(false);
    // The role's other findings still make its incident; the other role is untouched.
    expect(result.incidents.map((i) => i.cause.roleArn).sort()).toEqual([arnOf('batch-node-role'), arnOf('web-node-role')]);
    expect(result.expiredSuppressions).toEqual([]);
    expect(renderText(result, { color: false })).toContain('2 findings suppressed:\n  2 node-system-masters by suppressions[0] until 2027-01-31: break-glass node group, reviewed monthly');
  });

  it('opens no incident when every finding of a cause is suppressed', async () => {
    // Prepare
    const all: Suppression[] = ['node-system-masters', 'node-identity-unrecognized'].map((ruleId) => ({ ...BREAK_GLASS, ruleId }));

    // Act
    const result = await cluster().scan({ suppressions: all, now: new Date('2026-12-01T00:00:00Z') });

    // Assess
    expect(result.incidents.map((i) => i.cause.roleArn)).toEqual([arnOf('batch-node-role')]);
    expect(result.suppressed).toHaveLength(4);
  });

  it('stops applying at its expiry and says so, with the findings it would have silenced', async () => {
    // Prepare
    const logs = cluster();

    // Act: the day it expires (a date alone ends at 00:00 UTC), and the day before.
    const after = await logs.scan({ suppressions: [BREAK_GLASS], now: new Date('2027-01-31T00:00:00Z') });
    const before = await logs.scan({ suppressions: [BREAK_GLASS], now: new Date('2027-01-30T23:59:59Z') });

    // Assess
    expect(before.suppressed).toHaveLength(2);
    expect(after.suppressed).toEqual([]);
    expect(after.findings.filter((f) => f.ruleId === 'node-system-masters')).toHaveLength(2);
    expect(after.expiredSuppressions).toEqual([
      { suppression: 0, ruleId: 'node-system-masters', subject: BREAK_GLASS.subject, reason: BREAK_GLASS.reason, expires: '2027-01-31', findings: 2 },
    ]);
    expect(renderText(after, { color: false })).toContain(
      'Suppression suppressions[0] (node-system-masters: break-glass node group, reviewed monthly) expired on 2027-01-31 and no longer applies: 2 findings it matched are reported again.',
    );
  });

  it('needs every subject key to match, and a key the finding lacks matches nothing', async () => {
    // Prepare
    const logs = cluster();
    const wrongUser: Suppression = { ...BREAK_GLASS, subject: { arn: '*:role/web-node-role', username: 'nobody' } };
    const noSuchKey: Suppression = { ...BREAK_GLASS, subject: { sourceIP: '*' } };

    // Act
    const result = await logs.scan({ suppressions: [wrongUser, noSuchKey], now: new Date('2026-12-01T00:00:00Z') });

    // Assess
    expect(result.suppressed).toEqual([]);
  });
});
