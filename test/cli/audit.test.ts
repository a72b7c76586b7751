import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AUDIT_USAGE, auditCommand, formatBytes, parseAuditArgs } from '../../lambda/cli/audit';
import { UsageError } from '../../lambda/cli/io';
import { fakeClock, leaseForbiddenEvent, resultRow, type FakeClock } from '../aws/helpers';
import { memoryIO, type MemoryIO } from './memory-io';

const cw = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
const eks = mockClient(EKSClient);
const NOW = Date.parse('2024-05-19T07:00:00.400Z');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
let clock: FakeClock;

const io = (tty = false): MemoryIO => memoryIO({ stderrTTY: tty, env: { NO_COLOR: '1' } });

const leaseRow = resultRow({
  n: 360,
  firstSeen: NOW - 3_600_000,
  lastSeen: NOW - 10_000,
  sample: leaseForbiddenEvent({ node: 'ip-10-0-1-23.ec2.internal' }),
  keys: { 'user.username': 'WorkerNodeRole', 'objectRef.name': 'ip-10-0-1-23.ec2.internal', verb: 'get' },
});

function answer(auditRows: unknown[], status = 'Complete', otherStatus = 'Complete') {
  cw.on(StartQueryCommand).callsFake(({ queryString }: { queryString: string }) => ({ queryId: queryString.includes('audit streams') ? 'audit' : 'other' }));
  cw.on(GetQueryResultsCommand, { queryId: 'audit' }).resolves({ status: status as 'Complete', results: auditRows as never, statistics: { recordsMatched: 360, recordsScanned: 120_000, bytesScanned: 52_428_800 } });
  cw.on(GetQueryResultsCommand, { queryId: 'other' }).resolves({ status: otherStatus as 'Complete', results: [], statistics: { recordsScanned: 10 } });
}

beforeEach(() => {
  cw.reset();
  sns.reset();
  eks.reset();
  eks.on(DescribeClusterCommand).rejects(Object.assign(new Error('User is not authorized to perform: eks:DescribeCluster'), { name: 'AccessDeniedException' }));
  clock = fakeClock(NOW);
});
afterEach(() => {
  cw.reset();
  sns.reset();
});

describe('parseAuditArgs', () => {
  it('reads --since as a window ending now (whole seconds)', () => {
    // Act
    const o = parseAuditArgs(['--cluster', 'prod', '--since', '24h'], NOW);

    // Assess
    expect(o).toMatchObject({
      cluster: 'prod', logGroup: '/aws/eks/prod/cluster', format: 'text', minSeverity: 'info',
      window: { startMs: Date.parse('2024-05-18T07:00:00Z'), endMs: Date.parse('2024-05-19T07:00:00Z') },
    });
  });

  it('takes the region from a log group ARN unless --region says otherwise', () => {
    // Act
    const o = parseAuditArgs(['--cluster', 's', '--log-group', 'arn:aws:logs:ap-south-1:210987654321:log-group:/aws/eks/s/cluster', '--since', '1h'], NOW);

    // Assess
    expect(o).toMatchObject({ region: 'ap-south-1', logGroup: 'arn:aws:logs:ap-south-1:210987654321:log-group:/aws/eks/s/cluster' });
  });

  it.each([
    [['--since', '1h'], '--cluster NAME is required'],
    [['--cluster', 'p'], 'give --since DURATION, or both --start and --end'],
    [['--cluster', 'p', '--since', '1h', '--start', '2024-05-19T00:00:00Z'], 'give --since or --start/--end, not both'],
    [['--cluster', 'p', '--since', 'forever'], '--since: "forever" is not a duration like 90m, 24h or 7d'],
    [['--cluster', 'p', '--start', 'monday', '--end', '2024-05-19T00:00:00Z'], '--start: "monday" is not an ISO 8601 time'],
    [['--cluster', 'p', '--start', '2024-05-19T00:00:00Z', '--end', '2024-05-18T00:00:00Z'], '--end must be after --start'],
    [['--cluster', 'p', '--since', '1h', '--format', 'xml'], '--format: "xml" is not a format'],
    [['--cluster', 'p', '--since', '1h', '--region', 'mars'], '--region: "mars" is not a region'],
    [['--cluster', 'p', '--since', '1h', '--publish', 'topic'], '--publish: "topic" is not an SNS topic ARN'],
    [['--cluster', 'p', '--since', '1h', '--min-severity', 'huge'], '--min-severity: "huge" is not a severity'],
    [['--cluster', 'p', '--since', '1h', '--what'], 'unknown option "--what"'],
    [['--cluster', 'p', '--since', '1h', '--forbidden-burst', '0'], '--forbidden-burst: "0" is not a whole number from 1 to 1000000000'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseAuditArgs(argv, NOW)).toThrow(UsageError);
    expect(() => parseAuditArgs(argv, NOW)).toThrow(message);
  });

  it('takes the same rule thresholds as scan and the Lambda', () => {
    // Act
    const o = parseAuditArgs(['--cluster', 'p', '--since', '1h', '--denied-burst', '3', '--forbidden-burst-resources=2'], NOW);
    const none = parseAuditArgs(['--cluster', 'p', '--since', '1h'], NOW);

    // Assess
    expect(o).toMatchObject({ settings: { deniedBurst: 3, forbiddenBurstResources: 2 } });
    expect(none).toMatchObject({ settings: {} });
    expect(AUDIT_USAGE).toMatch(/--denied-burst N +authenticator-denied-burst: [^]*?\(default: 20\)/);
    expect(AUDIT_USAGE).toContain('--forbidden-burst-resources N');
  });
});

