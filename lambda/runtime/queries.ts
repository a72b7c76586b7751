import type { QueriedStream, Rule, ServerNeeds } from '../model/rule';
import { QUERIED_STREAMS } from '../model/rule';
import { RESULT_FIELDS } from '../model/query-fields';

/**
 * Rows one query may return. Logs Insights returns at most 10,000 rows unless the query raises
 * `limit` (newer documentation allows up to 100,000); 10,000 keeps every result set small enough for
 * the Lambda's memory, and a result that reaches it is split in time, never cut (see insights.ts).
 */
export const ROW_LIMIT = 10_000;

/** Which log streams each stream kind reads. `kube-apiserver-` also prefixes the audit streams. */
/**
 * The audit query counts requests, not stages: a watch is logged at ResponseStarted and again at ResponseComplete
 * under one auditID (RequestReceived too where the policy keeps it), and a row's count must not count it twice. The
 * final stage carries everything the rules read (the response code, the annotations); a request still running at
 * the window's end is counted in the window its ResponseComplete falls in.
 */
export const NON_FINAL_STAGES = '@message not like /"stage":"(RequestReceived|ResponseStarted)"/';

/** The stream-name part of each kind's filter: runtime/log-streams.ts replaces it with `@logStream in [...]`. */
export const STREAM_NAME_FILTERS: Record<QueriedStream, string> = {
  audit: '@logStream like /^kube-apiserver-audit-/',
  apiserver: '@logStream like /^kube-apiserver-/ and @logStream not like /^kube-apiserver-audit-/',
  authenticator: '@logStream like /^authenticator-/',
};

/** Conditions on the events themselves, kept however the streams are chosen. */
const STREAM_EVENT_FILTERS: Partial<Record<QueriedStream, string>> = { audit: NON_FINAL_STAGES };

export const STREAM_FILTERS: Record<QueriedStream, string> = {
  audit: `${STREAM_NAME_FILTERS.audit} and ${NON_FINAL_STAGES}`,
  apiserver: STREAM_NAME_FILTERS.apiserver,
  authenticator: STREAM_NAME_FILTERS.authenticator,
};

const STREAM_ORDER: readonly QueriedStream[] = QUERIED_STREAMS;

/**
 * Keys that are distinct for every event (the aws-auth rules declare `auditID`). Grouping by one would
 * give every event of every rule of the stream its own row (1,000 kubelets refused every 10 s for an
 * hour = 360,000 rows), and Logs Insights has no conditional to group by it only for the rare events
 * that rule wants. So they are left out of `by`, and each row carries the EARLIEST and the LATEST
 * message of its group (plus the count and time range): a write and its revert by the same user in one
 * window are both seen, and a row that stands for more events says how many.
 */
export const PER_EVENT_KEYS: ReadonlySet<string> = new Set([
  'auditID',
  '@ptr',
  '@timestamp',
  '@ingestionTime',
  'requestReceivedTimestamp',
  'stageTimestamp',
]);

/**
 * A key an unauthenticated client could give a new value per request: responseStatus.message names the
 * object or path refused ("pods \"x\" is forbidden ...", "cannot get path \"/x\""), and anonymous 403s
 * match the audit query. The node rules need it (for a shared node username it tells one node's lease
 * from another's), so it is kept for every identity but system:anonymous, whose messages are grouped as
 * one (`strcontains` is 1 for anonymous, so the substring's length is 0). Each row still keeps its
 * earliest and latest message, and its count.
 */
export const GATED_KEYS: Readonly<Record<string, { readonly alias: string; readonly expression: string }>> = {
  'responseStatus.message': {
    alias: 'deniedMessage',
    expression: 'substr(responseStatus.message, 0, 4096 * (1 - strcontains(user.username, "system:anonymous")))',
  },
};

/** Result columns every query returns, in addition to the group keys (model/query-fields.ts). */
export { RESULT_FIELDS } from '../model/query-fields';

export interface StreamQuery {
  readonly stream: QueriedStream;
  /** Ids of the rules whose needs the query serves, in registry order. */
  readonly ruleIds: readonly string[];
  /** Fields of `stats ... by`, in first-declared order. */
  readonly keys: readonly string[];
  /** Keys a rule declared that were left out of `by` (see PER_EVENT_KEYS). */
  readonly droppedKeys: readonly string[];
  /** The Logs Insights query, printable and ready to paste into the console. */
  readonly queryString: string;
}

