import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateEvents } from '../../lambda/engine/duplicate-events';
import { Engine } from '../../lambda/engine/engine';
import type { AuditEvent } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import { RULES } from '../../lambda/rules/registry';
import type { ReadOptions } from '../../lambda/scan/index';
import { readInputs } from '../../lambda/scan/index';

const sample = fileURLToPath(new URL('../../samples/wrong-node-username/kube-apiserver-audit.jsonl', import.meta.url));

async function scan(paths: string[], fastPath: boolean, options: ReadOptions = {}): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'demo' });
  await readInputs(paths, engine, { ...options, fastPath });
  return engine.finish();
}

/** Every file, however small, over two worker threads. */
const THREADS: ReadOptions = { parallel: { recipe: { cluster: 'demo' }, minBytes: 0, minFileBytes: 0, segmentBytes: 4096, workers: 2 } };

const counts = (r: ScanResult): [string, number][] => r.findings.map((f) => [f.ruleId, f.count]);

function event(o: Partial<AuditEvent>): AuditEvent {
  return {
    kind: 'Event', auditID: 'id-1', stage: 'ResponseComplete', verb: 'get', requestURI: '/api/v1/nodes/n1',
    requestReceivedTimestamp: '2026-12-07T10:00:00.000001Z', stageTimestamp: '2026-12-07T10:00:00.000901Z', ...o,
  };
}

describe('the same audit event read twice', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dup-'));
    await copyFile(sample, join(dir, 'a.jsonl'));
    await copyFile(sample, join(dir, 'b-overlapping-export.jsonl'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([[true], [false]])('counts once when two files hold the same events (fast path %s)', async (fastPath) => {
    // Act
    const once = await scan([sample], fastPath);
    const twice = await scan([join(dir, 'a.jsonl'), join(dir, 'b-overlapping-export.jsonl')], fastPath);

    // Assess
    expect(once.findings.length).toBeGreaterThan(0);
    expect(counts(twice)).toEqual(counts(once));
    expect(twice.stats.duplicates).toBeGreaterThan(0);
    expect(twice.stats.duplicatesUnchecked).toBe(0);
  });
});

describe('the same audit event in two shapes: a JSON Lines file and a Logs Insights export', () => {
  // The JSON Lines copy is Go's own bytes, which the fast path counts without a parse when no rule wants the
  // event; the export's copy is always parsed. Both must come to the same identity.
  let dir = '';
  let lines = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dup-shapes-'));
    const text = (await readFile(sample, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    lines = text.length;
    const rows = text.map((l) => ({ '@timestamp': '2026-12-07 10:00:00.000', '@message': JSON.parse(l) as unknown }));
    await writeFile(join(dir, 'export.json'), JSON.stringify(rows, null, 4));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['fast path, JSON Lines first', true, false, false],
    ['fast path, export first', true, true, false],
    ['fast path over worker threads', true, false, true],
    ['full parse', false, false, false],
  ])('counts each event once (%s)', async (_name, fastPath, exportFirst, threads) => {
    // Prepare
    const exported = join(dir, 'export.json');
    const paths = exportFirst ? [exported, sample] : [sample, exported];

    // Act
    const once = await scan([sample], fastPath);
    const both = await scan(paths, fastPath, threads ? THREADS : {});

    // Assess
    expect(once.stats.auditEvents).toBe(lines);
    expect(both.stats.auditEvents).toBe(lines);
    expect(both.stats.duplicates).toBe(lines);
    expect(counts(both)).toEqual(counts(once));
  });
});

describe('DuplicateEvents', () => {
  it('knows an event seen before, and no other', () => {
    // Prepare
    const seen = new DuplicateEvents();

    // Act / Assess
    expect(seen.isDuplicate(event({}))).toBe(false);
    expect(seen.isDuplicate(event({}))).toBe(true);
    expect(seen.isDuplicate(event({ stage: 'ResponseStarted' }))).toBe(false);
    // A client may choose the auditID (Audit-ID header): another request under the same id is not hidden.
    expect(seen.isDuplicate(event({ requestReceivedTimestamp: '2026-12-07T10:00:05.000001Z', stageTimestamp: '2026-12-07T10:00:05.000901Z' }))).toBe(false);
    expect(seen.isDuplicate(event({ auditID: undefined }))).toBe(false);
    expect(seen.isDuplicate(event({ auditID: undefined }))).toBe(false);
    expect(seen.isDuplicate(event({ auditID: { toString: 1 } as unknown as string }))).toBe(false);
  });

  it('stops remembering at its cap and counts what it could not check', () => {
    // Prepare
    const seen = new DuplicateEvents(2);

    // Act
    const answers = ['a', 'b', 'c', 'a', 'c'].map((auditID) => seen.isDuplicate(event({ auditID })));

    // Assess: `c` came after the cap, so its repeat is not recognised.
    expect(answers).toEqual([false, false, false, true, false]);
    expect(seen.unchecked).toBe(2);
  });
});