describe('eks-authz-audit audit', () => {
  it('runs the Lambda\'s queries from a laptop and prints the Lambda\'s JSON', async () => {
    // Prepare
    answer([leaseRow]);
    const cli = io();

    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h', '--format', 'json', '--region', 'eu-west-1'], cli, { clock });

    // Assess
    expect(code).toBe(0);
    expect(cw).toReceiveCommandWith(StartQueryCommand, {
      logGroupIdentifiers: ['/aws/eks/prod/cluster'],
      startTime: Date.parse('2024-05-19T06:00:00Z') / 1000,
      endTime: Date.parse('2024-05-19T07:00:00Z') / 1000 - 1,
    });
    const out = JSON.parse(cli.out());
    expect(out).toMatchObject({ trigger: 'cli', dryRun: true, window: { start: '2024-05-19T06:00:00.000Z', end: '2024-05-19T07:00:00.000Z' } });
    expect(out.clusters[0].findings.some((f: { ruleId: string; count: number }) => f.ruleId === 'node-lease-forbidden' && f.count === 360)).toBe(true);
    expect(out.clusters[0].published).toBeNull();
    expect(sns).not.toReceiveCommand(PublishCommand);
    expect(cli.err()).toBe('');
  });

  it('prints findings and what each query cost as text', async () => {
    // Prepare
    answer([leaseRow]);
    const cli = io();

    // Act
    await auditCommand(['--cluster', 'prod', '--since', '1h'], cli, { clock });

    // Assess
    expect(cli.out()).toContain('Cluster prod, 2024-05-19T06:00:00.000Z .. 2024-05-19T07:00:00.000Z');
    expect(cli.out()).toMatch(/^HIGH +Node role .* is not mapped as a node: 1 node NotReady$/m);
    expect(cli.out()).toMatch(/Query audit: Complete, 360 matched of 120,000 records, 50\.0 MB scanned in \d+\.\d s/);
  });

  it('exits 1 when a finding reaches --fail-on', async () => {
    // Prepare
    answer([leaseRow]);

    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h', '--fail-on', 'high'], io(), { clock });

    // Assess
    expect(code).toBe(1);
  });

  it('publishes to the topic given with --publish, in the topic\'s region', async () => {
    // Prepare
    answer([leaseRow]);
    sns.on(PublishCommand).resolves({ MessageId: 'm-9' });
    const cli = io();

    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h', '--publish', TOPIC], cli, { clock });

    // Assess
    expect(code).toBe(0);
    expect(sns).toReceiveCommandWith(PublishCommand, { TopicArn: TOPIC });
    expect(await sns.call(0).thisValue.config.region()).toBe('us-east-1');
    expect(cli.out()).toContain('Published to SNS (message m-9)');
  });

  it('exits 2 and says why when no query could run', async () => {
    // Prepare
    answer([], 'Failed', 'Failed');
    const cli = io();

    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h'], cli, { clock });

    // Assess
    expect(code).toBe(2);
    expect(cli.err()).toContain('No cluster could be audited');
    expect(cli.err()).toContain('audit query ended with status Failed');
  });

  it('prints a partial audit but exits 2 so a script does not take it for a clean one', async () => {
    // Prepare: the audit streams were read, another stream's query was cancelled.
    answer([leaseRow], 'Complete', 'Cancelled');
    const cli = io();

    // Act
    const code = await auditCommand(['--cluster', 'prod', '--since', '1h'], cli, { clock });
    const failOn = await auditCommand(['--cluster', 'prod', '--since', '1h', '--fail-on', 'high'], io(), { clock });

    // Assess
    expect(code).toBe(2);
    expect(failOn).toBe(1);
    expect(cli.out()).toMatch(/is not mapped as a node: 1 node NotReady/);
    expect(cli.out()).toMatch(/INCOMPLETE: \w+ query ended with status Cancelled/);
    expect(cli.err()).toMatch(/the audit of prod is INCOMPLETE: \w+ query ended with status Cancelled/);
  });

  it('shows query progress on a terminal and clears the line when done', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q' });
    cw.on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running', statistics: { recordsScanned: 1500, bytesScanned: 2048 } })
      .resolves({ status: 'Complete', results: [], statistics: { recordsScanned: 3000, bytesScanned: 4096 } });
    const cli = io(true);

    // Act
    await auditCommand(['--cluster', 'prod', '--since', '1h'], cli, { clock });

    // Assess
    expect(cli.err()).toContain('\r\u001b[Kprod audit: Running, 1,500 records / 2.0 KB scanned');
    expect(cli.err().endsWith('\r\u001b[K')).toBe(true);
  });

  it('writes no progress when stderr is not a terminal', async () => {
    // Prepare
    answer([]);
    const cli = io(false);

    // Act
    await auditCommand(['--cluster', 'prod', '--since', '1h'], cli, { clock });

    // Assess
    expect(cli.err()).toBe('');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KB', '5.0 GB']);
  });
});
