import { describe, expect, it } from 'vitest';
import type { Aggregate, Origin } from '../../lambda/model/records';
import { readMessage, isAuditEvent, looksLikeAuditEvent } from '../../lambda/readers/message';
import { CollectingSink } from './collect';

const origin: Origin = { file: 'cloudwatch:/aws/eks/demo/cluster', line: 7, logStream: 'kube-apiserver-abc' };
const aggregate: Aggregate = { count: 12, firstSeen: '2024-03-01T10:00:00.000Z', lastSeen: '2024-03-01T10:05:00.000Z' };

function read(message: string, o: Origin = origin, agg?: Aggregate): CollectingSink {
  const sink = new CollectingSink();
  readMessage(message, o, sink, agg);
  return sink;
}

describe('readMessage: audit events', () => {
  it('pushes a JSON audit event as it is, with its origin and aggregate', () => {
    // Prepare
    const event = { kind: 'Event', auditID: 'a-1', verb: 'get', user: { username: 'system:node:n1', groups: ['system:nodes'] } };

    // Act
    const sink = read(JSON.stringify(event), origin, aggregate);

    // Assess
    expect(sink.pushed).toEqual([{ type: 'record', record: { kind: 'audit', event, truncated: false, origin, aggregate } }]);
  });

  it('leaves aggregate out when none is given', () => {
    // Act
    const [record] = read('{"kind":"Event","verb":"get"}').records;

    // Assess
    expect(record).toBeDefined();
    expect(Object.keys(record!)).toEqual(['kind', 'event', 'truncated', 'origin']);
  });

  it.each([
    ['kind Event', { kind: 'Event' }, true],
    ['auditID with verb', { auditID: 'x', verb: 'list' }, true],
    ['auditID with requestURI', { auditID: 'x', requestURI: '/api' }, true],
    ['auditID alone', { auditID: 'x' }, false],
    ['another kind', { kind: 'EventList', verb: 'get' }, false],
    ['an array', [{ kind: 'Event' }], false],
    ['a string', 'Event', false],
  ])('recognizes an audit event: %s', (_name, value, expected) => {
    // Act
    const result = isAuditEvent(value);

    // Assess
    expect(result).toBe(expected);
  });

  it('reports JSON that is not an audit event as malformed, with file and line', () => {
    // Act
    const sink = read('{"eventVersion":"1.08","userIdentity":{"type":"Root"}}');

    // Assess
    expect(sink.pushed).toEqual([
      { type: 'malformed', line: { file: origin.file, line: 7, reason: 'JSON is not a Kubernetes audit event' } },
    ]);
  });

  it('reports broken JSON that does not look like an audit event as invalid JSON', () => {
    // Act
    const sink = read('{"eventVersion":"1.08","userIdentity":{"type":"Ro');

    // Assess
    expect(sink.malformedLines).toEqual([{ file: origin.file, line: 7, reason: 'invalid JSON' }]);
  });

  it('salvages a cut audit event and marks it truncated', () => {
    // Act
    const sink = read('{"kind":"Event","auditID":"a-2","verb":"update","user":{"username":"WorkerNodeRole","gro[Truncated...]', origin, aggregate);

    // Assess
    expect(sink.records).toEqual([
      {
        kind: 'audit',
        event: { kind: 'Event', auditID: 'a-2', verb: 'update', user: { username: 'WorkerNodeRole' } },
        truncated: true,
        origin,
        aggregate,
      },
    ]);
  });

  it('reports a cut audit event with neither user nor verb as malformed', () => {
    // Act
    const sink = read('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metad');

    // Assess
    expect(sink.malformedLines).toEqual([
      { file: origin.file, line: 7, reason: 'truncated audit event: neither user nor verb readable' },
    ]);
  });

  it('reads JSON after a BOM and leading blanks', () => {
    // Act
    const sink = read('\ufeff  {"kind":"Event","verb":"get"}\r\n');

    // Assess
    expect(sink.records).toEqual([{ kind: 'audit', event: { kind: 'Event', verb: 'get' }, truncated: false, origin }]);
  });

  it('tells where a cut event starts', () => {
    // Assess
    expect(looksLikeAuditEvent('{"kind": "Event", "x')).toBe(true);
    expect(looksLikeAuditEvent('  {"auditID":"1"')).toBe(true);
    expect(looksLikeAuditEvent('{"kind":"Pod"')).toBe(false);
    expect(looksLikeAuditEvent('x {"auditID":"1"')).toBe(false);
  });
});

