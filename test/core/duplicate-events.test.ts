import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateEvents } from '../../lambda/engine/duplicate-events';
import { Engine } from '../../lambda/engine/engine';
import type { AuditEvent } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import { RULES } from '../../lambda/rules/registry';
import { readInputs } from '../../lambda/scan/index';

const sample = fileURLToPath(new URL('../../samples/wrong-node-username/kube-apiserver-audit.jsonl', import.meta.url));

async function scan(paths: string[], fastPath: boolean): Promise<ScanResult> {
  const engine = new Engine(RULES, { cluster: 'demo' });
  await readInputs(paths, engine, { fastPath });
  return engine.finish();
}

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
