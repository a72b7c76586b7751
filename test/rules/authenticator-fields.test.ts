import { describe, expect, it } from 'vitest';
import { authenticatorEvidence, groupsOf, isNotMapped, roleOfSession } from '../../lambda/rules/support/authenticator-fields';
import type { AuthenticatorRecord } from '../../lambda/model/records';

function line(fields: Record<string, string>): AuthenticatorRecord {
  return { kind: 'authenticator', fields, time: '2026-11-27T10:00:01.000Z', origin: { file: 'a.log', line: 4 } };
}

describe('roleOfSession', () => {
  it('maps an STS session ARN back to its role, in any partition', () => {
    expect(roleOfSession('arn:aws:sts::111122223333:assumed-role/KarpenterNodeRole-prod/i-0a1b2c3d4e5f60718')).toEqual({
      role: 'arn:aws:iam::111122223333:role/KarpenterNodeRole-prod', session: 'i-0a1b2c3d4e5f60718',
    });
    expect(roleOfSession('arn:aws-cn:sts::111122223333:assumed-role/r/s')?.role).toBe('arn:aws-cn:iam::111122223333:role/r');
    expect(roleOfSession('arn:aws:iam::111122223333:role/r')).toBeUndefined();
  });
});

describe('groupsOf', () => {
  it.each([
    ['[system:bootstrappers system:nodes]', ['system:bootstrappers', 'system:nodes']],
    ['[]', []],
    ['[developer]', ['developer']],
    ['system:masters', ['system:masters']],
  ])('reads %j', (groups, expected) => {
    expect(groupsOf(line({ groups }))).toEqual(expected);
  });

  it('reads no groups when the line has none', () => {
    expect(groupsOf(line({ msg: 'access granted' }))).toEqual([]);
  });
});

describe('isNotMapped', () => {
  it('is a refusal with the mapper\'s own error text only', () => {
    expect(isNotMapped(line({ msg: 'access denied', error: 'ARN is not mapped' }))).toBe(true);
    expect(isNotMapped(line({ msg: 'access denied', error: 'sts getCallerIdentity failed' }))).toBe(false);
    expect(isNotMapped(line({ msg: 'access granted', error: 'ARN is not mapped' }))).toBe(false);
  });
});

describe('authenticatorEvidence', () => {
  it('keeps the time, the error as the reason, the identifying fields and where the line was', () => {
    // Act
    const ev = authenticatorEvidence(line({ msg: 'access denied', arn: 'arn:aws:iam::111122223333:role/r', error: 'ARN is not mapped\u0007', client: '127.0.0.1:1' }));

    // Assess: the bell character is replaced (attacker-controlled text is cleaned).
    expect(ev).toEqual({
      truncated: false, source: 'a.log:4', time: '2026-11-27T10:00:01.000Z', reason: 'ARN is not mapped ',
      message: 'access denied arn=arn:aws:iam::111122223333:role/r',
    });
  });
});