describe('readMessage: kube-apiserver klog lines', () => {
  it('reads a FLAG line into flag and unquoted value', () => {
    // Act
    const sink = read('I1001 04:09:41.141998      10 flags.go:64] FLAG: --authorization-mode="[Node,RBAC,Webhook]"');

    // Assess
    expect(sink.records).toEqual([{ kind: 'apiserver-flag', flag: 'authorization-mode', value: '[Node,RBAC,Webhook]', origin }]);
  });

  it('places the klog time in the wrapper timestamp year, and passes the aggregate', () => {
    // Prepare
    const wrapped: Origin = { file: 'x', line: 1, timestamp: '2023-10-01T04:09:42.000Z' };

    // Act
    const sink = read('I1001 04:09:41.141998 10 flags.go:59] FLAG: --enable-admission-plugins="[NodeRestriction]"', wrapped, aggregate);

    // Assess
    expect(sink.records).toEqual([
      {
        kind: 'apiserver-flag', flag: 'enable-admission-plugins', value: '[NodeRestriction]',
        time: '2023-10-01T04:09:41.141Z', origin: wrapped, aggregate,
      },
    ]);
  });

  it('puts a 31 December klog line seen on 1 January in the previous year', () => {
    // Act
    const [record] = read('I1231 23:59:59.900000 10 flags.go:64] FLAG: --v="2"', { file: 'x', line: 1, timestamp: '2024-01-01T00:00:01.000Z' }).records;

    // Assess
    expect(record).toMatchObject({ kind: 'apiserver-flag', time: '2023-12-31T23:59:59.900Z' });
  });

  it('reads a FLAG line behind a journald prefix', () => {
    // Act
    const sink = read('Apr 12 02:23:51 server kube-apiserver[2401]: I0412 02:23:51.506839    2401 flags.go:64] FLAG: --anonymous-auth="true"');

    // Assess
    expect(sink.records).toEqual([{
      kind: 'apiserver-flag', flag: 'anonymous-auth', value: 'true',
      origin: { ...origin, host: 'server', program: 'kube-apiserver', programFrom: 'journald' },
    }]);
  });

  it('undoes Go quoting in FLAG values', () => {
    // Act
    const [record] = read('I0101 00:00:00.000000 1 flags.go:64] FLAG: --x="a \\"b\\"\\tc\\u00e9\\x41\\101"').records;

    // Assess
    expect(record).toMatchObject({ flag: 'x', value: 'a "b"\tcéAA' });
  });

  it('keeps an unquoted or badly quoted FLAG value as printed', () => {
    // Act
    const sink = read('I0101 00:00:00.000000 1 flags.go:64] FLAG: --y=plain');
    const bad = read('I0101 00:00:00.000000 1 flags.go:64] FLAG: --z="bad \\q"');

    // Assess
    expect(sink.records[0]).toMatchObject({ flag: 'y', value: 'plain' });
    expect(bad.records[0]).toMatchObject({ flag: 'z', value: '"bad \\q"' });
  });

  it('keeps any other klog line as an apiserver line with its text', () => {
    // Prepare
    const line = 'I0619 08:07:21.501207      10 reconciler.go:273] "attacherDetacher.DetachVolume started" volume={AttachedVolume:{NodeName:n1}}';

    // Act
    const sink = read(`${line}  \r\n`, origin, aggregate);

    // Assess
    expect(sink.records).toEqual([{ kind: 'apiserver-line', text: line, origin }]);
  });

  it('reads a kubelet journal line (journald prefix, klog error) as a klog line, saying the kubelet printed it', () => {
    // Prepare
    const line = 'Sep  7 08:07:07 ip-10-0-0-1.ec2.internal kubelet[2950]: E0907 08:07:07.672774    2950 webhook.go:154] Failed to make webhook authenticator request';

    // Act
    const sink = read(line);

    // Assess
    const framed = { ...origin, host: 'ip-10-0-0-1.ec2.internal', program: 'kubelet', programFrom: 'journald' };
    expect(sink.records).toEqual([{ kind: 'apiserver-line', text: line, origin: framed }]);
  });
});

describe('readMessage: aws-iam-authenticator logrus lines', () => {
  it('parses every key=value pair, unescaping quoted values, with the time as ISO 8601', () => {
    // Prepare
    const line =
      'time="2022-12-26T20:46:48Z" level=warning msg="access denied" client="127.0.0.1:43440" error="sts failed. Body: {\\"Error\\":{\\"Code\\":\\"InvalidClientTokenId\\"}}" method=POST path=/authenticate';

    // Act
    const sink = read(line, origin, aggregate);

    // Assess
    expect(sink.records).toEqual([
      {
        kind: 'authenticator',
        fields: {
          time: '2022-12-26T20:46:48Z', level: 'warning', msg: 'access denied', client: '127.0.0.1:43440',
          error: 'sts failed. Body: {"Error":{"Code":"InvalidClientTokenId"}}', method: 'POST', path: '/authenticate',
        },
        time: '2022-12-26T20:46:48.000Z',
        origin,
        aggregate,
      },
    ]);
  });

  it('reads a logrus line without a time, and behind a journald prefix', () => {
    // Act
    const plain = read('level=info msg="mapper started" mode=EKSConfigMap');
    const journald = read('Mar  1 09:59:58 cp-1 aws-iam-authenticator[77]: level=info msg="x" groups="[]"');

    // Assess
    expect(plain.records).toEqual([{ kind: 'authenticator', fields: { level: 'info', msg: 'mapper started', mode: 'EKSConfigMap' }, origin }]);
    const framed = { ...origin, host: 'cp-1', program: 'aws-iam-authenticator', programFrom: 'journald' };
    expect(journald.records).toEqual([{ kind: 'authenticator', fields: { level: 'info', msg: 'x', groups: '[]' }, origin: framed }]);
  });
});

describe('readMessage: everything else is one malformed line', () => {
  it.each([
    ['Test BENCHMARK 3', 'not JSON, klog or logrus'],
    ['@logStream,@timestamp,@message', 'not JSON, klog or logrus'],
    ['| 2023-06-19 08:07:14.934 | /api/v1/persistentvolumes/pvc-1 |', 'not JSON, klog or logrus'],
    ['time="2024-01-01T00:00:00Z" level=info msg="unterminated', 'not JSON, klog or logrus'],
    ['Mar  1 09:59:58 cp-1 systemd[1]: Started kube-apiserver.service', 'not JSON, klog or logrus'],
    ['', 'empty message'],
    [' \t\r\n', 'empty message'],
    ['[1,2', 'invalid JSON'],
    ['[{"kind":"Event"}]', 'JSON is not a Kubernetes audit event'],
  ])('%j -> %s', (message, reason) => {
    // Act
    const sink = read(message);

    // Assess
    expect(sink.pushed).toEqual([{ type: 'malformed', line: { file: origin.file, line: origin.line, reason } }]);
  });
});
