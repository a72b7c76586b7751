/**
 * The glance reads what JSON.parse reads, or gives up: for any event printed in Go's field order, every
 * head field the glance returns equals the parsed one unless it bailed (and the line then takes the full
 * parse). Strings hold the characters that could fool a byte-level reader: quotes, backslashes, braces,
 * key-like text, non-ASCII.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditIdentity } from '../../lambda/model/audit-identity';
import type { AuditEvent, AuditHead } from '../../lambda/model/records';
import { GO_EVENT_PREFIX, HeadGlance } from '../../lambda/readers/audit-head';
import { UserSegments } from '../../lambda/readers/user-segments';
import { Rng, allow, forbid, kubeletLease, leaderElectionRenew, iamRoleUser } from '../../tools/eks-events';

const tricky = fc.oneof(
  fc.string(),
  fc.constantFrom('', '"', '\\', '}', '{', ']{', '}{', ',"user":{', '","objectRef":{"resource":"x"}', 'é', '\u2028', 'system:node:x'),
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', ',', ':', 'é', '\u0001', '[', ']') }),
);

const user = fc.record(
  { username: tricky, uid: tricky, groups: fc.array(tricky, { maxLength: 3 }), extra: fc.dictionary(tricky, fc.array(tricky, { maxLength: 2 }), { maxKeys: 2 }) },
  { requiredKeys: [] },
);
const objectRef = fc.record(
  {
    resource: tricky, namespace: tricky, name: tricky, uid: tricky, apiGroup: tricky, apiVersion: tricky, resourceVersion: tricky,
    subresource: tricky,
  },
  { requiredKeys: [] },
);
const status = fc.oneof(
  fc.integer({ min: 100, max: 599 }).map((code) => ({ metadata: {}, code })),
  fc.integer({ min: 200, max: 299 }).map((code) => ({ metadata: {}, status: 'Success', code })),
  fc.record({ metadata: fc.constant({}), status: fc.constant('Failure'), message: tricky, reason: tricky, code: fc.integer({ min: 400, max: 599 }) }),
);

/** An event with Go's keys in Go's order; optional fields left out at random. */
const event = fc
  .record(
    {
      level: tricky, auditID: tricky, stage: tricky, requestURI: tricky, verb: tricky, user, impersonatedUser: user,
      sourceIPs: fc.array(tricky, { maxLength: 2 }), userAgent: tricky, objectRef, responseStatus: status,
      requestObject: fc.jsonValue(), requestReceivedTimestamp: tricky, annotations: fc.dictionary(tricky, tricky, { maxKeys: 2 }),
    },
    { requiredKeys: ['level', 'user'] },
  )
  .map((fields) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', ...fields }));

/** Every head field the glance gives, or 'bailed'. The objectRef glance is read field by field. */
function glance(line: string, segments = new UserSegments()): Record<string, unknown> | 'bailed' {
  const head = new HeadGlance(segments);
  head.reset(Buffer.from(line).toString('latin1'), 0, Buffer.byteLength(line), Buffer.from(line));
  const out: Record<string, unknown> = {};
  for (const key of ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent'] as const) {
    const value = head[key];
    if (value !== undefined) out[key] = value;
  }
  const ref = head.objectRef;
  if (ref) {
    const plain: Record<string, string> = {};
    for (const k of ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const) {
      const v = ref[k];
      if (v !== undefined) plain[k] = v;
    }
    out['objectRef'] = plain;
  }
  const status = head.responseStatus;
  if (status) out['responseStatus'] = { metadata: {}, ...status };
  return head.bailed ? 'bailed' : out;
}

/** The head fields of the parsed event. */
function parsedHead(line: string): Record<string, unknown> {
  const e = JSON.parse(line) as AuditEvent;
  const out: Record<string, unknown> = {};
  for (const key of ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent', 'objectRef', 'responseStatus'] as const) {
    if (e[key] !== undefined) out[key] = e[key];
  }
  return out;
}

describe('HeadGlance', () => {
  it('reads every head field as JSON.parse does, or bails, for any event in Go field order', () => {
    let read = 0;
    fc.assert(
      fc.property(event, (e) => {
        // Prepare
        const line = JSON.stringify(e);
        expect(line.startsWith(GO_EVENT_PREFIX)).toBe(true);

        // Act
        const first = glance(line);

        // Assess
        if (first !== 'bailed') {
          read++;
          expect(first).toEqual(parsedHead(line));
        }
      }),
      { numRuns: 600 },
    );
    // Not a vacuous pass: most events (those with a plain status or none) are read, not given up on.
    expect(read).toBeGreaterThan(150);
  });

  it('gives the same answers from a remembered caller segment as from a fresh parse', () => {
    fc.assert(
      fc.property(event, event, (a, b) => {
        // Prepare: the second event reuses the first one's caller with its own request.
        const segments = new UserSegments();
        const lineA = JSON.stringify(a);
        const { level, auditID, stage, requestURI, verb, objectRef: ref, responseStatus, requestObject, requestReceivedTimestamp, annotations } = b;
        const lineB = JSON.stringify({
          kind: 'Event', apiVersion: 'audit.k8s.io/v1', level, auditID, stage, requestURI, verb,
          user: a.user, impersonatedUser: a.impersonatedUser, sourceIPs: a.sourceIPs, userAgent: a.userAgent,
          objectRef: ref, responseStatus, requestObject, requestReceivedTimestamp, annotations,
        });
        glance(lineA, segments);

        // Act
        const remembered = glance(lineB, segments);

        // Assess
        if (remembered !== 'bailed') expect(remembered).toEqual(parsedHead(lineB));
      }),
      { numRuns: 300 },
    );
  });

  it('reads the events the API server writes without bailing', () => {
    // Prepare
    const rng = new Rng('audit-head');
    const kubelet = {
      nodeName: 'ip-10-0-1-10.us-west-2.compute.internal', sourceIP: '10.0.1.10', userAgent: 'kubelet/v1.31.4 (linux/amd64) kubernetes/5d3e1f0',
      user: iamRoleUser('system:node:ip-10-0-1-10.us-west-2.compute.internal', ['system:bootstrappers', 'system:nodes'], {
        account: '111122223333', roleName: 'NodeRole', roleId: 'AROAEXAMPLE', sessionName: 'i-0abc', accessKeyId: 'ASIAEXAMPLE',
      }),
    };
    const lines = [
      kubeletLease({ rng, time: 0, kubelet, verb: 'update', leaseUid: 'u', resourceVersion: '1', outcome: allow(200) }),
      kubeletLease({ rng, time: 0, kubelet, verb: 'get', outcome: forbid('') }),
      leaderElectionRenew({ rng, time: 0, component: 'kube-scheduler', version: 'v1', build: 'b', sourceIP: '172.16.0.1', leaseUid: 'l', resourceVersion: '2' }),
    ].map((e) => JSON.stringify(e));

    // Act
    const read = lines.map((line) => glance(line));

    // Assess
    expect(read[0]).toEqual(parsedHead(lines[0]!));
    // A failure's status (message, details) is left to the full parse: the glance bails rather than guess.
    expect(read[1]).toBe('bailed');
    expect(read[2]).toEqual(parsedHead(lines[2]!));
  });

  it('gives an event the identity the full parse gives it, or bails, whatever its bodies and annotations hold', () => {
    // Key-like text where the timestamps are looked for: in the bodies (before them) and the annotations (after).
    const keyLike = fc.constantFrom(',"requestReceivedTimestamp":"', '","stageTimestamp":"x"}', 'stageTimestamp', ',"annotations":{', '"}');
    const text = fc.oneof(tricky, keyLike, fc.constant('2026-12-07T10:00:00.000001Z'));
    const full = fc.record(
      {
        base: event, auditID: fc.oneof(fc.uuid(), tricky), stage: fc.oneof(fc.constantFrom('ResponseComplete', 'ResponseStarted'), tricky),
        responseObject: fc.oneof(fc.jsonValue(), fc.dictionary(text, text, { maxKeys: 2 })),
        requestReceivedTimestamp: text, stageTimestamp: text, annotations: fc.dictionary(text, text, { maxKeys: 3 }),
      },
      { requiredKeys: ['base'] },
    );
    let identified = 0;
    fc.assert(
      fc.property(full, ({ base, auditID, stage, responseObject, requestReceivedTimestamp, stageTimestamp, annotations }) => {
        // Prepare: Go's order (level, auditID, stage, ..., bodies, the two timestamps, annotations), optional fields
        // left out at random.
        const { kind, apiVersion, level, auditID: _i, stage: _s, annotations: _a, requestReceivedTimestamp: _r, ...head } = base;
        const line = JSON.stringify({ kind, apiVersion, level, auditID, stage, ...head, responseObject, requestReceivedTimestamp, stageTimestamp, annotations });
        const glance = new HeadGlance(new UserSegments());
        glance.reset(Buffer.from(line).toString('latin1'), 0, Buffer.byteLength(line), Buffer.from(line));

        // Act
        const identity = glance.identity();

        // Assess
        if (!glance.bailed) {
          expect(identity).toBe(auditIdentity(JSON.parse(line) as AuditEvent));
          if (identity !== undefined) identified++;
        }
      }),
      { numRuns: 800 },
    );
    // Not a vacuous pass: events with an auditID and both timestamps are identified, not given up on.
    expect(identified).toBeGreaterThan(50);
  });

  it('is not fooled by annotations named like the timestamps: it bails, and the full parse decides', () => {
    // Prepare: an admission webhook may add audit annotations; these two would otherwise pass for the real ones.
    const real = { requestReceivedTimestamp: '2026-12-07T10:00:00.000001Z', stageTimestamp: '2026-12-07T10:00:00.000901Z' };
    const forged = { a: 'b', requestReceivedTimestamp: '2020-01-01T00:00:00.000000Z', stageTimestamp: '2020-01-01T00:00:00.000000Z' };
    const line = JSON.stringify({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'a', stage: 'ResponseComplete', requestURI: '/x', verb: 'get',
      user: { username: 'u' }, ...real, annotations: forged,
    });
    const plain = JSON.stringify({ ...JSON.parse(line), annotations: { a: 'b' } });
    const glance = (text: string): HeadGlance => {
      const head = new HeadGlance(new UserSegments());
      head.reset(text, 0, text.length, Buffer.from(text, 'latin1'));
      return head;
    };

    // Act
    const fooled = glance(line);
    const identity = fooled.identity();
    const clean = glance(plain);

    // Assess
    expect(fooled.bailed).toBe(true);
    expect(identity).toBeUndefined();
    expect(clean.identity()).toBe(auditIdentity(JSON.parse(plain) as AuditEvent));
    expect(clean.bailed).toBe(false);
  });

  it('reads only as far as asked: a line broken after the user segment still answers about the user', () => {
    // Prepare
    const line = `${GO_EVENT_PREFIX}Metadata","auditID":"a","stage":"ResponseComplete","requestURI":"/x","verb":"get","user":{"username":"u","groups":["g"]},"userAgent":"ua",BROKEN}`;
    const head: AuditHead & { bailed: boolean } = new HeadGlance(new UserSegments());
    (head as HeadGlance).reset(line, 0, line.length, Buffer.from(line, 'latin1'));

    // Act
    const username = head.user?.username;
    const bailedAfterUser = head.bailed;
    const ref = head.objectRef;

    // Assess
    expect(username).toBe('u');
    expect(bailedAfterUser).toBe(false);
    expect(ref).toBeUndefined();
    expect(head.bailed).toBe(true);
  });
});
