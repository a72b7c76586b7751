import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { micros } from '../../tools/time';
import {
  TRUNCATED_MARKER, accessDenied, accessGranted, flagLine, insightsConsoleExport, journaldLine, klogLine, logrusLine,
  truncateLikeCloudWatch,
} from '../../tools/text-logs';

const REAL = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'real');
const T = micros('2026-11-27T10:00:41.141998Z');

describe('klog lines', () => {
  it('prints the FLAG dump line with the thread id padded to 7 and the value Go-quoted', () => {
    expect(flagLine(T, 10, 'authorization-mode', '[Node,RBAC,Webhook]')).toBe(
      'I1127 10:00:41.141998      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC,Webhook]"',
    );
    expect(flagLine(T, 10, 'feature-gates', '')).toBe('I1127 10:00:41.141998      10 flags.go:64] FLAG: --feature-gates=""');
  });

  it('prints other severities and a journald prefix', () => {
    const line = klogLine('W', T, 2211, 'lease.go:265', 'hello');
    expect(line).toBe('W1127 10:00:41.141998    2211 lease.go:265] hello');
    expect(journaldLine(T, 'cp-1', 'kube-apiserver', 2211, line)).toBe(`Nov 27 10:00:41 cp-1 kube-apiserver[2211]: ${line}`);
  });
});

describe('authenticator (logrus) lines', () => {
  it('sorts fields after time/level/msg and quotes only values logrus would quote', () => {
    // Act
    const line = accessGranted({
      time: T, arn: 'arn:aws:iam::111122223333:role/R', client: '127.0.0.1:51822', groups: ['system:bootstrappers', 'system:nodes'],
      uid: 'aws-iam-authenticator:111122223333:AROAEXAMPLE', username: 'system:node:ip-10-0-1-23.us-west-2.compute.internal',
      stsEndpoint: 'sts.us-west-2.amazonaws.com',
    });

    // Assess
    expect(line).toBe(
      'time="2026-11-27T10:00:41Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/R" ' +
        'client="127.0.0.1:51822" groups="[system:bootstrappers system:nodes]" method=POST path=/authenticate ' +
        'stsendpoint=sts.us-west-2.amazonaws.com uid="aws-iam-authenticator:111122223333:AROAEXAMPLE" ' +
        'username="system:node:ip-10-0-1-23.us-west-2.compute.internal"',
    );
  });

  it('leaves plain usernames bare, quotes empty values and escapes quotes', () => {
    expect(logrusLine(T, 'info', 'm', { username: 'kubernetes-admin', empty: '', q: 'a "b"' })).toBe(
      'time="2026-11-27T10:00:41Z" level=info msg=m empty="" q="a \\"b\\"" username=kubernetes-admin',
    );
    expect(accessDenied({ time: T, arn: 'arn:aws:iam::111122223333:role/X', client: '127.0.0.1:1', error: 'ARN is not mapped' })).toBe(
      'time="2026-11-27T10:00:41Z" level=warning msg="access denied" arn="arn:aws:iam::111122223333:role/X" client="127.0.0.1:1" error="ARN is not mapped" method=POST path=/authenticate',
    );
  });

  it.skipIf(!existsSync(REAL))('has the key order of a real EKS line (shared/fixtures/real)', () => {
    // Prepare
    const real = readFileSync(join(REAL, 'eks-authenticator-access-granted-addon-manager-2025.log'), 'utf8').trim();
    const keysOf = (l: string) => [...l.matchAll(/(?:^| )([a-z]+)=/g)].map((m) => m[1]);

    // Act
    const built = accessGranted({ time: T, arn: 'a:b', client: 'c:d', groups: [], uid: 'u:v', username: 'eks:addon-manager', stsEndpoint: 's' });

    // Assess
    expect(keysOf(built)).toEqual(keysOf(real));
    expect(built).toContain('groups="[]"');
  });
});

describe('truncateLikeCloudWatch', () => {
  it('keeps short lines and cuts long ones to exactly maxBytes ending in the marker', () => {
    expect(truncateLikeCloudWatch('{"a":1}', 100)).toBe('{"a":1}');
    const cut = truncateLikeCloudWatch(`{"a":"${'x'.repeat(200)}"}`, 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith(TRUNCATED_MARKER)).toBe(true);
    expect(cut.startsWith('{"a":"xxx')).toBe(true);
    expect(() => JSON.parse(cut)).toThrow(SyntaxError);
  });
});

describe('insightsConsoleExport', () => {
  it('writes rows with @timestamp in the console style, four-space indented', () => {
    // Act
    const out = insightsConsoleExport([{ time: micros('2026-11-27T10:15:02.123456Z'), logStream: 'kube-apiserver-audit-ab', message: { kind: 'Event' } }]);

    // Assess
    expect(out).toBe(
      '[\n    {\n        "@timestamp": "2026-11-27 10:15:02.123",\n        "@logStream": "kube-apiserver-audit-ab",\n' +
        '        "@message": {\n            "kind": "Event"\n        }\n    }\n]\n',
    );
  });
});
