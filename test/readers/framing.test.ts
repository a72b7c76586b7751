import { describe, expect, it } from 'vitest';
import type { Origin } from '../../lambda/model/records';
import { programOf } from '../../lambda/model/program';
import { MAX_PREFIX } from '../../lambda/readers/framing';
import { readMessage } from '../../lambda/readers/message';
import { CollectingSink } from './collect';

/**
 * Line shapes people paste: journald in any locale, minikube's problem summary, multi-pod tailers, container
 * runtime files, and unknown prefixes in front of a klog or logrus header. Lines written for these tests from
 * the formats' descriptions.
 */
const origin: Origin = { file: 'pasted.log', line: 3 };
const KLOG_ERROR = 'E1212 11:44:22.123456    1234 controller.go:145] "Failed to ensure lease exists, will retry"';
const KLOG_FLAG = 'I1212 11:44:20.000100    1234 flags.go:64] FLAG: --authorization-mode="AlwaysAllow"';
const LOGRUS = 'time="2024-12-12T11:44:22Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/Node" username="system:node:n1"';

function one(line: string): { kind: string; origin: Origin } {
  const sink = new CollectingSink();
  readMessage(line, origin, sink);
  expect(sink.malformedLines).toEqual([]);
  expect(sink.records).toHaveLength(1);
  return sink.records[0]!;
}

