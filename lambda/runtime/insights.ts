import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import type { QueriedStream } from '../model/rule';
import type { QueryStatistics } from '../model/report';
import { clean } from '../model/sanitize';
import { DEFAULT_RETRY, describeError, pollDelay, retrying, RETRY_MARGIN_MS, type BackoffPolicy, type Clock, type RetryPolicy } from './backoff';

export interface RunnerOptions {
  /**
   * Retries of StartQuery / GetQueryResults refused by throttling or the concurrent-query limit: the
   * only retry layer (the clients make one attempt each, see SDK_SINGLE_ATTEMPT).
   */
  readonly retry: RetryPolicy;
  /** GetQueryResults polling. */
  readonly poll: BackoffPolicy;
  /** Consecutive `Unknown` statuses tolerated before the query is given up. */
  readonly maxUnknownPolls: number;
  /**
   * Window splits allowed per stream query. Splitting helps when many events make many groups over
   * time; when the groups are many in every second (keys distinct per object), halves stay full and
   * each level scans the window again, so the budget bounds the cost and the outcome says what is missing.
   */
  readonly maxSplits: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  retry: DEFAULT_RETRY,
  poll: { baseMs: 250, capMs: 5_000 },
  maxUnknownPolls: 5,
  maxSplits: 8,
};

export interface QueryProgress {
  readonly stream: QueriedStream;
  readonly queryId: string;
  readonly status: string;
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}

export interface RunnerDeps {
  readonly client: Pick<CloudWatchLogsClient, 'send'>;
  readonly clock: Clock;
  /**
   * Milliseconds this run may still spend on queries (the Lambda's remaining time minus what
   * publishing needs). Infinity on a laptop.
   */
  readonly timeLeft: () => number;
  readonly options?: RunnerOptions;
  readonly onProgress?: (p: QueryProgress) => void;
  /** Called for every query started, so logs can carry the queryId. */
  readonly onStart?: (info: { stream: QueriedStream; queryId: string; startTime: number; endTime: number }) => void;
}

export interface QueryRequest {
  readonly stream: QueriedStream;
  /** Log group names or ARNs (ARNs for groups in accounts linked by cross-account observability). */
  readonly logGroups: readonly string[];
  readonly queryString: string;
  /** Window in epoch milliseconds, start inclusive, end exclusive. Whole seconds. */
  readonly startMs: number;
  readonly endMs: number;
  readonly limit: number;
}

export interface QueryOutcome {
  readonly rows: ResultField[][];
  /** Summed over every query the window needed (splits included: their bytes were paid for). */
  readonly statistics: QueryStatistics;
  readonly complete: boolean;
  readonly incompleteReason?: string;
}

/** Keeps polling only if this much time is left after the next wait (for StopQuery and the rest). */
const STOP_MARGIN_MS = RETRY_MARGIN_MS;

interface Attempt {
  rows: ResultField[][];
  queryId?: string;
  status: string;
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
  estimatedBytesSkipped: number;
  durationMs: number;
  failure?: string;
}

/**
 * Runs one Logs Insights query over a window. When a result reaches the row limit the window is
 * halved and both halves are queried instead (recursively), so no row is ever dropped silently;
 * a window that cannot be split further, a failed or abandoned query, makes the outcome incomplete.
 */
export async function runQuery(request: QueryRequest, deps: RunnerDeps): Promise<QueryOutcome> {
  const maxSplits = (deps.options ?? DEFAULT_RUNNER_OPTIONS).maxSplits;
  const total: QueryStatistics = {
    stream: request.stream, recordsMatched: 0, recordsScanned: 0, bytesScanned: 0, durationMs: 0, status: 'Complete', windowSplits: 0,
  };
  const rows: ResultField[][] = [];
  const reasons: string[] = [];
  const queryIds: string[] = [];

  // 'failed' stops the rest of the window (no point, and no time); 'partial' lets the other parts run.
  const runWindow = async (startMs: number, endMs: number): Promise<'ok' | 'partial' | 'failed'> => {
    const a = await attempt(request, startMs, endMs, deps);
    total.recordsMatched += a.recordsMatched;
    total.recordsScanned += a.recordsScanned;
    total.bytesScanned += a.bytesScanned;
    if (a.estimatedBytesSkipped > 0) total.estimatedBytesSkipped = (total.estimatedBytesSkipped ?? 0) + a.estimatedBytesSkipped;
    total.durationMs += a.durationMs;
    if (a.queryId) queryIds.push(a.queryId);
    if (a.failure) {
      total.status = a.status;
      reasons.push(a.failure);
      return 'failed';
    }
    if (a.rows.length < request.limit) {
      rows.push(...a.rows);
      return 'ok';
    }
    // At the row limit the result may be cut: query the two halves instead, on whole seconds.
    const mid = Math.floor((startMs + (endMs - startMs) / 2) / 1000) * 1000;
    const splits = total.windowSplits ?? 0;
    if (mid <= startMs || mid >= endMs || splits >= maxSplits) {
      // The rows we have are whole groups (each counted over its window); the ones past the limit are not read.
      rows.push(...a.rows);
      total.status = 'RowLimit';
      reasons.push(
        mid <= startMs || mid >= endMs
          ? `${request.stream} query reached the ${request.limit}-row limit in a window too short to split (${iso(startMs)})`
          : `${request.stream} query still reached the ${request.limit}-row limit after ${splits} window splits: groups past the limit in ${iso(startMs)}..${iso(endMs)} were not read`,
      );
      return 'partial';
    }
    total.windowSplits = splits + 1;
    const first = await runWindow(startMs, mid);
    if (first === 'failed') return first;
    const second = await runWindow(mid, endMs);
    return second === 'ok' ? first : second;
  };

  await runWindow(request.startMs, request.endMs);
  const statistics: QueryStatistics = { ...total, ...(queryIds.length > 0 ? { queryId: queryIds.join(',') } : {}) };
  return reasons.length === 0
    ? { rows, statistics, complete: true }
    : { rows, statistics, complete: false, incompleteReason: reasons.join('; ') };
}

