import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { main } from '../../lambda/cli/main';
import type { HtmlReportData } from '../../lambda/report/html';
import { auditCommand } from '../../lambda/cli/audit';
import { fakeClock, leaseForbiddenEvent, resultRow } from '../aws/helpers';
import { memoryIO, type MemoryIO } from './memory-io';

const SAMPLES = resolve(import.meta.dirname, '..', '..', 'samples');

const io = (stdoutTTY = false): MemoryIO => memoryIO({ stdoutTTY, env: { NO_COLOR: '1' } });

function dataOf(html: string): HtmlReportData {
  const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(block).not.toBeNull();
  return JSON.parse(block![1]!) as HtmlReportData;
}

describe('scan --format html', () => {
  it('writes one page holding the same findings as --format json, with their timelines', async () => {
    // Prepare
    const json = io();
    await main(['scan', '--format', 'json', '--cluster', 'demo', SAMPLES], json);
    const html = io();
    // Act
    const code = await main(['scan', '--format', 'html', '--cluster', 'demo', SAMPLES], html);
    // Assess
    expect(code).toBe(0);
    expect(html.out()).toMatch(/^<!DOCTYPE html>/);
    const data = dataOf(html.out());
    const expected = (JSON.parse(json.out()) as { findings: { fingerprint: string }[] }).findings.map((f) => f.fingerprint);
    expect(data.findings.map((f) => f.fingerprint)).toEqual(expected);
    expect(data.cluster).toBe('demo');
    expect(data.source).toBe(`scan of ${SAMPLES}`);
  });

  it('refuses to write a page onto a terminal, and says how to write it to a file', async () => {
    const cli = io(true);
    expect(await main(['scan', '--format', 'html', SAMPLES], cli)).toBe(2);
    expect(cli.err()).toContain('redirect it to a file, e.g. > report.html');
    expect(cli.out()).toBe('');
  });
});

describe('audit --format html', () => {
  const cw = mockClient(CloudWatchLogsClient);
  afterEach(() => cw.reset());

  it('writes the page of the audited window', async () => {
    // Prepare: one aggregated row of 360 lease refusals over the last hour.
    const now = Date.parse('2024-05-19T07:00:00.400Z');
    const row = resultRow({
      n: 360, firstSeen: now - 3_600_000, lastSeen: now - 10_000, sample: leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }),
      keys: { 'user.username': 'WorkerNodeRole', 'objectRef.name': 'ip-10-0-1-23.ec2.internal', verb: 'get' },
    });
    cw.on(StartQueryCommand).callsFake(({ queryString }: { queryString: string }) => ({ queryId: queryString.includes('audit streams') ? 'audit' : 'other' }));
    cw.on(GetQueryResultsCommand, { queryId: 'audit' }).resolves({ status: 'Complete', results: [row] as never, statistics: { recordsScanned: 400 } });
    cw.on(GetQueryResultsCommand, { queryId: 'other' }).resolves({ status: 'Complete', results: [], statistics: { recordsScanned: 10 } });
    const eks = mockClient(EKSClient);
    eks.on(DescribeClusterCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const cli = io();
    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h', '--format', 'html', '--region', 'us-east-1'], cli, { clock: fakeClock(now) });
    // Assess
    expect(code).toBe(0);
    const data = dataOf(cli.out());
    expect(data.source).toBe('CloudWatch Logs Insights, 2024-05-19T06:00:00.000Z to 2024-05-19T07:00:00.000Z');
    const lease = data.findings.find((f) => f.ruleId === 'node-lease-forbidden');
    expect(lease?.count).toBe(360);
  });
});
