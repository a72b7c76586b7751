/**
 * Timestamps as the wrappers write them, turned into ISO 8601 UTC (`2023-07-06T05:23:49.000Z`) so that
 * every record compares the same way. Anything that is not a real time gives undefined, never a throw:
 * `Date#toISOString` throws on out-of-range dates, and these strings come from logs.
 */

// Years 0000-9999 only: toISOString switches to a 6-digit `+010000` form past that.
const MAX_MS = 253_402_300_799_999;
const MIN_MS = -62_167_219_200_000;

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|z|[+-]\d\d:?\d\d)?$/;

function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? new Date(ms).toISOString() : undefined;
}

/** Milliseconds since the epoch of a UTC wall-clock time, or NaN when a field is out of range (Feb 30). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return NaN;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC treats years 0-99 as 1900-1999; setUTCFullYear does not.
  date.setUTCFullYear(y);
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date.getTime() : NaN;
}

/**
 * `2023-07-06 05:23:49.000` (Logs Insights: UTC, no zone), `2023-07-06T05:23:49.123Z` (S3 export, logrus)
 * or with an offset (`+02:00`). Fractions beyond milliseconds are dropped.
 */
export function parseTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 19 || value.length > 40) return undefined;
  const m = TIMESTAMP.exec(value);
  if (!m) return undefined;
  const frac = m[7] ?? '';
  const ms = frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let t = utcMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return isoFromMs(t);
}

/** CloudWatch `timestamp` fields: epoch milliseconds, as a number or a string of digits. */
export function epochMsToIso(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? isoFromMs(value) : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return isoFromMs(Number(value));
  return undefined;
}

/**
 * A klog header time (`I1001 04:09:41.141998` has month, day and time but no year) placed in the year
 * that puts it closest to a wrapper timestamp. Without a wrapper the year is unknown: undefined.
 * klog prints the process's local time; EKS control-plane processes log in UTC, which is assumed here.
 */
export function klogTimeToIso(
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  micros: string,
  near: string | undefined,
): string | undefined {
  if (near === undefined) return undefined;
  const ref = Date.parse(near);
  if (!Number.isFinite(ref)) return undefined;
  const year = new Date(ref).getUTCFullYear();
  const ms = Number(micros.slice(0, 3).padEnd(3, '0'));
  let best = NaN;
  for (const y of [year - 1, year, year + 1]) {
    const t = utcMs(y, month, day, h, mi, s, ms);
    if (Number.isNaN(t)) continue;
    if (Number.isNaN(best) || Math.abs(t - ref) < Math.abs(best - ref)) best = t;
  }
  return isoFromMs(best);
}
