import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeExports } from './fake-exports';
import { evaluateQuery, type FakeLogGroup } from './fake-insights';

/**
 * An in-process stand-in for the two AWS APIs the audit function calls, on 127.0.0.1:
 * - CloudWatch Logs, JSON 1.1 protocol: `POST /`, `X-Amz-Target: Logs_20140328.<Operation>`,
 *   `Content-Type: application/x-amz-json-1.1`; errors are `{"__type": "...", "message": "..."}`
 *   with a 4xx/5xx status.
 * - SNS, query protocol: `POST /` with a form-encoded body `Action=Publish&...`; the answer is XML,
 *   `<PublishResponse><PublishResult><MessageId>`, errors `<ErrorResponse><Error><Type><Code><Message>`.
 * - Security Hub (BatchImportFindings) and EventBridge (PutEvents): fake-exports.ts, under `exports`.
 * - EKS, REST JSON: `GET /clusters/{name}`, `/node-groups[/{name}]`, `/access-entries[/{principalArn}[/access-policies]]`
 *   (EKS API reference); errors carry `x-amzn-errortype` and `{"message": ...}`.
 * - DescribeLogStreams / DescribeLogGroups over `logGroups`, and evaluate(): GetQueryResults computed from the
 *   stored events by the evaluator in fake-insights.ts.
 * Tests script the answers and read back every request.
 */