describe('journald lines in any locale and format', () => {
  it.each([
    ['English', `Dec 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['English, space-padded day', `Dec  2 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['Chinese or Japanese month', `12月 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['Japanese month, one digit', ` 1月  2 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['Korean month', `12월 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['German month', `Dez 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['French month with a dot', `déc. 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['Russian month', `дек 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['short-precise', `Dec 12 11:44:22.123456 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['short-iso', `2024-12-12T11:44:22+0800 node-1 kubelet[1234]: ${KLOG_ERROR}`],
    ['minikube problem summary', `    - Dec 12 11:44:22 node-1 kubelet[1234]: ${KLOG_ERROR}`],
  ])('%s: the kubelet printed it, on node-1', (_name, line) => {
    // Act
    const record = one(line);

    // Assess
    expect(record.kind).toBe('apiserver-line');
    expect(record.origin).toEqual({ ...origin, program: 'kubelet', programFrom: 'journald', host: 'node-1' });
  });

  it('keeps an identifier it does not know as printed (hyperkube runs several components)', () => {
    // Act
    const record = one(`Sep 13 10:00:00 node-1 hyperkube[5492]: ${KLOG_FLAG}`);

    // Assess
    expect(record).toMatchObject({ kind: 'apiserver-flag', origin: { program: 'hyperkube', host: 'node-1' } });
  });

  it('reads a logrus line behind a localized journald prefix', () => {
    // Act
    const record = one(`12月 12 11:44:22 cp-1 aws-iam-authenticator[77]: ${LOGRUS}`);

    // Assess
    expect(record).toMatchObject({ kind: 'authenticator', origin: { program: 'aws-iam-authenticator', host: 'cp-1' } });
  });
});

describe('multi-pod tailers', () => {
  it.each([
    ['stern', `kube-apiserver-cp-1 kube-apiserver ${KLOG_FLAG}`, { pod: 'kube-apiserver-cp-1', container: 'kube-apiserver' }],
    ['kubetail, pod only', `[kube-apiserver-cp-1] ${KLOG_FLAG}`, { pod: 'kube-apiserver-cp-1' }],
    ['kubetail, pod and container', `[kube-apiserver-cp-1 kube-apiserver] ${KLOG_FLAG}`, { pod: 'kube-apiserver-cp-1', container: 'kube-apiserver' }],
    ['kubectl logs --prefix', `[pod/kube-apiserver-cp-1/kube-apiserver] ${KLOG_FLAG}`, { pod: 'kube-apiserver-cp-1', container: 'kube-apiserver' }],
  ])('%s: the API server printed the FLAG line', (_name, line, where) => {
    // Act
    const record = one(line);

    // Assess
    expect(record.kind).toBe('apiserver-flag');
    expect(record.origin).toEqual({ ...origin, ...where, program: 'kube-apiserver', programFrom: 'container' });
  });

  it('reads an authenticator line from stern, the container naming the program', () => {
    // Act
    const record = one(`aws-iam-authenticator-7xk2p aws-iam-authenticator ${LOGRUS}`);

    // Assess
    expect(record).toMatchObject({
      kind: 'authenticator',
      origin: { program: 'aws-iam-authenticator', programFrom: 'container', pod: 'aws-iam-authenticator-7xk2p' },
    });
  });

  it('keeps the pod and container when they name no program', () => {
    // Act
    const record = one(`web-5d8f9 app ${KLOG_FLAG}`);

    // Assess
    expect(record.origin).toEqual({ ...origin, pod: 'web-5d8f9', container: 'app' });
    expect(programOf(record.origin)).toBeUndefined();
  });

  it('reads an audit event behind a tailer prefix', () => {
    // Act
    const record = one(`[pod/audit-shipper-1/shipper] {"kind":"Event","auditID":"a1","verb":"get"}`);

    // Assess
    expect(record).toMatchObject({ kind: 'audit', origin: { pod: 'audit-shipper-1', container: 'shipper' } });
  });
});

describe('container runtime files and unknown prefixes', () => {
  it('reads a CRI log line', () => {
    // Act
    const record = one(`2024-12-12T11:44:22.123456789Z stderr F ${KLOG_FLAG}`);

    // Assess
    expect(record.kind).toBe('apiserver-flag');
  });

  it.each([
    ['RFC 5424 syslog', `<134>1 2024-12-12T11:44:22Z cp-1 kube-apiserver 2401 - - ${KLOG_FLAG}`, 'kube-apiserver'],
    ['a shipper tag', `cp-1 | kubelet: ${KLOG_ERROR}`, 'kubelet'],
    ['an identifier with its pid', `host=cp-1 kube-apiserver[2401]: ${KLOG_FLAG}`, 'kube-apiserver'],
  ])('finds the klog header behind %s, and the program in the prefix', (_name, line, program) => {
    // Act
    const record = one(line);

    // Assess
    expect(record.origin).toMatchObject({ program, programFrom: 'prefix' });
  });

  it('finds a logrus line behind an unknown prefix', () => {
    // Act
    const record = one(`[fluent] 2024/12/12 11:44:22 ${LOGRUS}`);

    // Assess
    expect(record.kind).toBe('authenticator');
    expect(programOf(record.origin)).toBeUndefined();
  });

  it.each([
    ['prose', 'Started Kubernetes Kubelet.'],
    ['a journald line without a message format', 'Dec 12 11:44:22 node-1 systemd[1]: Started kubelet.service.'],
    ['a header glued inside a word', `abcI1212 11:44:20.000100    1234 flags.go:64] FLAG: --x="y"`],
    ['a header too far into the line', `${'x'.repeat(MAX_PREFIX + 1)} ${KLOG_FLAG}`],
    ['stern-like words without a header', 'pod container some text'],
  ])('still reports %s as malformed', (_name, line) => {
    // Act
    const sink = new CollectingSink();
    readMessage(line, origin, sink);

    // Assess
    expect(sink.records).toEqual([]);
    expect(sink.malformedLines).toEqual([{ file: 'pasted.log', line: 3, reason: 'not JSON, klog or logrus' }]);
  });
});

describe('programOf', () => {
  it.each([
    ['kube-apiserver-0123abcd', 'kube-apiserver'],
    ['kube-apiserver-audit-0123abcd', 'kube-apiserver'],
    ['authenticator-0123abcd', 'aws-iam-authenticator'],
    ['kube-scheduler-0123abcd', 'kube-scheduler'],
  ])('tells the program of the EKS stream %s', (logStream, name) => {
    // Assess
    expect(programOf({ file: 'f', line: 1, logStream })).toEqual({ name, from: 'stream' });
  });

  it('prefers what the line itself says over its stream', () => {
    // Assess
    expect(programOf({ file: 'f', line: 1, logStream: 'kube-apiserver-1', program: 'kubelet', programFrom: 'journald' }))
      .toEqual({ name: 'kubelet', from: 'journald' });
    expect(programOf({ file: 'f', line: 1, logStream: 'my-stream' })).toBeUndefined();
  });
});