/**
 * At most one query per stream kind, from every rule's declared needs: Logs Insights bills each GB
 * scanned, so N rules over the same streams must not mean N scans. Filters are ORed; keys are united.
 * A stream kind no rule reads gets no query, nor does `kubelet` (never in CloudWatch).
 */
export function buildQueries(rules: readonly Rule[], limit = ROW_LIMIT): StreamQuery[] {
  const queries: StreamQuery[] = [];
  for (const stream of STREAM_ORDER) {
    const mine = rules.filter((r) => needsOf(r).some((n) => n.stream === stream));
    if (mine.length === 0) continue;
    const needs = mine.flatMap((r) => needsOf(r).filter((n) => n.stream === stream));
    const keys: string[] = [];
    const dropped: string[] = [];
    for (const need of needs) {
      for (const declared of need.keys) {
        // Rules may write a key with or without its backticks: compare bare names.
        const key = declared.trim().replace(/^`(.*)`$/, '$1');
        const target = PER_EVENT_KEYS.has(key) ? dropped : keys;
        if (!target.includes(key)) target.push(key);
      }
    }
    const filters = [...new Set(needs.map((n) => n.filter.trim()))];
    const parses = [...new Set(needs.flatMap((n) => n.parse ?? []).map((p) => p.trim()))];
    queries.push({
      stream,
      ruleIds: mine.map((r) => r.id),
      keys,
      droppedKeys: dropped,
      queryString: render(stream, mine, filters, parses, keys, dropped, limit),
    });
  }
  return queries;
}

function render(
  stream: QueriedStream,
  rules: readonly Rule[],
  filters: readonly string[],
  parses: readonly string[],
  keys: readonly string[],
  dropped: readonly string[],
  limit: number,
): string {
  const f = RESULT_FIELDS;
  const ruleFilter = filters.length === 1 ? filters[0] : filters.map((x) => `(${x})`).join('\n    or ');
  const stats =
    `stats count(*) as ${f.count}, min(@timestamp) as ${f.firstSeen}, max(@timestamp) as ${f.lastSeen},` +
    ` latest(@message) as ${f.sample}, earliest(@message) as ${f.firstSample}, latest(@logStream) as ${f.logStream}` +
    (stream === 'audit' ? `, count_distinct(requestURI) as ${f.distinctPaths}` : '');
  const gated = keys.filter((k) => GATED_KEYS[k] !== undefined);
  const byKeys = keys.map((k) => GATED_KEYS[k]?.alias ?? fieldRef(k));
  const lines = [
    `# eks-authz-audit: ${stream} streams; rules: ${rules.map((r) => r.id).join(', ')}`,
    ...(dropped.length > 0 ? [`# per-event keys not grouped by (a row keeps its earliest and latest event): ${dropped.join(', ')}`] : []),
    `filter ${STREAM_FILTERS[stream]}`,
    `| filter ${ruleFilter}`,
    ...parses.map((p) => `| parse ${p}`),
    ...gated.map((k) => `| fields ${GATED_KEYS[k]!.expression} as ${GATED_KEYS[k]!.alias}`),
    keys.length > 0 ? `| ${stats}\n    by ${byKeys.join(', ')}` : `| ${stats}`,
    `| limit ${limit}`,
  ];
  return lines.join('\n');
}

/** A rule's server-side needs: its own stream's, then the others it reads. */
export function needsOf(rule: Rule): readonly ServerNeeds[] {
  return rule.alsoNeeds ? [rule.needs, ...rule.alsoNeeds] : [rule.needs];
}

/**
 * The query with its stream filter replaced (`filter @logStream in [...]`, see runtime/log-streams.ts).
 * The stream kind's own filter line is the only line that starts with it.
 */
export function queryWithStreamFilter(query: StreamQuery, filter: string): string {
  const line = `filter ${STREAM_FILTERS[query.stream]}`;
  const at = query.queryString.indexOf(`\n${line}\n`);
  if (at < 0) throw new Error(`the ${query.stream} query has no stream filter line`);
  const events = STREAM_EVENT_FILTERS[query.stream];
  return `${query.queryString.slice(0, at + 1)}filter ${events ? `${filter} and ${events}` : filter}${query.queryString.slice(at + 1 + line.length)}`;
}

/**
 * A field name as Logs Insights wants it: names with characters other than letters, digits, `@` and `.`
 * must be in backticks (`annotations.authorization.k8s.io/decision`).
 */
export function fieldRef(name: string): string {
  if (/^[@A-Za-z0-9.]+$/.test(name)) return name;
  return `\`${name.replace(/`/g, '')}\``;
}
