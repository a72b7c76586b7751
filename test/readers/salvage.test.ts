import { describe, expect, it } from 'vitest';
import { parsePartialJson, salvageAuditEvent } from '../../lambda/readers/salvage';

/** A kubelet creating its serving CSR: objectRef has no name, but requestObject.metadata does. */
const csrCreate = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: '7d0c1a52-0000-4000-8000-00000000c5r1',
  stage: 'ResponseComplete',
  requestURI: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
  verb: 'create',
  user: {
    username: 'WorkerNodeRole',
    uid: 'aws-iam-authenticator:000000000000:AROAEXAMPLEEXAMPLE01',
    groups: ['system:masters', 'system:authenticated'],
    extra: { canonicalArn: ['arn:aws:iam::000000000000:role/WorkerNodeRole'], sessionName: ['i-0abc'] },
  },
  sourceIPs: ['10.1.2.3'],
  userAgent: 'kubelet/v1.29.0 (linux/amd64) kubernetes/0000000',
  objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestObject: {
    kind: 'CertificateSigningRequest',
    apiVersion: 'certificates.k8s.io/v1',
    metadata: { name: 'csr-abc123', generateName: 'csr-' },
    spec: { request: 'LS0tLS1CRUdJTi'.repeat(40), signerName: 'kubernetes.io/kubelet-serving', usages: ['digital signature', 'server auth'] },
  },
  responseObject: { kind: 'CertificateSigningRequest', metadata: { name: 'csr-abc123', uid: 'u-1' } },
  requestReceivedTimestamp: '2024-03-01T10:00:00.000000Z',
  stageTimestamp: '2024-03-01T10:00:00.020000Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};
const full = JSON.stringify(csrCreate);

