import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditRecord } from '../../lambda/model/records';
import { readInputs } from '../../lambda/scan/index';
import { firstNonBlank, readMessage } from '../../lambda/readers/message';
import { wrapperOf } from '../../lambda/readers/wrappers';
import { CollectingSink } from './collect';

/** A real-looking RequestResponse event (synthetic values), to be cut anywhere. */
const event = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'RequestResponse',
  auditID: '5c1f0e4e-0000-4000-8000-0000000000aa',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/kube-system/configmaps/aws-auth',
  verb: 'update',
  user: {
    username: 'kubernetes-admin',
    uid: 'aws-iam-authenticator:000000000000:AIDAEXAMPLE',
    groups: ['system:masters', 'system:authenticated'],
    extra: { canonicalArn: ['arn:aws:iam::000000000000:user/admin'], 'sessionName': [''] },
  },
  sourceIPs: ['192.0.2.10', '2001:db8::1'],
  userAgent: 'kubectl/v1.29.0 (linux/amd64) kubernetes/0000000',
  objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 200 },
  requestObject: {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'aws-auth', namespace: 'kube-system', annotations: { note: 'quote " and \\ and é' } },
    data: { mapRoles: '- rolearn: arn:aws:iam::000000000000:role/Node\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:nodes]\n' },
  },
  requestReceivedTimestamp: '2024-03-01T10:05:00.000000Z',
  stageTimestamp: '2024-03-01T10:05:00.010000Z',
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
};
const full = JSON.stringify(event);

/** Anything a log line might be: random text, JSON, and things that start like each known format. */
const message = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.tuple(
    fc.constantFrom(
      '{"kind":"Event",', '{"auditID":"', 'I0101 00:00:00.000000 1 flags.go:64] FLAG: --', 'E1231 23:59:59.9 7 x.go:1] ',
      'time="', 'level=', 'Apr  1 00:00:00 h kube-apiserver[1]: ', '2024-03-01T10:00:00.000Z ', '[', '{', '"',
    ),
    fc.string(),
  ).map(([a, b]) => a + b),
);

const oneLine = message.map((s) => s.replace(/\n/g, ' '));

function notWrapper(line: string): boolean {
  try {
    return wrapperOf(JSON.parse(line)) === undefined;
  } catch {
    return true;
  }
}

/** Bytes in random chunks, as a stream (so chunk boundaries fall anywhere). */
function chunked(bytes: Buffer, cuts: readonly number[]): Readable {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  chunks.push(bytes.subarray(last));
  return Readable.from(chunks.filter((c) => c.length > 0));
}

describe('readMessage (property)', () => {
  it('never throws and pushes exactly one thing for any message', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (text, withAggregate) => {
        // Prepare
        const sink = new CollectingSink();
        const aggregate = withAggregate ? { count: 3, firstSeen: 'a', lastSeen: 'b' } : undefined;

        // Act
        readMessage(text, { file: 'f', line: 9 }, sink, aggregate);

        // Assess
        expect(sink.pushed).toHaveLength(1);
        const [pushed] = sink.pushed;
        if (pushed?.type === 'malformed') expect(pushed.line).toMatchObject({ file: 'f', line: 9 });
        else expect(pushed?.type === 'record' && pushed.record.origin).toEqual({ file: 'f', line: 9 });
      }),
      { numRuns: 500 },
    );
  });

  it('salvages any cut of a real-looking event into fields that match the original', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length }), fc.boolean(), (cut, marker) => {
        // Prepare
        const text = cut < full.length && marker ? `${full.slice(0, cut)}[Truncated...]` : full.slice(0, cut);
        const sink = new CollectingSink();

        // Act
        readMessage(text, { file: 'f', line: 1 }, sink);

        // Assess
        expect(sink.pushed).toHaveLength(1);
        const [pushed] = sink.pushed;
        if (pushed?.type !== 'record') {
          // Only a cut before the verb and the username is allowed to give nothing.
          expect(cut).toBeLessThan(full.indexOf('"username":"kubernetes-admin"') + 30);
          return;
        }
        const record = pushed.record as AuditRecord;
        expect(record.truncated).toBe(cut < full.length);
        const got = record.event as Record<string, unknown>;
        const original = event as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(got)) {
          if (typeof value === 'string' || key === 'requestObject' || key === 'responseObject') expect(value).toEqual(original[key]);
        }
        const e = record.event as AuditEvent;
        const groups = e.user?.groups ?? [];
        expect(event.user.groups.slice(0, groups.length)).toEqual(groups);
        for (const [k, v] of Object.entries(e.objectRef ?? {})) expect(v).toBe((event.objectRef as Record<string, unknown>)[k]);
        if (e.responseStatus?.code !== undefined) expect(e.responseStatus.code).toBe(200);
        for (const [k, v] of Object.entries(e.annotations ?? {})) expect(v).toBe((event.annotations as Record<string, string>)[k]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('readInputs (property)', () => {
  it('never throws on arbitrary bytes, gzipped or not, however they are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 5 }), async (bytes, gz, cuts) => {
        // Prepare
        const data = gz ? gzipSync(bytes).subarray(0, Math.max(2, (cuts[0] ?? 1_000_000) % 3000)) : Buffer.from(bytes);
        const sink = new CollectingSink();

        // Act
        await readInputs(['-'], sink, { stdin: chunked(data, cuts), maxLineBytes: 256 });

        // Assess
        expect(sink.files).toEqual(['-']);
      }),
      { numRuns: 300 },
    );
  });

  it('turns every non-blank line into exactly one record or one malformed line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(oneLine.filter(notWrapper), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (lines, eol, cuts) => {
          // Prepare: a klog first line keeps the file in line mode (a `[` first line would make it a document).
          const all = ['I0101 00:00:00.000000 1 a.go:1] start', ...lines];
          const bytes = Buffer.from(all.join(eol));
          const sink = new CollectingSink();

          // Act
          await readInputs(['-'], sink, { stdin: chunked(bytes, cuts) });

          // Assess
          const expected = all.flatMap((l, i) => (firstNonBlank(l.replace(/\r$/, '')) < 0 ? [] : [i + 1]));
          const seen = sink.pushed.flatMap((p) => (p.type === 'record' ? [p.record.origin.line] : p.type === 'malformed' ? [p.line.line] : []));
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('turns every element of an Insights export into exactly one record or one malformed line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.jsonValue(), message.map((m) => ({ '@message': m })), fc.jsonValue().map((v) => ({ '@message': v }))), { maxLength: 20 }),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (elements, indent, cuts) => {
          // Prepare
          const bytes = Buffer.from(JSON.stringify(elements, null, indent));
          const sink = new CollectingSink();

          // Act
          await readInputs(['-'], sink, { stdin: chunked(bytes, cuts) });

          // Assess
          expect(sink.records.length + sink.malformedLines.length).toBe(elements.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
