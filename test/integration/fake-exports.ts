import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The export APIs of the audit function, for FakeAws (fake-aws.ts), on the same server:
 * - Security Hub, REST JSON: `POST /findings/import` with `{"Findings": [...]}`; the answer is
 *   `{"FailedCount", "SuccessCount", "FailedFindings": [{"Id", "ErrorCode", "ErrorMessage"}]}`; errors are a 4xx/5xx
 *   with `x-amzn-errortype` and `{"Message"}`. It keeps the findings as Security Hub does, by ProductArn and Id: a
 *   second import of the same Id updates the finding (its Workflow stays as first set: BatchImportFindings does not
 *   change it), and it rejects what the real service rejects that this tool could get wrong: more than 100
 *   findings in one request (the whole request), and per finding a missing required field, a
 *   Remediation.Recommendation.Text over 512 characters, an AwsAccountId that is not the product's account.
 * - EventBridge, JSON 1.1: `POST /`, `X-Amz-Target: AWSEvents.PutEvents`; the answer is
 *   `{"FailedEntryCount", "Entries": [{"EventId"} | {"ErrorCode", "ErrorMessage"}]}`. More than 10 entries fail the
 *   request; an entry over 256 KB fails that entry.
 */
export interface ImportReply {
  readonly status: number;
  readonly body: unknown;
  readonly errorType?: string;
}

export interface ExportScript {
  /** Before an import is applied: a reply replaces it (a throttle, an outage); undefined lets it through. */
  importFindings?(call: number, findings: Record<string, unknown>[]): ImportReply | undefined;
  /** A finding Security Hub should refuse (FailedFindings), with its code and message. */
  rejectFinding?(finding: Record<string, unknown>): { code: string; message: string } | undefined;
  /** An event EventBridge should refuse (an entry with ErrorCode). */
  rejectEvent?(entry: Record<string, unknown>, index: number): { code: string; message: string } | undefined;
}

const REQUIRED = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources', 'Severity'];
const MAX_EVENT_BYTES = 256 * 1024;

export class FakeExports {
  /** Every finding of every accepted import, in order (updates included). */
  readonly imports: Record<string, unknown>[][] = [];
  /** The findings as Security Hub holds them now, by `${ProductArn}|${Id}`. */
  readonly findings = new Map<string, Record<string, unknown>>();
  readonly importCalls: number[] = [];
  /** Every PutEvents request's entries. */
  readonly putEvents: Record<string, unknown>[][] = [];
  /** Entries EventBridge accepted. */
  readonly events: Record<string, unknown>[] = [];
  script: ExportScript = {};

  reset(script: ExportScript = {}): void {
    this.script = script;
    this.imports.length = 0;
    this.findings.clear();
    this.importCalls.length = 0;
    this.putEvents.length = 0;
    this.events.length = 0;
  }

  /** Takes the request when it is one of its APIs. */
  handle(req: IncomingMessage, raw: string, res: ServerResponse): boolean {
    const target = req.headers['x-amz-target'];
    if (req.method === 'POST' && req.url?.split('?')[0] === '/findings/import') {
      this.importFindings(JSON.parse(raw || '{}') as { Findings?: Record<string, unknown>[] }, res);
      return true;
    }
    if (req.method === 'POST' && target === 'AWSEvents.PutEvents') {
      this.putEventsCall(JSON.parse(raw || '{}') as { Entries?: Record<string, unknown>[] }, res);
      return true;
    }
    return false;
  }

  private importFindings(body: { Findings?: Record<string, unknown>[] }, res: ServerResponse): void {
    const findings = body.Findings ?? [];
    this.importCalls.push(findings.length);
    const reply = (r: ImportReply): void => {
      res.writeHead(r.status, { 'content-type': 'application/json', ...(r.errorType ? { 'x-amzn-errortype': r.errorType } : {}) });
      res.end(JSON.stringify(r.body));
    };
    const scripted = this.script.importFindings?.(this.importCalls.length, findings);
    if (scripted) return reply(scripted);
    if (findings.length === 0 || findings.length > 100) {
      return reply({ status: 400, errorType: 'InvalidInputException', body: { Message: `Findings must hold 1 to 100 items, got ${findings.length}` } });
    }
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const accepted: Record<string, unknown>[] = [];
    for (const f of findings) {
      const why = this.invalid(f) ?? this.script.rejectFinding?.(f);
      if (why) {
        failed.push({ Id: String(f['Id'] ?? ''), ErrorCode: why.code, ErrorMessage: why.message });
        continue;
      }
      const key = `${String(f['ProductArn'])}|${String(f['Id'])}`;
      const before = this.findings.get(key);
      this.findings.set(key, before ? { ...f, Workflow: before['Workflow'] ?? { Status: 'NEW' } } : { Workflow: { Status: 'NEW' }, ...f });
      accepted.push(f);
    }
    this.imports.push(accepted);
    reply({ status: 200, body: { FailedCount: failed.length, SuccessCount: accepted.length, FailedFindings: failed } });
  }

  private invalid(f: Record<string, unknown>): { code: string; message: string } | undefined {
    for (const field of REQUIRED) {
      if (f[field] === undefined || f[field] === '' || (Array.isArray(f[field]) && (f[field] as unknown[]).length === 0)) {
        return { code: 'InvalidInput', message: `Finding does not adhere to Amazon Finding Format. data.${field} is required` };
      }
    }
    const text = (f['Remediation'] as { Recommendation?: { Text?: string } } | undefined)?.Recommendation?.Text;
    if (text !== undefined && text.length > 512) {
      return { code: 'InvalidInput', message: 'Finding does not adhere to Amazon Finding Format. data.Remediation.Recommendation.Text should NOT be longer than 512 characters' };
    }
    const product = /^arn:[\w-]+:securityhub:[a-z0-9-]+:(\d{12}):product\/(\d{12})\/default$/.exec(String(f['ProductArn']));
    if (!product || product[1] !== f['AwsAccountId'] || product[2] !== f['AwsAccountId']) {
      return { code: 'AccessDeniedException', message: `not authorized to import findings for ${String(f['AwsAccountId'])} under ${String(f['ProductArn'])}` };
    }
    return undefined;
  }

  private putEventsCall(body: { Entries?: Record<string, unknown>[] }, res: ServerResponse): void {
    const entries = body.Entries ?? [];
    this.putEvents.push(entries);
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    if (entries.length === 0 || entries.length > 10) {
      return reply(400, { __type: 'ValidationException', message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10` });
    }
    let failed = 0;
    const results = entries.map((e, i) => {
      const size = Buffer.byteLength(JSON.stringify(e), 'utf8');
      const why = size > MAX_EVENT_BYTES ? { code: 'ValidationException', message: `entry of ${size} bytes exceeds 256 KB` } : this.script.rejectEvent?.(e, i);
      if (why) {
        failed++;
        return { ErrorCode: why.code, ErrorMessage: why.message };
      }
      this.events.push(e);
      return { EventId: `event-${this.events.length}` };
    });
    reply(200, { FailedEntryCount: failed, Entries: results });
  }
}
