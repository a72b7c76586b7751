import { describe, expect, it } from 'vitest';
import { IAM_ID_ALPHABET, Rng } from '../../tools/prng';
import { insightsTimestamp, isoMicros, isoSeconds, klogTime, micros, syslogTime } from '../../tools/time';

describe('Rng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    // Act
    const a = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng('seed')));
    const b = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng('seed')));
    const c = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng('seed2')));

    // Assess
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('stays in range and covers it', () => {
    // Prepare
    const rng = new Rng('range');
    const seen = new Set<number>();
    let lowest = Infinity;
    let highest = -Infinity;

    // Act
    for (let i = 0; i < 2000; i++) {
      seen.add(rng.between(3, 7));
      const f = rng.next();
      lowest = Math.min(lowest, f);
      highest = Math.max(highest, f);
    }

    // Assess
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(highest).toBeLessThan(1);
  });

  it('makes ids in the expected alphabets and lengths', () => {
    const rng = new Rng('ids');
    expect(rng.hex(12)).toMatch(/^[0-9a-f]{12}$/);
    expect(rng.chars(17, IAM_ID_ALPHABET)).toMatch(/^[A-Z2-7]{17}$/);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => rng.pick([])).toThrow('empty');
  });

  it('forks independent streams: more draws in one do not shift the other', () => {
    // Prepare
    const parent1 = new Rng('p');
    const parent2 = new Rng('p');
    const child1 = parent1.fork('x');
    const child2 = parent2.fork('x');

    // Act
    for (let i = 0; i < 10; i++) child1.uint32();

    // Assess
    expect(parent1.uint32()).toBe(parent2.uint32());
    expect(child1.uint32()).not.toBe(child2.uint32());
  });
});

describe('time formats', () => {
  const t = micros('2026-11-27T09:05:03.000042Z');

  it('keeps microseconds through micros() and isoMicros()', () => {
    expect(isoMicros(t)).toBe('2026-11-27T09:05:03.000042Z');
    expect(isoMicros(micros('2026-11-27T10:00:00Z'))).toBe('2026-11-27T10:00:00.000000Z');
    expect(() => micros('yesterday')).toThrow('not an ISO 8601 time');
  });

  it('prints the object, Insights, klog and journald styles', () => {
    expect(isoSeconds(t)).toBe('2026-11-27T09:05:03Z');
    expect(insightsTimestamp(t)).toBe('2026-11-27 09:05:03.000');
    expect(klogTime(t)).toBe('1127 09:05:03.000042');
    expect(syslogTime(micros('2026-03-02T01:02:03Z'))).toBe('Mar 02 01:02:03');
  });
});