/** The event cut right after `marker` (CloudWatch appends `[Truncated...]`). */
function cutAfter(marker: string, extra = 0): string {
  const at = full.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not in the event`);
  return `${full.slice(0, at + marker.length + extra)}[Truncated...]`;
}

describe('salvageAuditEvent', () => {
  it('does not take requestObject.metadata.name for objectRef.name (the nested-name trap)', () => {
    // Prepare
    const text = cutAfter('"name":"csr-abc123"', 5);

    // Act
    const event = salvageAuditEvent(text);

    // Assess
    expect(event).toEqual({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: csrCreate.auditID,
      stage: 'ResponseComplete', requestURI: csrCreate.requestURI, verb: 'create', userAgent: csrCreate.userAgent,
      user: {
        username: 'WorkerNodeRole', uid: csrCreate.user.uid, groups: ['system:masters', 'system:authenticated'],
        extra: { canonicalArn: ['arn:aws:iam::000000000000:role/WorkerNodeRole'] },
      },
      sourceIPs: ['10.1.2.3'],
      objectRef: { resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
      responseStatus: { code: 201 },
    });
    expect(event?.objectRef?.name).toBeUndefined();
    expect(event?.requestObject).toBeUndefined();
  });

  it('keeps the groups read before a cut inside user.groups', () => {
    // Prepare
    const text = cutAfter('"groups":["system:masters","system:auth');

    // Act
    const event = salvageAuditEvent(text);

    // Assess
    expect(event).toEqual({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', auditID: csrCreate.auditID,
      stage: 'ResponseComplete', requestURI: csrCreate.requestURI, verb: 'create',
      user: { username: 'WorkerNodeRole', uid: csrCreate.user.uid, groups: ['system:masters'] },
    });
  });

  it('keeps a requestObject that was complete before the cut', () => {
    // Prepare
    const text = cutAfter('"stageTimestamp":"2024-03-01T10:00');

    // Act
    const event = salvageAuditEvent(text);

    // Assess
    expect(event?.requestObject).toEqual(csrCreate.requestObject);
    expect(event?.responseObject).toEqual(csrCreate.responseObject);
    expect(event?.requestReceivedTimestamp).toBe('2024-03-01T10:00:00.000000Z');
    expect(event?.stageTimestamp).toBeUndefined();
    expect(event?.annotations).toBeUndefined();
  });

  it('keeps the decision when the cut falls in the reason annotation', () => {
    // Prepare
    const text = cutAfter('"authorization.k8s.io/reason":"');

    // Act
    const event = salvageAuditEvent(text);

    // Assess
    expect(event?.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow' });
    expect(event?.stageTimestamp).toBe('2024-03-01T10:00:00.020000Z');
  });

  it('drops a number that runs into the cut, keeps one that ended', () => {
    // Prepare
    const cutInCode = '{"kind":"Event","verb":"get","responseStatus":{"code":40';
    const codeEnded = '{"kind":"Event","verb":"get","responseStatus":{"code":403,"mess';

    // Act
    const a = salvageAuditEvent(cutInCode);
    const b = salvageAuditEvent(codeEnded);

    // Assess
    expect(a).toEqual({ kind: 'Event', verb: 'get', responseStatus: {} });
    expect(b).toEqual({ kind: 'Event', verb: 'get', responseStatus: { code: 403 } });
  });

  it('does not read a number cut short and followed by the truncation marker', () => {
    // Act
    const event = salvageAuditEvent('{"kind":"Event","verb":"get","responseStatus":{"code":2[Truncated...]');
    const literal = salvageAuditEvent('{"kind":"Event","verb":"get","requestObject":{"a":nul[Truncated...]');

    // Assess
    expect(event).toEqual({ kind: 'Event', verb: 'get', responseStatus: {} });
    expect(literal).toEqual({ kind: 'Event', verb: 'get' });
  });

  it('keeps the fields before an invalid byte in the middle', () => {
    // Act
    const event = salvageAuditEvent('{"kind":"Event","verb":"delete","objectRef":{"resource":"leases","name":NaN,"namespace":"kube-node-lease"}}');

    // Assess
    expect(event).toEqual({ kind: 'Event', verb: 'delete', objectRef: { resource: 'leases' } });
  });

  it('reads escaped strings, and ignores fields of the wrong type', () => {
    // Act
    const event = salvageAuditEvent('{"kind":"Event","verb":"get","user":{"username":"a\\"b\\u00e9","groups":["g",7,null]},"sourceIPs":"10.0.0.1","responseStatus":{"code":"403"},"x');

    // Assess
    expect(event).toEqual({ kind: 'Event', verb: 'get', user: { username: 'a"bé', groups: ['g'] }, responseStatus: {} });
  });

  it.each([
    ['no user and no verb', '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Req'],
    ['a cut verb', '{"kind":"Event","verb":"upd'],
    ['not an object', '["kind","Event"'],
    ['empty', ''],
    ['plain text', 'Event verb get'],
  ])('gives up on %s', (_name, text) => {
    // Act
    const event = salvageAuditEvent(text);

    // Assess
    expect(event).toBeUndefined();
  });
});

describe('parsePartialJson', () => {
  it('returns what was complete and which containers closed', () => {
    // Act
    const { value, complete } = parsePartialJson('{"a":[1,2,{"b":"c"}],"d":{"e":tr');

    // Assess
    expect(value).toEqual({ a: [1, 2, { b: 'c' }], d: {} });
    const root = value as { a: unknown[]; d: object };
    expect(complete.has(root.a)).toBe(true);
    expect(complete.has(root.a[2] as object)).toBe(true);
    expect(complete.has(root.d)).toBe(false);
    expect(complete.has(root)).toBe(false);
  });

  it('parses complete JSON like JSON.parse', () => {
    // Prepare
    const text = ' {"a":{},"b":[],"c":[true,false,null,-1.5e3,"x"]} ';

    // Act
    const { value, complete } = parsePartialJson(text);

    // Assess
    expect(value).toEqual(JSON.parse(text));
    expect(complete.has(value as object)).toBe(true);
  });

  it('keeps a __proto__ key as data', () => {
    // Act
    const { value } = parsePartialJson('{"__proto__":{"polluted":1},"k":"v"');

    // Assess
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['__proto__', 'k']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('stops at a nesting depth limit instead of overflowing the stack', () => {
    // Act
    const { value } = parsePartialJson('['.repeat(100_000));

    // Assess
    let depth = 0;
    for (let v: unknown = value; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(512);
  });

  it.each([['{"a":1,}'], ['[1,]'], ['{"a" 1}'], ['{"a":}'], ['{1:2}']])('stops at invalid JSON %s', (text) => {
    // Act
    const { value, complete } = parsePartialJson(text);

    // Assess
    expect(complete.has(value as object)).toBe(false);
  });
});
