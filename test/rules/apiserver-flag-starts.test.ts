import { describe, expect, it } from 'vitest';
import type { FlagStart } from '../../lambda/rules/support/apiserver-flag-starts';
import { APISERVER_FLAG_NEEDS, FlagStartTracker, flagList, startConfig } from '../../lambda/rules/support/apiserver-flag-starts';
import { eksStart, flag } from './config-helpers';

function starts(records: ReturnType<typeof flag>[]): FlagStart[] {
  const out: FlagStart[] = [];
  const tracker = new FlagStartTracker((s) => out.push(s));
  for (const r of records) tracker.add(r);
  tracker.flush();
  return out;
}

describe('kube-apiserver flag starts', () => {
  it.each([
    ['[Node,RBAC,Webhook]', ['Node', 'RBAC', 'Webhook']],
    ['Node,RBAC', ['Node', 'RBAC']],
    ['"[Node, RBAC]"', ['Node', 'RBAC']],
    ['[]', []],
    ['', []],
  ])('reads the list %j', (value, expected) => {
    // Prepare / Act
    const list = flagList(value);

    // Assess
    expect(list).toEqual(expected);
  });

  it('asks CloudWatch only for the FLAG lines it reads, one row per line and stream', () => {
    // Prepare / Act
    const needs = APISERVER_FLAG_NEEDS;

    // Assess
    expect(needs).toEqual({
      stream: 'apiserver',
      filter: '@message like /FLAG: --(admission-control|authorization-config|authorization-mode|disable-admission-plugins|enable-admission-plugins)=/',
      parse: ['@message /^(?<flagLine>.*FLAG: --(admission-control|authorization-config|authorization-mode|disable-admission-plugins|enable-admission-plugins)=.*)$/'],
      keys: ['@logStream', 'flagLine'],
    });
  });

  it('groups the lines of one start, ignoring flags it does not read', () => {
    // Prepare
    const records = [flag('anonymous-auth', 'false'), ...eksStart(), flag('v', '2')];

    // Act
    const found = starts(records);

    // Assess
    expect(found).toHaveLength(1);
    expect(startConfig(found[0]!)).toEqual({
      modes: ['Node', 'RBAC', 'Webhook'], authorizationConfig: '', enable: ['NodeRestriction', 'ExtendedResourceToleration'], disable: [], admissionControl: [],
    });
  });

  it('starts anew when a flag repeats, when the stream changes, and after a long silence', () => {
    // Prepare
    const records = [
      ...eksStart({ logStream: 'kube-apiserver-a', timestamp: '2024-03-01T10:00:00.000Z' }),
      ...eksStart({ logStream: 'kube-apiserver-b', timestamp: '2024-03-01T10:00:00.100Z' }),
      ...eksStart({ logStream: 'kube-apiserver-a', timestamp: '2024-03-01T10:00:00.200Z' }),
      flag('authorization-config', '', { logStream: 'kube-apiserver-b', timestamp: '2024-03-01T10:05:00.000Z' }),
    ];

    // Act
    const found = starts(records);

    // Assess
    expect(found.map((s) => [s.time, [...s.flags.keys()].length])).toEqual([
      ['2024-03-01T10:00:00.000Z', 5],
      ['2024-03-01T10:00:00.100Z', 5],
      ['2024-03-01T10:00:00.200Z', 5],
      ['2024-03-01T10:05:00.000Z', 1],
    ]);
  });

  it('keeps lines of one start together across a second boundary', () => {
    // Prepare
    const records = [
      flag('authorization-mode', '[Node,RBAC]', { timestamp: '2024-03-01T10:00:00.999Z' }),
      flag('enable-admission-plugins', '[NodeRestriction]', { timestamp: '2024-03-01T10:00:01.001Z' }),
    ];

    // Act
    const found = starts(records);

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]!.time).toBe('2024-03-01T10:00:00.999Z');
  });
});
