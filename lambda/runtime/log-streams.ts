import { DescribeLogGroupsCommand, DescribeLogStreamsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { QueriedStream } from '../model/rule';
import { clean } from '../model/sanitize';
import { DEFAULT_RETRY, describeError, retrying, type RetryDeps, type RetryPolicy } from './backoff';
import type { TimeWindow } from './window';

/**
 * Which streams each stream kind's query reads. Logs Insights bills every byte in the time range of the
 * selected log groups, and a `like` filter on @logStream does not reduce it; an equality filter on an
 * indexed field does, and @logStream is indexed by default on Standard-class groups (CloudWatch Logs
 * user guide, field indexes). So each query names its streams: `filter @logStream in [...]`.
 */
export const STREAM_PREFIX: Record<QueriedStream, { readonly prefix: string; readonly exclude?: string }> = {
  audit: { prefix: 'kube-apiserver-audit-' },
  apiserver: { prefix: 'kube-apiserver-', exclude: 'kube-apiserver-audit-' },
  authenticator: { prefix: 'authenticator-' },
};

/** DescribeLogStreams' lastEventTimestamp is eventually consistent: it can lag ingestion by up to an hour. */
export const LAST_EVENT_LAG_MS = 60 * 60_000;
/** Logs Insights refuses a query string longer than this. */
export const QUERY_MAX_CHARS = 10_000;
/** Pages of 50 streams listed per stream kind; a group with more streams falls back to the prefix filter. */
export const MAX_STREAM_PAGES = 20;
/** Names EKS gives its streams; any other name under a prefix is not put into a query, the prefix filter is used. */
const SAFE_STREAM_NAME = /^[A-Za-z0-9._-]{1,512}$/;
/** Classes without field indexes: Infrequent Access (and Essentials, which DescribeLogGroups groups with it). */
const UNINDEXED_CLASSES = new Set(['INFREQUENT_ACCESS', 'ESSENTIALS']);

export interface StreamSelection {
  readonly stream: QueriedStream;
  /** `streams`: the query names its streams; `prefix`: the query filters stream names by prefix (scans the whole group). */
  readonly mode: 'streams' | 'prefix';
  /** Streams that can hold events of the window (mode `streams`). Empty: nothing to scan, no query. */
  readonly streams: readonly string[];
  /** The listing succeeded and found no stream that can hold events of the window. */
  readonly noStreams: boolean;
  /** Why the prefix filter is used. */
  readonly fallbackReason?: string;
}

export interface StreamListDeps extends RetryDeps {
  readonly client: Pick<CloudWatchLogsClient, 'send'>;
  readonly retry?: RetryPolicy;
}

/** The `filter` line that selects the streams of a selection. Names are checked safe before they get here. */
export function streamFilter(names: readonly string[]): string {
  return `@logStream in [${names.map((n) => `'${n}'`).join(', ')}]`;
}

/**
 * Lists each kind's streams once (DescribeLogStreams, name prefix), keeps those that can hold events of
 * the window, and decides per kind whether the query can name them. `queryLength(kind, filter)` gives the
 * length of that kind's query with a given stream filter, to respect the 10,000-character limit.
 */
export async function selectStreams(
  logGroup: string,
  window: TimeWindow,
  kinds: readonly QueriedStream[],
  queryLength: (kind: QueriedStream, filter: string) => number,
  deps: StreamListDeps,
): Promise<Map<QueriedStream, StreamSelection>> {
  const out = new Map<QueriedStream, StreamSelection>();
  const prefix = (stream: QueriedStream, fallbackReason: string): StreamSelection => ({ stream, mode: 'prefix', streams: [], noStreams: false, fallbackReason });
  const cls = await logGroupClass(logGroup, deps);
  if (cls !== undefined && UNINDEXED_CLASSES.has(cls)) {
    for (const k of kinds) out.set(k, prefix(k, `log group class ${cls} has no @logStream index: a stream filter would not reduce the bytes scanned`));
    return out;
  }
  for (const kind of kinds) {
    let listed: string[];
    try {
      listed = await listStreams(logGroup, kind, window, deps);
    } catch (err) {
      out.set(kind, prefix(kind, clean(describeError(err), 300)));
      continue;
    }
    const unsafe = listed.find((n) => !SAFE_STREAM_NAME.test(n));
    if (unsafe !== undefined) {
      out.set(kind, prefix(kind, `stream name ${clean(JSON.stringify(unsafe), 120)} is not one EKS writes: not put into a query`));
    } else if (queryLength(kind, streamFilter(listed)) > QUERY_MAX_CHARS) {
      out.set(kind, prefix(kind, `${listed.length} streams would make the query longer than ${QUERY_MAX_CHARS.toLocaleString('en-US')} characters`));
    } else {
      out.set(kind, { stream: kind, mode: 'streams', streams: listed, noStreams: listed.length === 0 });
    }
  }
  return out;
}

async function listStreams(logGroup: string, kind: QueriedStream, window: TimeWindow, deps: StreamListDeps): Promise<string[]> {
  const { prefix, exclude } = STREAM_PREFIX[kind];
  const group = logGroup.startsWith('arn:') ? { logGroupIdentifier: logGroup } : { logGroupName: logGroup };
  const names: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await retrying(deps.retry ?? DEFAULT_RETRY, deps, () =>
      deps.client.send(new DescribeLogStreamsCommand({ ...group, logStreamNamePrefix: prefix, ...(nextToken ? { nextToken } : {}) })),
    );
    for (const s of page.logStreams ?? []) {
      const name = s.logStreamName;
      if (!name || (exclude && name.startsWith(exclude))) continue;
      // Could hold events of [start, end): created before the end, first event before the end, and a last
      // event (or ingestion) no earlier than an hour before the start, since that timestamp lags.
      if (s.creationTime !== undefined && s.creationTime >= window.endMs) continue;
      if (s.firstEventTimestamp !== undefined && s.firstEventTimestamp >= window.endMs) continue;
      const last = Math.max(s.lastEventTimestamp ?? -Infinity, s.lastIngestionTime ?? -Infinity);
      if (Number.isFinite(last) && last < window.startMs - LAST_EVENT_LAG_MS) continue;
      names.push(name);
    }
    nextToken = page.nextToken;
    if (nextToken && ++pages >= MAX_STREAM_PAGES) throw new Error(`more than ${MAX_STREAM_PAGES * 50} ${prefix}* streams to list`);
  } while (nextToken);
  return names.sort();
}

/** STANDARD, INFREQUENT_ACCESS, ...; undefined when it could not be read (the stream filter is then tried). */
async function logGroupClass(logGroup: string, deps: StreamListDeps): Promise<string | undefined> {
  const arn = /^arn:aws[a-z-]*:logs:[^:]+:(\d{12}):log-group:(.+)$/.exec(logGroup);
  const name = arn ? arn[2]! : logGroup;
  try {
    const page = await retrying(deps.retry ?? DEFAULT_RETRY, deps, () =>
      deps.client.send(
        new DescribeLogGroupsCommand({
          logGroupNamePrefix: name,
          ...(arn ? { includeLinkedAccounts: true, accountIdentifiers: [arn[1]!] } : {}),
        }),
      ),
    );
    return page.logGroups?.find((g) => g.logGroupName === name)?.logGroupClass;
  } catch {
    return undefined;
  }
}
