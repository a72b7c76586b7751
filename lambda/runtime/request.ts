import { isSeverity, SEVERITIES, type Severity } from '../model/severity';
import { clean } from '../model/sanitize';
import type { ClusterTarget, RuntimeConfig } from './config';
import { DAY_MS, MINUTE_MS, parseDuration, parseIsoTime, scheduledWindow, toWholeSeconds, type TimeWindow } from './window';

/** What one invocation asks for, validated: the same options object the CLI builds from flags. */
export interface AuditRequest {
  readonly trigger: 'scheduled' | 'manual';
  readonly window: TimeWindow;
  readonly clusters: readonly ClusterTarget[];
  readonly minSeverity: Severity;
  readonly dryRun: boolean;
}

/** The invocation's input is wrong: nothing was queried or published. `field` says where. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid request: ${field}: ${problem}`);
  }
}

const MANUAL_KEYS = ['start', 'end', 'lookback', 'clusters', 'minSeverity', 'dryRun'] as const;
/** A clock a few minutes fast still lets `end` be "now". */
const FUTURE_SKEW_MS = 5 * MINUTE_MS;

/** True for an EventBridge scheduled-rule event (`detail-type: Scheduled Event`, `source: aws.events`). */
export function isScheduledEvent(event: unknown): event is { time: string; 'detail-type': string; source: string } {
  if (!event || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  return e['detail-type'] === 'Scheduled Event' && e['source'] === 'aws.events';
}

/**
 * Turns a Lambda event into an AuditRequest: an EventBridge scheduled event, or a manual request
 * `{"start": ISO, "end": ISO}` / `{"lookback": "24h"}` with optional `clusters`, `minSeverity`, `dryRun`.
 */
export function parseInvocation(event: unknown, config: RuntimeConfig, nowMs: number): AuditRequest {
  if (isScheduledEvent(event)) {
    const t = typeof event.time === 'string' ? parseIsoTime(event.time) : undefined;
    if (t === undefined) throw new InvalidRequestError('time', 'the scheduled event has no ISO 8601 time');
    return {
      trigger: 'scheduled',
      window: scheduledWindow(t, config.scheduleMinutes, config.ingestionLagMinutes),
      clusters: config.clusters,
      minSeverity: config.minSeverity,
      dryRun: false,
    };
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidRequestError('(event)', 'expected a scheduled event or an object like {"lookback": "24h"}');
  }
  const e = event as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!(MANUAL_KEYS as readonly string[]).includes(key)) {
      throw new InvalidRequestError(clean(key, 64), `is not a known key (expected ${MANUAL_KEYS.join(', ')})`);
    }
  }
  return {
    trigger: 'manual',
    window: manualWindow(e, config, nowMs),
    clusters: selectClusters(e['clusters'], config),
    minSeverity: severity(e['minSeverity'], config.minSeverity),
    dryRun: dryRun(e['dryRun']),
  };
}

function manualWindow(e: Record<string, unknown>, config: RuntimeConfig, nowMs: number): TimeWindow {
  const hasRange = e['start'] !== undefined || e['end'] !== undefined;
  if (hasRange && e['lookback'] !== undefined) throw new InvalidRequestError('lookback', 'give either lookback or start and end, not both');
  const oldest = nowMs - config.maxLookbackDays * DAY_MS;
  let window: TimeWindow;
  let startField = 'start';
  if (e['lookback'] !== undefined) {
    const ms = typeof e['lookback'] === 'string' ? parseDuration(e['lookback']) : undefined;
    if (ms === undefined) throw new InvalidRequestError('lookback', 'must be a duration like "90m", "24h" or "7d"');
    const endMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    window = { startMs: endMs - ms, endMs };
    startField = 'lookback';
  } else {
    if (e['start'] === undefined) throw new InvalidRequestError('start', 'is required (or give "lookback" like "24h")');
    if (e['end'] === undefined) throw new InvalidRequestError('end', 'is required with "start"');
    const startMs = typeof e['start'] === 'string' ? parseIsoTime(e['start']) : undefined;
    if (startMs === undefined) throw new InvalidRequestError('start', 'must be an ISO 8601 time with a zone, like 2024-05-19T06:00:00Z');
    const endMs = typeof e['end'] === 'string' ? parseIsoTime(e['end']) : undefined;
    if (endMs === undefined) throw new InvalidRequestError('end', 'must be an ISO 8601 time with a zone, like 2024-05-19T07:00:00Z');
    if (endMs <= startMs) throw new InvalidRequestError('end', 'must be after start');
    if (endMs > nowMs + FUTURE_SKEW_MS) throw new InvalidRequestError('end', 'is in the future');
    window = toWholeSeconds({ startMs, endMs });
  }
  if (window.startMs < oldest) {
    throw new InvalidRequestError(startField, `reaches back more than the ${config.maxLookbackDays} days allowed (log retention)`);
  }
  return window;
}

function selectClusters(value: unknown, config: RuntimeConfig): readonly ClusterTarget[] {
  if (value === undefined) return config.clusters;
  if (!Array.isArray(value) || value.length === 0) throw new InvalidRequestError('clusters', 'must be a non-empty array of cluster names');
  const picked: ClusterTarget[] = [];
  value.forEach((name: unknown, i: number) => {
    const target = typeof name === 'string' ? config.clusters.find((c) => c.name === name) : undefined;
    if (!target) {
      const known = config.clusters.map((c) => c.name).join(', ');
      throw new InvalidRequestError(`clusters[${i}]`, `"${clean(name, 100)}" is not a configured cluster (configured: ${known})`);
    }
    if (!picked.includes(target)) picked.push(target);
  });
  return picked;
}

function severity(value: unknown, fallback: Severity): Severity {
  if (value === undefined) return fallback;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (isSeverity(v)) return v;
  throw new InvalidRequestError('minSeverity', `"${clean(value, 40)}" is not a severity (expected one of ${SEVERITIES.join(', ')})`);
}

function dryRun(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidRequestError('dryRun', 'must be true or false');
  return value;
}
