import { describe, expect, it } from 'vitest';
import { SuppressionError, checkSuppressions, parseSuppressions } from '../../lambda/settings/suppressions';
import { parseContext } from '../../lambda/settings/context';

describe('parseSuppressions', () => {
  it('reads YAML and JSON, as a list or under `suppressions`', () => {
    const yaml = `
suppressions:
  - ruleId: forbidden-burst
    subject:
      username: "system:serviceaccount:ci:*"
    reason: the CI job checks its own permissions
    expires: 2027-01-31
  - ruleId: node-system-masters
    reason: break-glass group
    expires: 2027-01-31T12:00:00Z
`;
    const json = JSON.stringify([{ ruleId: 'forbidden-burst', subject: { username: 'system:serviceaccount:ci:*' }, reason: 'the CI job checks its own permissions', expires: '2027-01-31' }]);
    expect(parseSuppressions(yaml, 'ex.yaml')).toEqual([
      { ruleId: 'forbidden-burst', subject: { username: 'system:serviceaccount:ci:*' }, reason: 'the CI job checks its own permissions', expires: '2027-01-31' },
      { ruleId: 'node-system-masters', subject: {}, reason: 'break-glass group', expires: '2027-01-31T12:00:00Z' },
    ]);
    expect(parseSuppressions(json, 'ex.json')).toEqual([parseSuppressions(yaml, 'ex.yaml')[0]]);
    expect(parseSuppressions('', 'empty.yaml')).toEqual([]);
  });

  it.each([
    [{ ruleId: 'forbidden-burst', expires: '2027-01-31' }, 'ex.yaml: suppressions[1] (forbidden-burst): reason is missing'],
    [{ ruleId: 'forbidden-burst', reason: ' ', expires: '2027-01-31' }, 'suppressions[1] (forbidden-burst): reason is missing'],
    [{ ruleId: 'forbidden-burst', reason: 'r' }, 'suppressions[1] (forbidden-burst): expires is missing'],
    [{ ruleId: 'forbidden-burst', reason: 'r', expires: '31/01/2027' }, 'expires "31/01/2027" is not a date'],
    [{ ruleId: 'forbidden-burst', reason: 'r', expires: '2027-02-30' }, 'expires "2027-02-30" is not a date'],
    [{ ruleId: 'forbidden-bursts', reason: 'r', expires: '2027-01-31' }, 'suppressions[1] (forbidden-bursts): ruleId "forbidden-bursts" is not a rule'],
    [{ reason: 'r', expires: '2027-01-31' }, 'suppressions[1]: ruleId is missing'],
    [{ ruleId: 'forbidden-burst', reason: 'r', expires: '2027-01-31', subject: { username: 'ci[0-9]' } }, 'subject.username "ci[0-9]" uses [...] or {...}'],
    [{ ruleId: 'forbidden-burst', reason: 'r', expires: '2027-01-31', subject: { username: 3 } }, 'subject.username must be a string glob'],
    [{ ruleId: 'forbidden-burst', reason: 'r', expires: '2027-01-31', subjects: {} }, 'unknown key(s) subjects'],
    ['forbidden-burst', 'suppressions[1]: is not a mapping'],
  ])('rejects %j, naming the entry', (bad, message) => {
    const good = { ruleId: 'node-system-masters', reason: 'ok', expires: '2027-01-31' };
    expect(() => parseSuppressions(JSON.stringify([good, bad]), 'ex.yaml')).toThrow(SuppressionError);
    expect(() => parseSuppressions(JSON.stringify([good, bad]), 'ex.yaml')).toThrow(message);
  });

  it('rejects text that is not YAML, and a value that is not a list', () => {
    expect(() => parseSuppressions('- [unclosed', 'ex.yaml')).toThrow('ex.yaml: is not YAML or JSON');
    expect(() => checkSuppressions({ ruleId: 'forbidden-burst' }, 'suppressions')).toThrow('suppressions: is not a list');
  });
});

describe('the suppressions setting', () => {
  it('is read from CDK context as JSON text, and a bad entry fails synth naming it', () => {
    const entry = { ruleId: 'forbidden-burst', subject: { username: 'ci-*' }, reason: 'CI', expires: '2027-01-31' };
    const base = { clusters: JSON.stringify([{ name: 'prod' }]), alertEmails: 'ops@example.com' };
    expect(parseContext({ ...base, suppressions: JSON.stringify([entry]) }).suppressions).toEqual([entry]);
    expect(() => parseContext({ ...base, suppressions: JSON.stringify([{ ...entry, reason: undefined }]) })).toThrow(
      /Invalid suppressions\[0\] \(forbidden-burst\): .* reason is missing/,
    );
  });
});
