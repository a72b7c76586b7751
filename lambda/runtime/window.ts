/** A time window in epoch milliseconds: start inclusive, end exclusive. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * The window of a scheduled run, aligned to the event's time floored to the minute:
 * [t - interval - lag, t - lag). Consecutive runs of a fixed-rate schedule tile time with no gap
 * and no overlap, and an asynchronous retry of the same event (same `time`) audits the same window.
 */
export function scheduledWindow(eventTimeMs: number, intervalMinutes: number, lagMinutes: number): TimeWindow {
  const t = Math.floor(eventTimeMs / MINUTE_MS) * MINUTE_MS;
  const endMs = t - lagMinutes * MINUTE_MS;
  return { startMs: endMs - intervalMinutes * MINUTE_MS, endMs };
}

const DURATION = /^(\d{1,6})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?)$/i;
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: 60 * MINUTE_MS, d: DAY_MS, w: 7 * DAY_MS };

/** Parses `90m`, `24h`, `7d`, `2w` into milliseconds; undefined when it is not such a duration. */
export function parseDuration(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = UNIT_MS[m[2]!.toLowerCase()[0]!];
  return n > 0 && unit !== undefined ? n * unit : undefined;
}

/** Strict ISO 8601 date-time with a zone (Z or ±hh:mm); undefined otherwise. */
export function parseIsoTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  // Date.parse rolls 2024-02-31 over to March: refuse dates that do not exist.
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export function windowIso(w: TimeWindow): { start: string; end: string } {
  return { start: new Date(w.startMs).toISOString(), end: new Date(w.endMs).toISOString() };
}

/** Logs Insights windows are in whole seconds: widen a window to the seconds that contain it. */
export function toWholeSeconds(w: TimeWindow): TimeWindow {
  return { startMs: Math.floor(w.startMs / 1000) * 1000, endMs: Math.ceil(w.endMs / 1000) * 1000 };
}
