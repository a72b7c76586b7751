/**
 * The fast path changes nothing but speed: the same scan with and without it (ReadOptions.fastPath), and
 * spread over worker threads (ReadOptions.parallel), gives the same findings, stats, malformed samples and
 * rule errors, on generated logs with every planted misconfiguration and every odd line (bench/generate.ts),
 * on samples/, and on the real published logs.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScanResult } from '../../lambda/model/findings';
import { Engine } from '../../lambda/engine/engine';
import type { ReadOptions } from '../../lambda/scan/index';
import { readInputs } from '../../lambda/scan/index';
import { ScanWorkers } from '../../lambda/scan/parallel';
import { RULES } from '../../lambda/rules/registry';
import { checkScan } from '../../bench/check';
import type { GeneratedLog } from '../../bench/generate';
import { generateAuditLog } from '../../bench/generate';

const REPO = resolve(import.meta.dirname, '..', '..');
const SAMPLES = join(REPO, 'samples');
const REAL = resolve(REPO, '..', 'shared', 'fixtures', 'real');

async function scan(paths: string[], options: ReadOptions): Promise<{ result: ScanResult; fast: boolean }> {
  const engine = new Engine(RULES, { cluster: 'perf' });
  await readInputs(paths, engine, options);
  return { result: engine.finish(), fast: options.fastPath !== false && engine.auditFilter !== undefined };
}

/** Every file, however small, in segments of 256 KiB over two worker threads. */
const PARALLEL = { recipe: { cluster: 'perf' }, minBytes: 0, minFileBytes: 0, segmentBytes: 256 * 1024, workers: 2 } as const;

/**
 * Both paths over the same input (`options` is called once per scan: a stream is read once), and for files
 * the fast path through worker threads too: `fast` is checked equal to it here.
 */
async function bothPaths(paths: string[], options: () => ReadOptions = () => ({})): Promise<{ fast: ScanResult; full: ScanResult }> {
  const full = await scan(paths, { ...options(), fastPath: false });
  const fast = await scan(paths, { ...options(), fastPath: true });
  expect(fast.fast).toBe(true);
  if (!paths.includes('-')) {
    const read = vi.spyOn(ScanWorkers.prototype, 'read');
    expect((await scan(paths, { ...options(), fastPath: true, parallel: PARALLEL })).result).toEqual(fast.result);
    // The threads really read (a worker that cannot start leaves the file to this thread, silently).
    expect(read).toHaveBeenCalled();
    read.mockRestore();
  }
  return { fast: fast.result, full: full.result };
}

let dir = '';
let damaged: GeneratedLog;
let clean: GeneratedLog;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fast-path-'));
  // Small fleets so that 3 MB still holds every incident; different seeds so both files differ.
  damaged = generateAuditLog(join(dir, 'damaged.jsonl'), { bytes: 3_000_000, nodes: 12, damaged: true, seed: 'fast-path-a' });
  clean = generateAuditLog(join(dir, 'clean.jsonl'), { bytes: 3_000_000, nodes: 20, seed: 'fast-path-b' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the fast path', () => {
  it('is on for the registered rules: every rule that reads audit events declares which it wants', () => {
    // Act
    const engine = new Engine(RULES, { cluster: 'perf' });

    // Assess
    expect(engine.auditFilter).toBeDefined();
  });

  it('is off when one rule reads audit events without saying which (the safe default)', () => {
    // Prepare
    const undeclared = { ...RULES[0]!, id: 'undeclared', create: () => ({ onAudit: () => undefined }) };

    // Act
    const engine = new Engine([...RULES, undeclared], { cluster: 'perf' });

    // Assess
    expect(engine.auditFilter).toBeUndefined();
  });

  it('finds what the generator planted, with exact counts, in a damaged log (cut, glued, garbage and odd lines)', async () => {
    // Act
    const { fast, full } = await bothPaths([damaged.path]);

    // Assess
    expect(fast).toEqual(full);
    expect(fast.ruleErrors).toEqual([]);
    // Findings of the newer rules (anonymous access, bursts) come from odd-lines.ts traffic the generator does not count.
    const planted = fast.findings.filter((f) => damaged.expected.some((e) => e.ruleId === f.ruleId));
    expect(checkScan(damaged, { findings: planted, stats: fast.stats })).toEqual([]);
    expect(fast.stats.truncated).toBe(3);
    expect(fast.stats.malformed).toBe(3);
  });

  it('finds exactly what the generator planted in a clean log, and nothing else', async () => {
    // Act
    const { fast, full } = await bothPaths([clean.path]);

    // Assess
    expect(fast).toEqual(full);
    expect(checkScan(clean, fast)).toEqual([]);
    expect(fast.stats.auditEvents).toBe(clean.auditEvents);
  });

  it('gives the same result on samples/', async () => {
    // Act
    const { fast, full } = await bothPaths([SAMPLES]);

    // Assess
    expect(fast).toEqual(full);
    expect(fast.findings.length).toBeGreaterThan(10);
  });

  it('gives the same result whatever the chunk boundaries (lines joined across chunks take the same path)', async () => {
    // Prepare
    // 400 kB around the odd lines (they start with a blank line), from a line start.
    const all = await readFile(damaged.path);
    const odd = all.indexOf('\n\n');
    const from = all.indexOf('\n', Math.max(0, odd - 200_000)) + 1;
    const bytes = all.subarray(from, from + 400_000);
    expect(odd).toBeGreaterThan(0);
    const reference = await bothPaths(['-'], () => ({ stdin: Readable.from([bytes]) }));
    expect(reference.fast).toEqual(reference.full);
    expect(reference.full.stats.malformed).toBe(3);

    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), async (cuts) => {
        // Act
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, i) => bytes.subarray(from, at[i] ?? bytes.length));
        const { result } = await scan(['-'], { stdin: Readable.from(pieces), fastPath: true });

        // Assess
        expect(result).toEqual(reference.full);
      }),
      { numRuns: 15 },
    );
  });
});

describe.skipIf(!existsSync(REAL))('the fast path on real published logs', () => {
  it('gives the same result as the full parse', async () => {
    // Act
    const { fast, full } = await bothPaths([REAL]);

    // Assess
    expect(fast).toEqual(full);
    // Some real exports hold the same events (one investigation exported twice): each is counted once.
    expect(fast.stats.auditEvents).toBeGreaterThan(30);
    expect(fast.stats.duplicates).toBeGreaterThan(0);
  });
});