async function attempt(request: QueryRequest, startMs: number, endMs: number, deps: RunnerDeps): Promise<Attempt> {
  const opts = deps.options ?? DEFAULT_RUNNER_OPTIONS;
  const { clock } = deps;
  const began = clock.now();
  const result: Attempt = { rows: [], status: 'NotStarted', recordsMatched: 0, recordsScanned: 0, bytesScanned: 0, estimatedBytesSkipped: 0, durationMs: 0 };
  const done = (failure?: string): Attempt => {
    result.durationMs = clock.now() - began;
    if (failure) result.failure = `${request.stream} query ${failure}`;
    return result;
  };
  // StartQuery takes epoch seconds, both ends inclusive: [start, end) becomes [start, end - 1 s].
  const startTime = Math.floor(startMs / 1000);
  const endTime = Math.max(startTime, Math.ceil(endMs / 1000) - 1);

  let queryId: string;
  try {
    const started = await retrying(opts.retry, deps, () =>
      deps.client.send(
        new StartQueryCommand({
          logGroupIdentifiers: [...request.logGroups],
          startTime,
          endTime,
          queryString: request.queryString,
          limit: request.limit,
        }),
      ),
    );
    if (!started.queryId) return done('was not started: StartQuery returned no queryId');
    queryId = started.queryId;
  } catch (err) {
    return done(`could not be started: ${clean(describeError(err), 300)}`);
  }
  result.queryId = queryId;
  result.status = 'Scheduled';
  deps.onStart?.({ stream: request.stream, queryId, startTime, endTime });

  let unknown = 0;
  for (let poll = 0; ; poll++) {
    const wait = pollDelay(poll, opts.poll, clock.random);
    if (deps.timeLeft() < wait + STOP_MARGIN_MS) {
      const last = result.status;
      await stopQuietly(deps, queryId);
      result.status = 'Abandoned';
      return done(`was stopped unfinished (last status ${last}): the run ran out of time`);
    }
    await clock.sleep(wait);
    let page;
    try {
      page = await retrying(opts.retry, deps, () => deps.client.send(new GetQueryResultsCommand({ queryId })));
    } catch (err) {
      await stopQuietly(deps, queryId);
      result.status = 'Abandoned';
      return done(`results could not be read: ${clean(describeError(err), 300)}`);
    }
    const status = page.status ?? 'Unknown';
    result.status = status;
    result.recordsMatched = page.statistics?.recordsMatched ?? 0;
    result.recordsScanned = page.statistics?.recordsScanned ?? 0;
    result.bytesScanned = page.statistics?.bytesScanned ?? 0;
    result.estimatedBytesSkipped = page.statistics?.estimatedBytesSkipped ?? 0;
    deps.onProgress?.({
      stream: request.stream, queryId, status,
      recordsMatched: result.recordsMatched, recordsScanned: result.recordsScanned, bytesScanned: result.bytesScanned,
    });
    switch (status) {
      case 'Complete':
        result.rows = page.results ?? [];
        return done();
      case 'Failed':
      case 'Cancelled':
      case 'Timeout':
        return done(`ended with status ${status}`);
      case 'Scheduled':
      case 'Running':
        unknown = 0;
        continue;
      default:
        // Unknown (or a status this code does not know): give it a few polls, then give up.
        if (++unknown >= opts.maxUnknownPolls) {
          await stopQuietly(deps, queryId);
          return done(`stayed in status ${clean(status, 40)} for ${unknown} polls`);
        }
    }
  }
}

/** StopQuery on a query we abandon, so it stops scanning (and billing); failures only cost money. */
async function stopQuietly(deps: RunnerDeps, queryId: string): Promise<void> {
  try {
    await deps.client.send(new StopQueryCommand({ queryId }));
  } catch {
    // Already finished, or not ours to stop any more: nothing useful to do.
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
