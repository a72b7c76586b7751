import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { ENV } from '../../lambda/settings/names';
import { buildQueries, ROW_LIMIT } from '../../lambda/runtime/queries';
import { RULES } from '../../lambda/rules/registry';
import { leaseForbiddenEvent, resultRow, scheduledEvent } from '../aws/helpers';
import { FakeAws, logsError, snsError, type Reply, type StartedQuery } from './fake-aws';
import { serveFakeAws } from './sdk-environment';

/**
 * The handler as `cdk synth` ships it (esbuild bundle, ESM, SDK included), run in this process against
 * an HTTP server on 127.0.0.1 that speaks the CloudWatch Logs and SNS protocols. The SDK finds the
 * server through the standard per-service endpoint variables; nothing leaves the machine.
 */
const fake = new FakeAws();
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:eks-authz-audit';
const SHARED_ARN = 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster';
const EVENT_TIME = '2024-05-19T07:00:00Z';
const START_S = Date.parse('2024-05-19T05:55:00Z') / 1000;
const END_S = Date.parse('2024-05-19T06:55:00Z') / 1000;
const STREAMS = buildQueries(RULES).map((q) => q.stream);
// The Logs, SNS and EKS clients the bundle makes find the server through the per-service variables.
serveFakeAws(fake, ['CLOUDWATCH_LOGS', 'SNS', 'EKS']);
let dir: string;
let bundle: string;
let imports = 0;

type Handler = (event: unknown, context: unknown) => Promise<Record<string, any>>;

/** A fresh module instance (so cold-start config is read again) with these clusters configured. */
async function loadHandler(clusters: unknown[]): Promise<Handler> {
  vi.stubEnv(ENV.CLUSTERS, JSON.stringify(clusters));
  const mod = (await import(`${pathToFileURL(bundle).href}?instance=${++imports}`)) as { handler: Handler };
  return mod.handler;
}

function context(budgetMs = 120_000) {
  const deadline = Date.now() + budgetMs;
  return { awsRequestId: `req-${imports}`, functionName: 'eks-authz-audit', getRemainingTimeInMillis: () => deadline - Date.now() };
}

const complete = (results: ResultField[][], bytes = 1000): Reply => ({
  status: 200,
  body: { status: 'Complete', results, statistics: { recordsMatched: results.length, recordsScanned: 50_000, bytesScanned: bytes } },
});
const running: Reply = { status: 200, body: { status: 'Running', statistics: { recordsMatched: 0, recordsScanned: 100, bytesScanned: 10 } } };

function leaseRow(node: string): ResultField[] {
  const t = START_S * 1000 + 60_000;
  return resultRow({ n: 360, firstSeen: t, lastSeen: t + 3_000_000, sample: leaseForbiddenEvent({ node }), keys: { 'user.username': 'WorkerNodeRole', 'objectRef.name': node, verb: 'get' } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-bundle-'));
  bundle = join(dir, 'index.mjs');
  // The same esbuild options the stack's NodejsFunction uses (lib/eks-authz-auditor.ts), at node20.
  await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'lambda', 'runtime', 'handler.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'silent',
  });
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv(ENV.TOPIC_ARN, TOPIC);
  // An hour's window (the default is 15 minutes), as the stack sets it for a 60-minute schedule.
  vi.stubEnv(ENV.SCHEDULE_MINUTES, '60');
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  // No query may be left running on the "service" after a test.
  const unfinished = fake.queries.filter((q) => !fake.stopped.includes(q.queryId) && q.polls === 0);
  expect(unfinished.map((q) => q.queryId)).toEqual([]);
});