export interface FakeEksCluster {
  /** The `cluster` object of DescribeCluster. */
  readonly cluster: Record<string, unknown>;
  readonly nodegroups?: Record<string, Record<string, unknown>>;
  /** By principal ARN: the `accessEntry` object and its associated policies. */
  readonly accessEntries?: Record<string, { entry: Record<string, unknown>; policies?: Record<string, unknown>[] }>;
}
export interface LogsCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export interface StartedQuery {
  readonly queryId: string;
  readonly logGroupIdentifiers: string[];
  readonly startTime: number;
  readonly endTime: number;
  readonly queryString: string;
  /** From the query's first line: `# eks-authz-audit: audit streams; ...`. */
  readonly stream: string;
  /** How many times GetQueryResults asked for it. */
  polls: number;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface Script {
  /** Answer to StartQuery before a query is registered; return undefined to accept it. */
  startQuery?(call: number, body: Record<string, unknown>): Reply | undefined;
  /** Answer to GetQueryResults for a started query. */
  getQueryResults(query: StartedQuery): Reply;
  /** Answer to Publish: undefined means success. */
  publish?(call: number, params: URLSearchParams): Reply | undefined;
  /** Answer to an EKS request before the stored clusters are consulted: undefined means "answer from `eks`". */
  eks?(path: string): Reply | undefined;
}

export class FakeAws {
  readonly logsCalls: LogsCall[] = [];
  readonly queries: StartedQuery[] = [];
  readonly stopped: string[] = [];
  readonly published: URLSearchParams[] = [];
  readonly publishAttempts: URLSearchParams[] = [];
  readonly exports = new FakeExports();
  /** EKS requests as `GET /clusters/...` (path decoded). */
  readonly eksCalls: string[] = [];
  /** EKS clusters by name; a name not here answers ResourceNotFoundException. */
  readonly eks = new Map<string, FakeEksCluster>();
  /** Log groups by name, for DescribeLogStreams, DescribeLogGroups and evaluate(). */
  readonly logGroups = new Map<string, FakeLogGroup>();
  /** Bytes each evaluated query scanned per stream, by queryId. */
  readonly scannedByQuery = new Map<string, Record<string, number>>();
  private server: Server | undefined;
  private startCalls = 0;
  script: Script = { getQueryResults: () => ({ status: 200, body: { status: 'Complete', results: [], statistics: {} } }) };

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  reset(script: Script): void {
    this.script = script;
    this.logsCalls.length = 0;
    this.queries.length = 0;
    this.stopped.length = 0;
    this.published.length = 0;
    this.publishAttempts.length = 0;
    this.eksCalls.length = 0;
    this.eks.clear();
    this.logGroups.clear();
    this.scannedByQuery.clear();
    this.startCalls = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (this.exports.handle(req, raw, res)) return;
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && typeof target === 'string' && target.startsWith('Logs_20140328.')) {
      return this.logs(target.slice('Logs_20140328.'.length), JSON.parse(raw || '{}') as Record<string, unknown>, res);
    }
    if (req.method === 'GET' && req.url?.startsWith('/clusters/')) return this.eksRequest(req.url, res);
    const params = new URLSearchParams(raw);
    if (req.method === 'POST' && params.get('Action') === 'Publish') return this.sns(params, res);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`unexpected request ${req.method} ${req.url}`);
  }

  private logs(operation: string, body: Record<string, unknown>, res: ServerResponse): void {
    this.logsCalls.push({ operation, body });
    const reply = (r: Reply): void => {
      res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.logsCalls.length}` });
      res.end(JSON.stringify(r.body));
    };
    switch (operation) {
      case 'StartQuery': {
        const early = this.script.startQuery?.(++this.startCalls, body);
        if (early) return reply(early);
        const queryString = String(body['queryString']);
        const q: StartedQuery = {
          queryId: `q-${this.queries.length + 1}`,
          logGroupIdentifiers: body['logGroupIdentifiers'] as string[],
          startTime: body['startTime'] as number,
          endTime: body['endTime'] as number,
          queryString,
          stream: /^# eks-authz-audit: (\w+) streams/.exec(queryString)?.[1] ?? '?',
          polls: 0,
        };
        this.queries.push(q);
        return reply({ status: 200, body: { queryId: q.queryId } });
      }
      case 'GetQueryResults': {
        const q = this.queries.find((x) => x.queryId === body['queryId']);
        if (!q) return reply({ status: 400, body: { __type: 'ResourceNotFoundException', message: 'unknown query' } });
        q.polls++;
        return reply(this.script.getQueryResults(q));
      }
      case 'DescribeLogStreams':
        return reply(this.describeLogStreams(body));
      case 'DescribeLogGroups': {
        const prefix = String(body['logGroupNamePrefix'] ?? '');
        const logGroups = [...this.logGroups].filter(([name]) => name.startsWith(prefix)).map(([logGroupName, g]) => ({ logGroupName, logGroupClass: g.logGroupClass ?? 'STANDARD' }));
        return reply({ status: 200, body: { logGroups } });
      }
      case 'StopQuery':
        this.stopped.push(String(body['queryId']));
        return reply({ status: 200, body: { success: true } });
      default:
        return reply({ status: 400, body: { __type: 'InvalidOperationException', message: `no ${operation} here` } });
    }
  }

  /** GetQueryResults from the stored events of the query's log group (see fake-insights.ts). */
  evaluate(q: StartedQuery): Reply {
    const id = q.logGroupIdentifiers[0] ?? '';
    const group = this.logGroups.get(id.replace(/^arn:[^:]+:logs:[^:]+:\d+:log-group:/, ''));
    if (!group) return logsError(400, 'ResourceNotFoundException', `log group ${id} does not exist`);
    const limit = Number(/\| limit (\d+)/.exec(q.queryString)?.[1] ?? 10_000);
    const e = evaluateQuery(group, q.queryString, q.startTime, q.endTime, limit);
    this.scannedByQuery.set(q.queryId, e.bytesByStream);
    return {
      status: 200,
      body: { status: 'Complete', results: e.rows, statistics: { recordsMatched: e.recordsMatched, recordsScanned: e.recordsScanned, bytesScanned: e.bytesScanned } },
    };
  }

  private describeLogStreams(body: Record<string, unknown>): Reply {
    const id = String(body['logGroupName'] ?? body['logGroupIdentifier'] ?? '');
    const group = this.logGroups.get(id.replace(/^arn:[^:]+:logs:[^:]+:\d+:log-group:/, ''));
    if (!group) return logsError(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
    const prefix = String(body['logStreamNamePrefix'] ?? '');
    const names = Object.keys(group.streams).filter((n) => n.startsWith(prefix)).sort();
    // Pages of 50, as the API's default.
    const from = Number(body['nextToken'] ?? 0);
    const page = names.slice(from, from + 50).map((logStreamName) => {
      const events = group.streams[logStreamName]!;
      const times = events.map((e) => e.timestamp);
      return {
        logStreamName,
        creationTime: times.length > 0 ? Math.min(...times) : 0,
        ...(times.length > 0 ? { firstEventTimestamp: Math.min(...times), lastEventTimestamp: group.lastEventTimestamp?.[logStreamName] ?? Math.max(...times) } : {}),
      };
    });
    return { status: 200, body: { logStreams: page, ...(from + 50 < names.length ? { nextToken: String(from + 50) } : {}) } };
  }

  private eksRequest(url: string, res: ServerResponse): void {
    const path = decodeURIComponent(url.split('?')[0]!);
    this.eksCalls.push(`GET ${path}`);
    const reply = (r: Reply): void => {
      const error = r.status >= 400 ? (r.body as { __type?: string }).__type : undefined;
      res.writeHead(r.status, { 'content-type': 'application/json', ...(error ? { 'x-amzn-errortype': error } : {}) });
      res.end(JSON.stringify(r.body));
    };
    const scripted = this.script.eks?.(path);
    if (scripted) return reply(scripted);
    const parts = path.split('/').slice(2).map((p) => decodeURIComponent(p));
    const name = parts[0]!;
    const c = this.eks.get(name);
    const notFound = (what: string): void => reply(logsError(404, 'ResourceNotFoundException', `No ${what} found for name: ${name}.`));
    if (!c) return notFound('cluster');
    if (parts.length === 1) return reply({ status: 200, body: { cluster: { name, ...c.cluster } } });
    if (parts[1] === 'node-groups' && parts.length === 2) return reply({ status: 200, body: { nodegroups: Object.keys(c.nodegroups ?? {}) } });
    if (parts[1] === 'node-groups') {
      const ng = c.nodegroups?.[parts[2]!];
      return ng ? reply({ status: 200, body: { nodegroup: { nodegroupName: parts[2], clusterName: name, ...ng } } }) : notFound('node group');
    }
    if (parts[1] === 'access-entries' && parts.length === 2) return reply({ status: 200, body: { accessEntries: Object.keys(c.accessEntries ?? {}) } });
    if (parts[1] === 'access-entries') {
      // A principal ARN holds slashes (role/path/name): everything up to a trailing /access-policies.
      const policies = parts[parts.length - 1] === 'access-policies';
      const principal = parts.slice(2, policies ? -1 : undefined).join('/');
      const e = c.accessEntries?.[principal];
      if (!e) return notFound('access entry');
      return policies
        ? reply({ status: 200, body: { clusterName: name, principalArn: principal, associatedAccessPolicies: e.policies ?? [] } })
        : reply({ status: 200, body: { accessEntry: { clusterName: name, principalArn: principal, kubernetesGroups: [], ...e.entry } } });
    }
    return reply(logsError(400, 'InvalidRequestException', `no ${path} here`));
  }

  private sns(params: URLSearchParams, res: ServerResponse): void {
    this.publishAttempts.push(params);
    const failure = this.script.publish?.(this.publishAttempts.length, params);
    if (failure) {
      const e = failure.body as { type: string; code: string; message: string };
      res.writeHead(failure.status, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${e.type}</Type><Code>${e.code}</Code>` +
          `<Message>${e.message}</Message></Error><RequestId>err-${this.publishAttempts.length}</RequestId></ErrorResponse>`,
      );
      return;
    }
    this.published.push(params);
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>msg-${this.published.length}</MessageId>` +
        `</PublishResult><ResponseMetadata><RequestId>pub-${this.published.length}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  }
}

export const logsError = (status: number, type: string, message: string): Reply => ({ status, body: { __type: type, message } });
export const snsError = (status: number, code: string, message: string, type = 'Sender'): Reply => ({ status, body: { type, code, message } });
