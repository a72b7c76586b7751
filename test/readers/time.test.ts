import { describe, expect, it } from 'vitest';
import { epochMsToIso, klogTimeToIso, parseTimestamp } from '../../lambda/readers/time';

describe('parseTimestamp', () => {
  it.each([
    ['2023-07-06 05:23:49.000', '2023-07-06T05:23:49.000Z'],
    ['2024-05-19 06:10:35.743', '2024-05-19T06:10:35.743Z'],
    ['2023-07-06T05:23:49.123Z', '2023-07-06T05:23:49.123Z'],
    ['2023-07-06T05:23:49Z', '2023-07-06T05:23:49.000Z'],
    ['2024-03-01T10:00:00.000123456Z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T10:00:00.5+02:00', '2024-03-01T08:00:00.500Z'],
    ['2024-03-01T00:30:00-0130', '2024-03-01T02:00:00.000Z'],
    ['2024-02-29 23:59:59', '2024-02-29T23:59:59.000Z'],
  ])('%s -> %s', (input, expected) => {
    // Act
    const iso = parseTimestamp(input);

    // Assess
    expect(iso).toBe(expected);
  });

  it.each([
    ['2023-02-29 00:00:00'], ['2023-13-01 00:00:00'], ['2023-01-01 24:00:00'], ['2021-08-04 0718:44.561'],
    ['2023-07-06'], ['yesterday'], ['2023-07-06T05:23:49.000Z trailing'], [''], ['2024-03-01T10:00:00+25:00'],
  ])('rejects %j', (input) => {
    // Assess
    expect(parseTimestamp(input)).toBeUndefined();
  });

  it('rejects values that are not strings', () => {
    // Assess
    expect(parseTimestamp(1709287200000)).toBeUndefined();
    expect(parseTimestamp(undefined)).toBeUndefined();
  });
});

describe('epochMsToIso', () => {
  it('converts epoch milliseconds, as numbers or digit strings', () => {
    // Assess
    expect(epochMsToIso(1712567843827)).toBe('2024-04-08T09:17:23.827Z');
    expect(epochMsToIso('1433190184356')).toBe('2015-06-01T20:23:04.356Z');
    expect(epochMsToIso(0)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('refuses what toISOString would throw on, and non-integers', () => {
    // Assess
    expect(epochMsToIso(1e20)).toBeUndefined();
    expect(epochMsToIso(Number.NaN)).toBeUndefined();
    expect(epochMsToIso(1.5)).toBeUndefined();
    expect(epochMsToIso('12ab')).toBeUndefined();
    expect(epochMsToIso(null)).toBeUndefined();
  });
});

describe('klogTimeToIso', () => {
  it('needs a wrapper time to know the year', () => {
    // Assess
    expect(klogTimeToIso(10, 1, 4, 9, 41, '141998', undefined)).toBeUndefined();
    expect(klogTimeToIso(10, 1, 4, 9, 41, '141998', 'not a time')).toBeUndefined();
  });

  it('picks the year closest to the wrapper time', () => {
    // Assess
    expect(klogTimeToIso(10, 1, 4, 9, 41, '141998', '2023-10-01T04:09:42.000Z')).toBe('2023-10-01T04:09:41.141Z');
    expect(klogTimeToIso(12, 31, 23, 59, 59, '9', '2024-01-01T00:00:01.000Z')).toBe('2023-12-31T23:59:59.900Z');
    expect(klogTimeToIso(1, 1, 0, 0, 1, '0', '2023-12-31T23:59:59.000Z')).toBe('2024-01-01T00:00:01.000Z');
  });

  it('rejects an impossible date', () => {
    // Assess
    expect(klogTimeToIso(2, 30, 0, 0, 0, '0', '2024-02-01T00:00:00Z')).toBeUndefined();
    expect(klogTimeToIso(13, 1, 0, 0, 0, '0', '2024-02-01T00:00:00Z')).toBeUndefined();
  });
});
