/**
 * A small Logs Insights evaluator for the in-process fake (fake-aws.ts): enough of the query language the
 * auditor writes to answer StartQuery / GetQueryResults from stored log events, and to account for what a
 * query scans the way the service bills it.
 * - The first `filter` selects streams: `@logStream in ['a', 'b']` (only those streams' events are scanned,
 *   as an equality filter on the indexed @logStream lets the service skip the others) or `@logStream like
 *   /re/ [and @logStream not like /re/]` (every event of the group in the window is scanned).
 * - The rule filter (`| filter ...`) is not evaluated: every scanned event counts as matched and the rules
 *   judge the rows, so the row count depends on the grouping keys alone (what the row-bound tests measure).
 * - `| fields EXPR as NAME` with field references, string and number literals, + - * /, and the functions
 *   substr, strcontains and strlen.
 * - `| stats ... by KEYS`: one row per distinct key tuple, with n, firstSeen, lastSeen, sample, firstSample,
 *   logStream and any `count_distinct(FIELD) as NAME`, as the auditor's stats clause asks; `| limit N`.
 */
export interface FakeLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface FakeLogGroup {
  /** STANDARD (default), INFREQUENT_ACCESS, ... */
  readonly logGroupClass?: string;
  readonly streams: Record<string, FakeLogEvent[]>;
  /** lastEventTimestamp as DescribeLogStreams reports it (lags by up to an hour in AWS); default: the last event's. */
  readonly lastEventTimestamp?: Record<string, number>;
}

export interface Evaluation {
  readonly rows: { field: string; value: string }[][];
  readonly recordsScanned: number;
  readonly bytesScanned: number;
  /** Bytes scanned per stream, for the assertions of the cost tests. */
  readonly bytesByStream: Record<string, number>;
  readonly recordsMatched: number;
}

type Value = string | number | undefined;

export function evaluateQuery(group: FakeLogGroup, queryString: string, startTime: number, endTime: number, limit: number): Evaluation {
  const lines = queryString.split('\n').filter((l) => !l.startsWith('#'));
  const selectLine = lines.find((l) => l.startsWith('filter '));
  if (!selectLine) throw new Error('query has no stream filter');
  const selects = streamSelector(selectLine.slice('filter '.length));
  const computed = [...queryString.matchAll(/^\| fields (.+) as (\w+)$/gm)].map((m) => ({ expr: parseExpr(m[1]!), alias: m[2]! }));
  const by = /\n\s+by (.+)\n/.exec(queryString)?.[1]?.split(/,\s*/).map((k) => k.replace(/^`(.*)`$/, '$1')) ?? [];
  const distinct = [...queryString.matchAll(/count_distinct\(([^)]+)\) as (\w+)/g)].map((m) => ({ field: m[1]!, alias: m[2]! }));
  const rows = new Map<string, { keys: Record<string, Value>; n: number; first: FakeLogEvent & { stream: string }; last: FakeLogEvent & { stream: string }; sets: Set<Value>[] }>();
  const bytesByStream: Record<string, number> = {};
  let scanned = 0;
  let bytes = 0;
  for (const [stream, events] of Object.entries(group.streams)) {
    if (!selects(stream)) continue;
    for (const e of events) {
      if (e.timestamp < startTime * 1000 || e.timestamp >= (endTime + 1) * 1000) continue;
      scanned++;
      const size = Buffer.byteLength(e.message, 'utf8');
      bytes += size;
      bytesByStream[stream] = (bytesByStream[stream] ?? 0) + size;
      const fields = flatten(e.message, stream, e.timestamp);
      for (const c of computed) fields.set(c.alias, c.expr(fields));
      const keys: Record<string, Value> = {};
      for (const k of by) keys[k] = fields.get(k);
      const id = JSON.stringify(by.map((k) => keys[k] ?? null));
      const ev = { ...e, stream };
      const row = rows.get(id);
      const values = distinct.map((d) => fields.get(d.field));
      if (!row) rows.set(id, { keys, n: 1, first: ev, last: ev, sets: values.map((v) => new Set(v === undefined ? [] : [v])) });
      else {
        values.forEach((v, i) => v !== undefined && row.sets[i]!.add(v));
        row.n++;
        if (e.timestamp < row.first.timestamp) row.first = ev;
        if (e.timestamp >= row.last.timestamp) row.last = ev;
      }
    }
  }
  const out = [...rows.values()].slice(0, limit).map((r) => [
    ...Object.entries(r.keys).filter(([, v]) => v !== undefined).map(([field, v]) => ({ field, value: String(v) })),
    { field: 'n', value: String(r.n) },
    { field: 'firstSeen', value: insightsTime(r.first.timestamp) },
    { field: 'lastSeen', value: insightsTime(r.last.timestamp) },
    { field: 'sample', value: r.last.message },
    { field: 'firstSample', value: r.first.message },
    { field: 'logStream', value: r.last.stream },
    ...distinct.map((d, i) => ({ field: d.alias, value: String(r.sets[i]!.size) })),
  ]);
  return { rows: out, recordsScanned: scanned, bytesScanned: bytes, bytesByStream, recordsMatched: scanned };
}

function insightsTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function streamSelector(filter: string): (stream: string) => boolean {
  // Conditions after the stream selection (`and @message not like ...`) are not evaluated.
  const list = /^@logStream in \[([^\]]*)\]/.exec(filter);
  if (list) {
    const names = new Set([...list[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!));
    return (s) => names.has(s);
  }
  const like = /^@logStream like \/(.+?)\/(?: and @logStream not like \/(.+?)\/)?/.exec(filter);
  if (like) {
    const yes = new RegExp(like[1]!);
    const no = like[2] ? new RegExp(like[2]) : undefined;
    return (s) => yes.test(s) && !(no?.test(s) ?? false);
  }
  throw new Error(`stream filter not understood: ${filter}`);
}

/** Logs Insights' view of a JSON event: every leaf under its dotted path, arrays by index. */
function flatten(message: string, stream: string, timestamp: number): Map<string, Value> {
  const fields = new Map<string, Value>([['@message', message], ['@logStream', stream], ['@timestamp', timestamp]]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return fields;
  }
  const walk = (v: unknown, path: string): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, path ? `${path}.${k}` : k);
      return;
    }
    fields.set(path, typeof v === 'number' ? v : String(v));
  };
  walk(parsed, '');
  return fields;
}

type Expr = (fields: Map<string, Value>) => Value;

function parseExpr(src: string): Expr {
  const tokens = src.match(/`[^`]*`|"[^"]*"|'[^']*'|\d+(?:\.\d+)?|[@A-Za-z_][\w.@]*|[-+*/(),]/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (t?: string): string => {
    const tok = tokens[i++];
    if (tok === undefined || (t !== undefined && tok !== t)) throw new Error(`expression not understood near ${tok ?? 'end'}: ${src}`);
    return tok;
  };
  const num = (v: Value): number | undefined => (v === undefined ? undefined : Number(v));
  const binary = (next: () => Expr, ops: string[]): Expr => {
    let left = next();
    while (ops.includes(peek() ?? '')) {
      const op = take();
      const l = left;
      const r = next();
      left = (f) => {
        const a = num(l(f));
        const b = num(r(f));
        if (a === undefined || b === undefined) return undefined;
        return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
      };
    }
    return left;
  };
  const factor = (): Expr => {
    const t = take();
    if (t === '(') {
      const e = sum();
      take(')');
      return e;
    }
    if (/^\d/.test(t)) return () => Number(t);
    if (/^["']/.test(t)) return () => t.slice(1, -1);
    const name = t.startsWith('`') ? t.slice(1, -1) : t;
    if (peek() !== '(') return (f) => f.get(name);
    take('(');
    const args: Expr[] = [];
    while (peek() !== ')') {
      args.push(sum());
      if (peek() === ',') take(',');
    }
    take(')');
    return call(name, args);
  };
  const product = (): Expr => binary(factor, ['*', '/']);
  const sum = (): Expr => binary(product, ['+', '-']);
  const e = sum();
  if (i !== tokens.length) throw new Error(`expression not understood: ${src}`);
  return e;
}

function call(name: string, args: Expr[]): Expr {
  switch (name) {
    case 'substr':
      return (f) => {
        const s = args[0]!(f);
        if (s === undefined) return undefined;
        const start = Number(args[1]!(f));
        return args[2] ? String(s).substr(start, Number(args[2](f))) : String(s).slice(start);
      };
    case 'strcontains':
      return (f) => {
        const s = args[0]!(f);
        return s === undefined ? undefined : String(s).includes(String(args[1]!(f))) ? 1 : 0;
      };
    case 'strlen':
      return (f) => {
        const s = args[0]!(f);
        return s === undefined ? undefined : String(s).length;
      };
    default:
      throw new Error(`function ${name} is not in the fake`);
  }
}