describe('bundled handler against a local CloudWatch Logs and SNS', () => {
  it('rides out throttling, the concurrent-query limit, 500s and slow queries, and publishes what it found', async () => {
    // Prepare
    fake.reset({
      startQuery: (n) =>
        n === 1 ? logsError(400, 'ThrottlingException', 'Rate exceeded')
        : n === 2 ? logsError(400, 'LimitExceededException', 'Too many concurrent queries')
        : n === 3 ? logsError(500, 'ServiceUnavailableException', 'Service unavailable')
        : undefined,
      getQueryResults: (q) => {
        if (q.polls === 1) return logsError(500, 'InternalFailure', 'We encountered an internal error');
        if (q.polls <= 4) return running;
        if (q.stream !== 'audit') return complete([]);
        const rows = q.logGroupIdentifiers[0] === SHARED_ARN
          ? [leaseRow('ip-10-1-0-5.eu-west-1.compute.internal')]
          : [leaseRow('ip-10-0-1-23.eu-west-1.compute.internal'), [{ field: 'n', value: '12' }], resultRow({ n: 2, firstSeen: START_S * 1000, lastSeen: START_S * 1000, sample: '{"kind":"Event","auditID":' })];
        return complete(rows, 4_000_000);
      },
    });
    const handler = await loadHandler([{ name: 'prod' }, { name: 'shared', logGroupArn: SHARED_ARN }]);

    // Act
    const response = await handler(scheduledEvent(EVENT_TIME), context());

    // Assess: what was queried. One query per stream kind per cluster, over the aligned window.
    for (const group of ['/aws/eks/prod/cluster', SHARED_ARN]) {
      const mine = fake.queries.filter((q) => q.logGroupIdentifiers.length === 1 && q.logGroupIdentifiers[0] === group);
      expect(mine.map((q) => q.stream).sort()).toEqual([...STREAMS].sort());
      for (const q of mine) expect([q.startTime, q.endTime]).toEqual([START_S, END_S - 1]);
      for (const q of mine) expect(q.polls).toBe(5);
    }
    expect(fake.queries).toHaveLength(2 * STREAMS.length);
    expect(fake.logsCalls.filter((c) => c.operation === 'StartQuery')).toHaveLength(2 * STREAMS.length + 3);

    // Assess: what came back and what was published.
    expect(response['summary']).toEqual({ clusters: 2, complete: 2, incomplete: 0, findings: expect.any(Number), incidents: expect.any(Number), published: 2, bytesScanned: expect.any(Number), estimatedCostUsd: expect.any(Number) });
    const prod = response['clusters'][0];
    expect(prod.findings.filter((f: { ruleId: string }) => f.ruleId === 'node-lease-forbidden').map((f: { subject: unknown; count: number }) => [f.subject, f.count])).toEqual([
      [{ node: 'ip-10-0-1-23.eu-west-1.compute.internal', username: 'WorkerNodeRole' }, 360],
    ]);
    // Malformed rows are counted and shown, never dropped silently.
    expect(prod.stats.malformed).toBe(2);
    expect(prod.malformedSamples.map((m: { reason: string }) => m.reason)[0]).toBe('query row has no sample message');
    expect(prod.statistics.find((s: { stream: string }) => s.stream === 'audit')).toMatchObject({ status: 'Complete', bytesScanned: 4_000_000 });
    expect(fake.published).toHaveLength(2);
    for (const p of fake.published) {
      expect(p.get('TopicArn')).toBe(TOPIC);
      expect(p.get('MessageStructure')).toBe('json');
      expect(p.get('Subject')).toMatch(/^\[(HIGH|CRITICAL)\] eks-authz-audit (prod|shared): \d+ incidents? \(\d+ findings?\)/);
    }
    const bodies = fake.published.map((p) => JSON.parse(p.get('Message')!) as Record<string, string>);
    expect(bodies.some((b) => b['default']!.includes('ip-10-0-1-23.eu-west-1.compute.internal'))).toBe(true);
    expect(bodies.some((b) => b['default']!.includes('ip-10-1-0-5.eu-west-1.compute.internal'))).toBe(true);
  }, 60_000);

  it('splits a window whose result reaches the row limit and queries the halves', async () => {
    // Prepare: a manual run over the last full hour (the real clock: the function checks retention).
    const endS = Math.floor(Date.now() / 60_000) * 60 - 600;
    const startS = endS - 3600;
    const mid = (startS + endS) / 2;
    const full = Array.from({ length: ROW_LIMIT }, (_, i) => leaseRow(`node-${i}`));
    fake.reset({
      getQueryResults: (q) => {
        if (q.stream !== 'audit') return complete([]);
        if (q.startTime === startS && q.endTime === endS - 1) return complete(full, 9e9);
        return complete([leaseRow(q.startTime === startS ? 'first-half' : 'second-half')]);
      },
    });
    const handler = await loadHandler([{ name: 'prod' }]);
    const iso = (s: number) => new Date(s * 1000).toISOString();

    // Act
    const response = await handler({ start: iso(startS), end: iso(endS), dryRun: true }, context());

    // Assess
    const audit = fake.queries.filter((q) => q.stream === 'audit').map((q) => [q.startTime, q.endTime]);
    expect(audit).toEqual([[startS, endS - 1], [startS, mid - 1], [mid, endS - 1]]);
    const prod = response['clusters'][0];
    expect(prod.complete).toBe(true);
    const auditIds = fake.queries.filter((q) => q.stream === 'audit').map((q) => q.queryId).join(',');
    expect(prod.statistics.find((s: { stream: string }) => s.stream === 'audit')).toMatchObject({ windowSplits: 1, queryId: auditIds, bytesScanned: 9e9 + 2000 });
    const nodes = prod.findings.filter((f: { ruleId: string }) => f.ruleId === 'node-lease-forbidden').map((f: { subject: { node: string } }) => f.subject.node).sort();
    expect(nodes).toEqual(['first-half', 'second-half']);
    expect(fake.publishAttempts).toHaveLength(0);
  }, 60_000);

  it('reports Failed and Timeout queries as incomplete and fails the run when no cluster was audited', async () => {
    // Prepare
    fake.reset({
      getQueryResults: (q: StartedQuery) => ({
        status: 200,
        body: { status: q.logGroupIdentifiers[0] === SHARED_ARN ? 'Timeout' : 'Failed', statistics: { recordsMatched: 0, recordsScanned: 1, bytesScanned: 1 } },
      }),
    });
    const handler = await loadHandler([{ name: 'prod' }, { name: 'shared', logGroupArn: SHARED_ARN }]);

    // Act
    const run = handler(scheduledEvent(EVENT_TIME), context());

    // Assess
    await expect(run).rejects.toThrow(/No cluster could be audited .*prod: audit query ended with status Failed.*shared: audit query ended with status Timeout/);
    // Each cluster's report says it is incomplete and why.
    expect(fake.published).toHaveLength(2);
    const texts = fake.published.map((p) => (JSON.parse(p.get('Message')!) as { default: string }).default).join('\n');
    expect(texts).toContain('ended with status Failed');
    expect(texts).toContain('ended with status Timeout');
  }, 60_000);

  it('fails the run when SNS refuses the report, after the SDK has retried', async () => {
    // Prepare
    fake.reset({
      getQueryResults: (q) => complete(q.stream === 'audit' ? [leaseRow('ip-10-0-9-9.eu-west-1.compute.internal')] : []),
      publish: () => snsError(500, 'InternalError', 'Internal error', 'Receiver'),
    });
    const handler = await loadHandler([{ name: 'prod' }]);

    // Act
    const run = handler(scheduledEvent(EVENT_TIME), context());

    // Assess
    await expect(run).rejects.toThrow(/1 report\(s\) could not be published: PublishError: SNS Publish of the report for cluster prod to .* failed: InternalError(Exception)?: Internal error/);
    expect(fake.publishAttempts.length).toBeGreaterThan(1);
    expect(fake.published).toHaveLength(0);
  }, 60_000);

  it('rejects an invalid manual request naming the field, querying and publishing nothing', async () => {
    // Prepare
    fake.reset({ getQueryResults: () => complete([]) });
    const handler = await loadHandler([{ name: 'prod' }]);

    // Act
    const run = handler({ lookback: '1h', clusters: ['staging'] }, context());

    // Assess
    await expect(run).rejects.toThrow('Invalid request: clusters[0]: "staging" is not a configured cluster (configured: prod)');
    expect(fake.logsCalls).toEqual([]);
    expect(fake.publishAttempts).toEqual([]);
  }, 60_000);
});
