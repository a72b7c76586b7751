/**
 * The glance reads what JSON.parse reads, or gives up: for any event printed in Go's field order, every
 * head field the glance returns equals the parsed one unless it bailed (and the line then takes the full
 * parse). Strings hold the characters that could fool a byte-level reader: quotes, backslashes, braces,
 * key-like text, non-ASCII.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
