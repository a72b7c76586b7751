/**
 * Times in the builders are integer epoch MICROseconds: audit timestamps carry microseconds
 * (`2023-06-19T08:07:21.502039Z`) and a float of milliseconds would round them.
 */
export type Micros = number;

export const SECOND: Micros = 1_000_000;
export const MINUTE: Micros = 60 * SECOND;

/** `2026-11-27T10:00:00Z` (or with a fraction) -> epoch microseconds. */
export function micros(iso: string): Micros {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO 8601 time: ${iso}`);
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  // Date.parse keeps milliseconds only; put the sub-millisecond digits back.
  const subMs = frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + subMs;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// Date#toISOString was the top cost of generating events in bulk; consecutive events share the second.
let cachedSecond = NaN;
let cachedPrefix = '';

/** Audit event style: `2026-11-27T10:00:01.081550Z`. */
export function isoMicros(t: Micros): string {
  const seconds = Math.floor(t / SECOND);
  if (seconds !== cachedSecond) {
    cachedSecond = seconds;
    cachedPrefix = new Date(seconds * 1000).toISOString().slice(0, 19);
  }
  return `${cachedPrefix}.${pad(t - seconds * SECOND, 6)}Z`;
}

/** Kubernetes object style (creationTimestamp, managedFields time): whole seconds, `2026-11-27T10:00:01Z`. */
export function isoSeconds(t: Micros): string {
  return `${new Date(Math.floor(t / SECOND) * 1000).toISOString().slice(0, 19)}Z`;
}

/** CloudWatch Logs Insights console style (UTC, milliseconds): `2026-11-27 10:15:02.123`. */
export function insightsTimestamp(t: Micros): string {
  const iso = new Date(Math.floor(t / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** klog header time: `1127 10:00:41.141998` (month and day, no year). */
export function klogTime(t: Micros): string {
  const d = new Date(Math.floor(t / 1000));
  const us = t - Math.floor(t / SECOND) * SECOND;
  return (
    `${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(us, 6)}`
  );
}

/** `journalctl` short output: `Nov 27 10:00:41` (strftime `%b %d %H:%M:%S`). */
export function syslogTime(t: Micros): string {
  const d = new Date(Math.floor(t / 1000));
  return (
    `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
  );
}
