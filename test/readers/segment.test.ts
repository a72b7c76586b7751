/**
 * A file read in segments (SegmentScanner, one per worker) and put back together in order (applySegment) gives
 * the sink exactly what one sequential read gives it, wherever the segment boundaries fall: inside a line, on
 * a newline, inside a CRLF, a byte order mark or a line longer than a segment or than the cap. Run in this
 * thread: the boundaries are the hard part, not the messages (parallel.test.ts covers the threads).
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import type { AuditFilter } from '../../lambda/model/records';
import { FileReader } from '../../lambda/readers/file-reader';
import { readInputs } from '../../lambda/scan/index';
import { applySegment } from '../../lambda/scan/parallel';
import { SegmentScanner } from '../../lambda/scan/segment';
import { RULES } from '../../lambda/rules/registry';
import { generateAuditLog } from '../../bench/generate';
import { CollectingSink } from './collect';
import { useTmpDir } from './helpers';

const MAX_LINE_BYTES = 4096;
const tmp = useTmpDir();

/** A collecting sink that offers the registered rules' fast path and notes what it took. */
class FilteringSink extends CollectingSink {
  readonly taken = new Map<string, number>();
  readonly auditFilter: AuditFilter;

  constructor() {
    super();
    const { wants, keep } = new Engine(RULES, { cluster: 'segments' }).auditFilter!;
    this.auditFilter = {
      wants, keep,
      // Keyed by role and identity: a segment must hand on both as the sequential read would.
      skipped: (kept, identity) => {
        const key = `${kept ?? ''} ${identity ?? 'none'}`;
        this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
      },
    };
  }
}

async function sequential(path: string): Promise<FilteringSink> {
  const sink = new FilteringSink();
  await readInputs([path], sink, { maxLineBytes: MAX_LINE_BYTES, fastPath: true });
  return sink;
}

/** The file cut at `cuts` (sorted byte offsets), each piece scanned as a segment, applied in order. */
function segmented(path: string, cuts: readonly number[]): FilteringSink {
  const sink = new FilteringSink();
  sink.file(path);
  const reader = new FileReader(path, sink, MAX_LINE_BYTES);
  const scanner = new SegmentScanner(sink.auditFilter, MAX_LINE_BYTES);
  const size = statSync(path).size;
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < size), size];
  const fd = openSync(path, 'r');
  try {
    let lineBase = 0;
    for (let i = 0; i + 1 < bounds.length; i++) {
      const result = scanner.scan(fd, size, { id: i, start: bounds[i]!, end: bounds[i + 1]! });
      lineBase = applySegment(result, lineBase, reader, sink.auditFilter);
    }
  } finally {
    closeSync(fd);
  }
  return sink;
}

let events: string[] = [];

beforeAll(() => {
  // Real-shaped events: kubelet renewals the fast path takes, and the planted ones it must leave.
  const log = generateAuditLog(join(tmp.dir(), 'events.jsonl'), { bytes: 1_000_000, nodes: 12, seed: 'segments' });
  const lines = readFileSync(log.path, 'utf8').split('\n').filter((l) => l.length > 0);
  const renewals = lines.filter((l) => l.includes('"resource":"leases"') && l.includes('"code":200')).slice(0, 12);
  const wanted = lines.filter((l) => l.includes('"code":403')).slice(0, 3);
  // 0-11: kubelet lease renewals (the fast path takes them); 12-14: forbidden requests (it must leave them).
  events = [...renewals, ...wanted];
  expect(renewals.length).toBe(12);
  expect(wanted.length).toBe(3);
});

/** Lines of every kind a JSON Lines file may hold, joined by LF or CRLF, with or without BOM and final newline. */
const fileArb = (): fc.Arbitrary<Buffer> =>
  fc
    .record({
      lines: fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: 14 }).map((i) => events[i]!),
          fc.constant(''),
          fc.constant('   '),
          fc.constant('I0610 12:00:00.000000      10 flags.go:64] FLAG: --authorization-mode="Node,RBAC"'),
          fc.constant('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"cut'),
          fc.constant('not json at all'),
          fc.constant('x'.repeat(MAX_LINE_BYTES + 10)),
          fc.integer({ min: 0, max: 14 }).map((i) => events[i]! + events[(i + 1) % 15]!),
        ),
        { maxLength: 25 },
      ),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      finalNewline: fc.boolean(),
    })
    .map(({ lines, crlf, bom, finalNewline }) => {
      const body = lines.join(crlf ? '\r\n' : '\n') + (finalNewline && lines.length > 0 ? '\n' : '');
      return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(body)]);
    });

describe('a file read in segments and applied in order', () => {
  it('gives the sink the same records, malformed lines and line numbers, and the fast path the same events', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fileArb(), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 3000 }), async (bytes, rawCuts, step) => {
        // Prepare
        const path = await tmp.write(`file-${n++}.jsonl`, bytes);
        // Random cuts, plus a regular grid (a small step puts several boundaries inside one line).
        const grid = Array.from({ length: Math.min(200, Math.floor(bytes.length / step)) }, (_, i) => (i + 1) * step);
        const cuts = [...new Set([...rawCuts.map((c) => c % (bytes.length + 1)), ...grid])].sort((a, b) => a - b);
        const expected = await sequential(path);

        // Act
        const actual = segmented(path, cuts);

        // Assess
        expect(actual.pushed).toEqual(expected.pushed);
        expect(Object.fromEntries(actual.taken)).toEqual(Object.fromEntries(expected.taken));
      }),
      { numRuns: 120 },
    );
  });

  it('numbers lines across segments, takes kubelet renewals and leaves the 403s, a cut event and garbage', async () => {
    // Prepare
    const cut = events[13]!.slice(0, events[13]!.indexOf('"responseStatus"'));
    const lines = [events[0]!, 'garbage', events[12]!, '', events[1]!, cut];
    const path = await tmp.write('known.jsonl', `${lines.join('\n')}\n`);

    // Act: a boundary every 100 bytes.
    const size = statSync(path).size;
    const actual = segmented(path, Array.from({ length: Math.floor(size / 100) }, (_, i) => (i + 1) * 100));

    // Assess
    expect(actual.outline).toEqual(['malformed@2', 'audit@3', 'audit@6']);
    expect(actual.records.map((r) => r.kind === 'audit' && r.truncated)).toEqual([false, true]);
    expect([...actual.taken.values()].reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('gives a segment inside one long line no lines, and the line to the segment it begins in', async () => {
    // Prepare: one 3,000-byte line between two events, cut every 500 bytes.
    const long = `{"note":"${'y'.repeat(3000)}"}`;
    const path = await tmp.write('long.jsonl', `${events[0]}\n${long}\n${events[12]}\n`);
    const size = statSync(path).size;
    const cuts = Array.from({ length: Math.floor(size / 500) }, (_, i) => (i + 1) * 500);
    const scanner = new SegmentScanner(new FilteringSink().auditFilter, MAX_LINE_BYTES);
    const fd = openSync(path, 'r');

    // Act
    const results = [0, ...cuts].map((start, i) => scanner.scan(fd, size, { id: i, start, end: cuts[i] ?? size }));
    closeSync(fd);

    // Assess
    expect(results.map((r) => r.lines).reduce((a, b) => a + b, 0)).toBe(3);
    expect(results.filter((r) => r.lines === 0).length).toBeGreaterThanOrEqual(3);
    expect(results.flatMap((r) => r.texts)).toEqual([long, events[12]]);
  });
});
