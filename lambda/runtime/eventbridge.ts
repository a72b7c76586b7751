import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Incident } from '../model/incident';
import { clean } from '../model/sanitize';
import { DEFAULT_RETRY, describeError, retrying, type RetryDeps, type RetryPolicy } from './backoff';

/**
 * One EventBridge event per incident status change (new, escalated, reminder, resolved), so that teams route
 * incidents with rules they already have (PagerDuty, Slack, a ticket system). `detail` is the incident JSON, the
 * same contract as in the scan output and the Lambda response, with its `status`.
 */
export const EVENT_SOURCE = 'eks-authz-audit';
export const EVENT_DETAIL_TYPE = 'EKS Authz Audit Incident';
/** PutEvents takes at most 10 entries per request, each at most 256 KB. */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Error codes of an entry worth sending again (the others would fail the same way). */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'InternalException', 'ThrottlingException']);

export interface EventBridgeOutcome {
  /** Events to send, and how many EventBridge took. */
  sent: number;
  put: number;
  requests: number;
  /** Events refused (FailedEntryCount) or not sent, with the incident and why (at most 20 listed). */
  failed: { incidentId: string; status: string; code: string; message: string }[];
  failedCount: number;
  /** Set when a request itself failed (after retries). */
  error?: string;
}

const LISTED_FAILURES = 20;

export interface EventBridgeDeps extends RetryDeps {
  readonly client: Pick<EventBridgeClient, 'send'>;
  readonly retry?: RetryPolicy;
}

/** Where and about what: the bus (name or ARN) and the cluster's ARN for the event's `resources`. */
export interface EventTarget {
  readonly eventBus: string;
  readonly clusterArn?: string;
  /** The event time (the run's window end), ISO 8601. */
  readonly time?: string;
}

/** The entry for one incident, made to fit 256 KB (its findings list shortened first, then the aws-auth snippets). */
export function incidentEntry(incident: Incident, target: EventTarget): PutEventsRequestEntry {
  const entry = (detail: unknown): PutEventsRequestEntry => ({
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    EventBusName: target.eventBus,
    ...(target.clusterArn ? { Resources: [target.clusterArn] } : {}),
    ...(target.time ? { Time: new Date(target.time) } : {}),
  });
  let detail: Incident & { findingsOmitted?: number } = incident;
  let e = entry(detail);
  if (entrySize(e) <= MAX_ENTRY_BYTES) return e;
  // Fingerprints are the bulk of a large incident: keep as many as fit, and say how many were left out.
  let keep = incident.findings.length;
  while (keep > 0 && entrySize(e) > MAX_ENTRY_BYTES) {
    keep = Math.floor(keep / 2);
    detail = { ...incident, findings: incident.findings.slice(0, keep), findingsOmitted: incident.findings.length - keep };
    e = entry(detail);
  }
  const change = detail.cause.change;
  if (entrySize(e) > MAX_ENTRY_BYTES && change) {
    const cut = (s: string | null | undefined): string | null | undefined => (typeof s === 'string' ? clean(s, 8_192) : s);
    detail = { ...detail, cause: { ...detail.cause, change: { ...change, before: cut(change.before), after: cut(change.after) } } };
    e = entry(detail);
  }
  return e;
}

/**
 * The size EventBridge counts for an entry (PutEvents entry size: Time 14 bytes, Source, DetailType, Detail and
 * each resource in UTF-8).
 */
export function entrySize(e: PutEventsRequestEntry): number {
  const utf8 = (s: string | undefined): number => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (e.Time ? 14 : 0) + utf8(e.Source) + utf8(e.DetailType) + utf8(e.Detail) + (e.Resources ?? []).reduce((n, r) => n + utf8(r), 0);
}

/**
 * Puts one event per incident (each with its status), 10 per request. Entries EventBridge refuses with a
 * transient code are sent again under the retry policy; the rest are reported with the incident and why.
 */
export async function putIncidentEvents(incidents: readonly Incident[], target: EventTarget, deps: EventBridgeDeps): Promise<EventBridgeOutcome> {
  const outcome: EventBridgeOutcome = { sent: incidents.length, put: 0, requests: 0, failed: [], failedCount: 0 };
  const fail = (incident: Incident, code: string, message: string): void => {
    outcome.failedCount++;
    if (outcome.failed.length < LISTED_FAILURES) outcome.failed.push({ incidentId: incident.id, status: incident.status ?? '', code, message: clean(message, 500) });
  };
  const ready: { incident: Incident; entry: PutEventsRequestEntry }[] = [];
  for (const incident of incidents) {
    const entry = incidentEntry(incident, target);
    const size = entrySize(entry);
    if (size > MAX_ENTRY_BYTES) fail(incident, 'EntryTooLarge', `the event is ${size} bytes even shortened; EventBridge takes at most ${MAX_ENTRY_BYTES}`);
    else ready.push({ incident, entry });
  }
  const policy = deps.retry ?? DEFAULT_RETRY;
  for (let i = 0; i < ready.length; i += MAX_ENTRIES_PER_PUT) {
    let pending = ready.slice(i, i + MAX_ENTRIES_PER_PUT);
    try {
      // The retry layer repeats the request while some of its entries failed transiently; each round sends only those.
      await retrying(policy, deps, async () => {
        outcome.requests++;
        const answer = await deps.client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        const again: typeof pending = [];
        pending.forEach((p, n) => {
          const result = answer.Entries?.[n];
          if (result?.EventId && !result.ErrorCode) outcome.put++;
          else if (result?.ErrorCode && RETRYABLE_ENTRY_CODES.has(result.ErrorCode)) again.push(p);
          else fail(p.incident, result?.ErrorCode ?? 'Unknown', result?.ErrorMessage ?? 'no result for this entry');
        });
        pending = again;
        if (again.length > 0) throw new TransientEntries(again.length);
      });
    } catch (err) {
      const why = describeError(err);
      outcome.error = outcome.error ?? why;
      for (const p of pending) fail(p.incident, err instanceof TransientEntries ? 'InternalFailure' : errorName(err), why);
    }
  }
  return outcome;
}

/** Some entries failed with a transient code: a retryable error, so the retry layer sends them again. */
class TransientEntries extends Error {
  override readonly name = 'TransientEntriesError';
  /** What isRetryable() looks for on an SDK error that may be retried. */
  readonly $retryable = {};
  constructor(count: number) {
    super(`${count} event(s) refused with a transient error by EventBridge`);
  }
}

function errorName(err: unknown): string {
  return err instanceof Error && err.name ? err.name : 'Error';
}
