import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, AuthenticatorRecord, FlagRecord } from '../../lambda/model/records';
import { fixture, read, useTmpDir } from './helpers';

const STREAM = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
const LEASE_403_ID = '0f1e2d3c-0000-4000-8000-000000000001';
const { write } = useTmpDir();
const audit = (r: unknown): AuditRecord => r as AuditRecord;

describe('readInputs: formats, detected from content', () => {
  it('reads JSON Lines of audit events, skipping blank lines', async () => {
    // Act
    const sink = await read([fixture('audit.jsonl')]);

    // Assess
    expect(sink.files).toEqual([fixture('audit.jsonl')]);
    expect(sink.outline).toEqual(['audit@1', 'audit@3', 'audit@4']);
    const first = audit(sink.records[0]);
    expect(first.truncated).toBe(false);
    expect(first.origin).toEqual({ file: fixture('audit.jsonl'), line: 1 });
    expect(first.event.auditID).toBe(LEASE_403_ID);
    expect(first.event.responseStatus?.code).toBe(403);
  });

  it('reads a Logs Insights JSON export with @message as object and as string', async () => {
    // Act
    const sink = await read([fixture('insights-export.json')]);

    // Assess
    const file = fixture('insights-export.json');
    expect(sink.outline).toEqual(['audit@2', 'apiserver-flag@57', 'audit@62', 'malformed@66']);
    expect(sink.records[0]!.origin).toEqual({ file, line: 2, logStream: STREAM, timestamp: '2024-03-01T10:00:00.005Z' });
    expect(audit(sink.records[0]).event.auditID).toBe(LEASE_403_ID);
    expect(sink.records[1]).toEqual({
      kind: 'apiserver-flag', flag: 'authorization-mode', value: '[Node,RBAC,Webhook]', time: '2024-03-01T09:59:58.123Z',
      origin: { file, line: 57, logStream: 'kube-apiserver-0123456789abcdef0123456789abcdef', timestamp: '2024-03-01T09:59:58.200Z' },
    });
    expect(sink.records[2]!.origin).toEqual({ file, line: 62, logStream: STREAM });
    expect(audit(sink.records[2]).event.verb).toBe('update');
    expect(sink.malformedLines).toEqual([{ file, line: 66, reason: 'array element has no @message' }]);
  });

  it('reads aws logs filter-log-events output, with stream and epoch-ms time', async () => {
    // Act
    const sink = await read([fixture('filter-log-events.json')]);

    // Assess
    const file = fixture('filter-log-events.json');
    expect(sink.outline).toEqual(['audit@3', 'authenticator@10', 'malformed@17']);
    expect(sink.records[0]!.origin).toEqual({ file, line: 3, logStream: STREAM, timestamp: '2024-03-01T10:00:00.005Z' });
    const auth = sink.records[1] as AuthenticatorRecord;
    expect(auth.fields['username']).toBe('WorkerNodeRole');
    expect(auth.fields['groups']).toBe('[system:bootstrappers system:nodes]');
    expect(auth.time).toBe('2024-03-01T09:59:59.000Z');
    expect(sink.malformedLines).toEqual([{ file, line: 17, reason: 'log event has no message' }]);
  });

  it('reads aws logs get-query-results output; a row without @message is malformed', async () => {
    // Act
    const sink = await read([fixture('get-query-results.json')]);

    // Assess
    const file = fixture('get-query-results.json');
    expect(sink.outline).toEqual(['audit@3', 'malformed@21']);
    expect(sink.records[0]!.origin).toEqual({ file, line: 3, logStream: STREAM, timestamp: '2024-03-01T10:00:00.005Z' });
    expect(sink.malformedLines).toEqual([{ file, line: 21, reason: 'query result row has no @message' }]);
  });

  it('reads a decoded subscription payload, taking the stream from the payload', async () => {
    // Act
    const sink = await read([fixture('subscription.json')]);

    // Assess
    expect(sink.outline).toEqual(['audit@10', 'audit@15']);
    expect(sink.records[1]!.origin).toEqual({
      file: fixture('subscription.json'), line: 15, logStream: STREAM, timestamp: '2024-03-01T10:00:01.000Z',
    });
  });

  it('reads an S3 export, moving the line timestamp into the origin', async () => {
    // Act
    const sink = await read([fixture('s3-export.log')]);

    // Assess
    const file = fixture('s3-export.log');
    expect(sink.outline).toEqual(['audit@1', 'apiserver-flag@2', 'authenticator@3']);
    expect(sink.records[0]!.origin).toEqual({ file, line: 1, timestamp: '2024-03-01T10:00:00.005Z' });
    expect((sink.records[1] as FlagRecord).time).toBe('2024-03-01T09:59:58.123Z');
    expect((sink.records[2] as AuthenticatorRecord).fields['error']).toBe('ARN is not mapped');
  });

  it('reads klog FLAG lines, with and without a journald prefix', async () => {
    // Act
    const sink = await read([fixture('apiserver-flags.log')]);

    // Assess
    expect(sink.outline).toEqual(['apiserver-flag@1', 'apiserver-flag@2', 'apiserver-flag@3', 'apiserver-flag@4', 'malformed@5', 'node-denial@6']);
    const flags = sink.records.filter((r): r is FlagRecord => r.kind === 'apiserver-flag').map((r) => [r.flag, r.value]);
    expect(flags).toEqual([
      ['authorization-mode', '[Node,RBAC,Webhook]'],
      ['enable-admission-plugins', '[NodeRestriction,ExtendedResourceToleration]'],
      ['audit-policy-file', '/etc/kubernetes/audit "policy".yaml'],
      ['anonymous-auth', 'false'],
    ]);
  });

  it('reads logrus authenticator lines, escaped quotes included', async () => {
    // Act
    const sink = await read([fixture('authenticator.log')]);

    // Assess
    expect(sink.outline).toEqual(['authenticator@1', 'authenticator@2', 'authenticator@3']);
    const fields = sink.records.map((r) => (r as AuthenticatorRecord).fields);
    expect(fields[0]).toMatchObject({ msg: 'access granted', arn: 'arn:aws:iam::000000000000:role/WorkerNodeRole', username: 'WorkerNodeRole' });
    expect(fields[1]).toMatchObject({ level: 'warning', msg: 'access denied' });
    expect(fields[1]!['error']).toBe('sts getCallerIdentity failed: error from AWS (expected 200, got 403). Body: {"Error":{"Code":"InvalidClientTokenId"}}');
    expect(fields[2]).toEqual({ level: 'info', msg: 'mapper started', mode: 'EKSConfigMap' });
  });

  it('reads a mixed file line by line, naming file and line of what it cannot read', async () => {
    // Act
    const sink = await read([fixture('mixed.log')]);

    // Assess
    const file = fixture('mixed.log');
    expect(sink.outline).toEqual(['apiserver-flag@1', 'authenticator@3', 'audit@4', 'malformed@5', 'malformed@6', 'apiserver-line@7']);
    expect(sink.malformedLines).toEqual([
      { file, line: 5, reason: 'not JSON, klog or logrus' },
      { file, line: 6, reason: 'JSON is not a Kubernetes audit event' },
    ]);
  });

  it('reads a Logs Insights CSV export, and treats a Markdown table as malformed lines', async () => {
    // Prepare
    const csv = await write('export.csv', '@logStream,@timestamp,@message\nkube-apiserver-audit-1,2024-03-01 10:00:00.000,"{""kind"":""Event""}"\n');
    const md = await write('export.md', '| @timestamp | @message |\n| --- | --- |\n| 2024-03-01 10:00:00.000 | x |\n');

    // Act
    const sink = await read([csv, md]);

    // Assess
    expect(sink.outline).toEqual(['audit@2', 'malformed@1', 'malformed@2', 'malformed@3']);
    expect(sink.records[0]!.origin).toEqual({ file: csv, line: 2, logStream: 'kube-apiserver-audit-1', timestamp: '2024-03-01T10:00:00.000Z' });
  });

  it('reads an audit event pretty-printed as a whole file, and salvages one that is cut', async () => {
    // Prepare
    const event = { kind: 'Event', auditID: 'p-1', verb: 'get', user: { username: 'system:node:n1' } };
    const pretty = await write('pretty.json', JSON.stringify(event, null, 2));
    const cut = await write('pretty-cut.json', JSON.stringify(event, null, 2).slice(0, -12));

    // Act
    const sink = await read([pretty, cut]);

    // Assess
    expect(sink.records).toEqual([
      { kind: 'audit', event, truncated: false, origin: { file: pretty, line: 1 } },
      { kind: 'audit', event: { kind: 'Event', auditID: 'p-1', verb: 'get', user: {} }, truncated: true, origin: { file: cut, line: 1 } },
    ]);
  });

  it('reads pretty-printed documents one after another (jq output), then plain lines after them', async () => {
    // Prepare
    const a = JSON.stringify({ kind: 'Event', verb: 'get' }, null, 2);
    const b = JSON.stringify({ kind: 'Event', verb: 'list' }, null, 2);
    const path = await write('jq.json', `${a}\n${b}\nI0101 00:00:00.000000 1 a.go:1] after\n`);

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'audit@5', 'apiserver-line@9']);
  });

  it('expands a wrapper compacted onto one line', async () => {
    // Prepare
    const events = { events: [{ timestamp: 1709287200005, message: '{"kind":"Event","verb":"get"}' }, { message: 'level=info msg=x' }] };
    const path = await write('compact.json', `${JSON.stringify(events)}\n`);

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'authenticator@1']);
    expect(sink.records[0]!.origin).toEqual({ file: path, line: 1, timestamp: '2024-03-01T10:00:00.005Z' });
  });

  it('reads an audit EventList', async () => {
    // Prepare
    const path = await write('eventlist.json', JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [{ kind: 'Event', verb: 'get' }, { kind: 'Pod' }] }, null, 1));

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.outline).toEqual(['audit@5', 'malformed@9']);
  });

  it('reports a JSON document that is no known export as one malformed line', async () => {
    // Prepare
    const path = await write('start-query.json', '{\n    "queryId": "2dac81d5"\n}\n');

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.malformedLines).toEqual([{ file: path, line: 1, reason: 'JSON is not a Kubernetes audit event' }]);
  });

  it('keeps the complete elements of a cut export and reports the cut', async () => {
    // Prepare
    const full = await readFile(fixture('insights-export.json'), 'utf8');
    const path = await write('cut-export.json', full.slice(0, full.indexOf('"@message"', full.indexOf('"@message"') + 1) + 20));

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.outline).toEqual(['audit@2', 'malformed@57']);
    expect(sink.malformedLines[0]!.reason).toBe('JSON document ends inside this element');
  });
});

