import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditLog, parseSize } from '../../bench/generate';
import { makeFleet } from '../../bench/fleet';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateAuditLog', () => {
  it('writes the same bytes for the same seed, about the size asked for, and counts its lines', async () => {
    // Act
    const a = generateAuditLog(join(dir, 'a.jsonl'), { bytes: 1_000_000, nodes: 12 });
    const b = generateAuditLog(join(dir, 'b.jsonl'), { bytes: 1_000_000, nodes: 12 });

    // Assess
    const [bytesA, bytesB] = await Promise.all([readFile(a.path), readFile(b.path)]);
    expect(bytesA.equals(bytesB)).toBe(true);
    expect(a.bytes).toBe(bytesA.length);
    expect(a.bytes).toBeGreaterThanOrEqual(1_000_000);
    // Incidents last whole seconds past the target: a small fleet writes a few percent more.
    expect(a.bytes).toBeLessThan(1_300_000);
    expect(a.lines).toBe(bytesA.toString().split('\n').length - 1);
    expect(a.auditEvents).toBe(a.lines);
    expect(a.truncated + a.malformed).toBe(0);
  });

  it('plants every incident at any size, so even a small file has each finding', () => {
    // Act
    const log = generateAuditLog(join(dir, 'small.jsonl'), { bytes: 200_000, nodes: 12 });

    // Assess
    expect([...new Set(log.expected.map((e) => e.ruleId))].sort()).toEqual([
      'aws-auth-invalid', 'aws-auth-node-missing-groups', 'aws-auth-node-system-masters', 'aws-auth-node-username',
      'aws-auth-system-masters', 'node-csr-unapprovable', 'node-forbidden-other', 'node-identity-unrecognized',
      'node-lease-forbidden', 'node-name-mismatch', 'node-restriction-denied', 'node-system-masters', 'node-unrelated-object-access',
    ]);
  });

  it('is mostly healthy traffic: misconfigured-node events are a small fraction of a large file', () => {
    // Act
    const log = generateAuditLog(join(dir, 'large.jsonl'), { bytes: 20_000_000, nodes: 100 });

    // Assess
    const unrecognized = log.expected.filter((e) => e.ruleId === 'node-identity-unrecognized').reduce((n, e) => n + e.count, 0);
    expect(unrecognized / log.auditEvents).toBeLessThan(0.02);
    expect(unrecognized).toBeGreaterThan(50);
  });
});

describe('makeFleet', () => {
  it('refuses a fleet too small to hold the incidents or too large for its address plan', () => {
    // Act / Assess
    expect(() => makeFleet(11)).toThrow(RangeError);
    expect(() => makeFleet(701)).toThrow(RangeError);
    expect(makeFleet(12).groups.general.nodes).toHaveLength(4);
  });
});

describe('parseSize', () => {
  it('reads decimal and binary units', () => {
    // Act / Assess
    expect(parseSize('100MB')).toBe(100_000_000);
    expect(parseSize('1GB')).toBe(1_000_000_000);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('512k')).toBe(512_000);
    expect(parseSize('1e6')).toBe(1_000_000);
  });

  it('refuses what is not a size', () => {
    // Act / Assess
    expect(() => parseSize('big')).toThrow('not a size: "big"');
    expect(() => parseSize('-1MB')).toThrow('not a size');
    expect(() => parseSize('0')).toThrow('not a size');
  });
});
