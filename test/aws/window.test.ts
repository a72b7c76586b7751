import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MINUTE_MS, parseDuration, parseIsoTime, scheduledWindow, toWholeSeconds, windowIso } from '../../lambda/runtime/window';

describe('scheduledWindow', () => {
  it('floors the event time to the minute and ends the window one ingestion lag before it', () => {
    // Act
    const w = scheduledWindow(Date.parse('2024-05-19T07:00:42.913Z'), 60, 5);

    // Assess
    expect(windowIso(w)).toEqual({ start: '2024-05-19T05:55:00.000Z', end: '2024-05-19T06:55:00.000Z' });
  });

  it('tiles time: consecutive events give adjacent windows, a retry of the same event the same window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / MINUTE_MS, max: Date.parse('2030-01-01T00:00:00Z') / MINUTE_MS }),
        fc.integer({ min: 1, max: 24 * 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 59_999 }),
        (minute, interval, lag, jitterMs) => {
          // EventBridge stamps each event on its minute; delivery jitter must not move the window.
          const t = minute * MINUTE_MS;
          const a = scheduledWindow(t + jitterMs, interval, lag);
          const retry = scheduledWindow(t + jitterMs, interval, lag);
          const next = scheduledWindow(t + interval * MINUTE_MS, interval, lag);
          expect(retry).toEqual(a);
          expect(next.startMs).toBe(a.endMs);
          expect(a.endMs - a.startMs).toBe(interval * MINUTE_MS);
        },
      ),
    );
  });
});

describe('parseDuration', () => {
  it('reads minutes, hours, days and weeks', () => {
    expect(parseDuration('90m')).toBe(90 * MINUTE_MS);
    expect(parseDuration('24h')).toBe(24 * 60 * MINUTE_MS);
    expect(parseDuration('7d')).toBe(7 * 24 * 60 * MINUTE_MS);
    expect(parseDuration('2w')).toBe(14 * 24 * 60 * MINUTE_MS);
    expect(parseDuration('3 hours')).toBe(3 * 60 * MINUTE_MS);
  });

  it('rejects zero, negatives, units it does not know and garbage', () => {
    for (const bad of ['0h', '-1h', '5y', 'h', '24', 'lots', '1.5h']) expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('parseIsoTime', () => {
  it('needs a zone (a bare local time means different windows on different machines) and a real date', () => {
    expect(parseIsoTime('2024-05-19T06:00:00Z')).toBe(Date.parse('2024-05-19T06:00:00Z'));
    expect(parseIsoTime('2024-05-19T08:00:00.5+02:00')).toBe(Date.parse('2024-05-19T06:00:00.5Z'));
    expect(parseIsoTime('2024-05-19T06:00:00')).toBeUndefined();
    expect(parseIsoTime('2024-05-19')).toBeUndefined();
    expect(parseIsoTime('2024-02-31T06:00:00Z')).toBeUndefined();
    expect(parseIsoTime('2024-05-19T24:00:00Z')).toBeUndefined();
    expect(parseIsoTime('2024-02-29T06:00:00Z')).toBe(Date.parse('2024-02-29T06:00:00Z'));
  });
});

describe('toWholeSeconds', () => {
  it('widens to the seconds that contain the window', () => {
    expect(toWholeSeconds({ startMs: 1_500, endMs: 3_001 })).toEqual({ startMs: 1_000, endMs: 4_000 });
    expect(toWholeSeconds({ startMs: 2_000, endMs: 3_000 })).toEqual({ startMs: 2_000, endMs: 3_000 });
  });
});
