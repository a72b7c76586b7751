import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeExports } from './fake-exports';

/**
 * An in-process stand-in for the two AWS APIs the audit function calls, on 127.0.0.1:
 * - CloudWatch Logs, JSON 1.1 protocol: `POST /`, `X-Amz-Target: Logs_20140328.<Operation>`,
 *   `Content-Type: application/x-amz-json-1.1`; errors are `{"__type": "...", "message": "..."}`
 *   with a 4xx/5xx status.
 * - SNS, query protocol: `POST /` with a form-encoded body `Action=Publish&...`; the answer is XML,
 *   `<PublishResponse><PublishResult><MessageId>`, errors `<ErrorResponse><Error><Type><Code><Message>`.
 * - Security Hub (BatchImportFindings) and EventBridge (PutEvents): fake-exports.ts, under `exports`.
 * Tests script the answers and read back every request.
 */
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
}

export class FakeAws {
  readonly logsCalls: LogsCall[] = [];
  readonly queries: StartedQuery[] = [];
  readonly stopped: string[] = [];
  readonly published: URLSearchParams[] = [];
  readonly publishAttempts: URLSearchParams[] = [];
  readonly exports = new FakeExports();
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
      case 'StopQuery':
        this.stopped.push(String(body['queryId']));
        return reply({ status: 200, body: { success: true } });
      default:
        return reply({ status: 400, body: { __type: 'InvalidOperationException', message: `no ${operation} here` } });
    }
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
