import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  LimitExceededException,
  MalformedQueryException,
  StartQueryCommand,
  StopQueryCommand,
  ThrottlingException,
  type QueryStatus,
} from '@aws-sdk/client-cloudwatch-logs';
import { runQuery, type QueryRequest, type RunnerDeps } from '../../lambda/runtime/insights';
import { fakeClock, resultRow, type FakeClock } from './helpers';

const cw = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
const START = Date.parse('2024-05-19T06:00:00Z');
const END = Date.parse('2024-05-19T07:00:00Z');
const request: QueryRequest = {
  stream: 'audit',
  logGroups: ['/aws/eks/prod/cluster'],
  queryString: 'filter @logStream like /^kube-apiserver-audit-/ | stats count(*) as n by verb',
  startMs: START,
  endMs: END,
  limit: 4,
};
const stats = (bytes: number) => ({ recordsMatched: 10, recordsScanned: 1000, bytesScanned: bytes });
const rows = (k: number) => Array.from({ length: k }, (_, i) => resultRow({ n: 1, firstSeen: START, lastSeen: START, sample: `{"auditID":"${i}"}` }));

let clock: FakeClock;
let deps: RunnerDeps;

beforeEach(() => {
  cw.reset();
  clock = fakeClock();
  deps = { client, clock, timeLeft: () => Infinity };
});
afterEach(() => cw.reset());

describe('runQuery: statuses', () => {
  it('starts the query over the window in epoch seconds (end inclusive) and polls until Complete', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled' })
      .resolvesOnce({ status: 'Running', statistics: stats(100) })
      .resolves({ status: 'Complete', results: rows(2), statistics: stats(2048) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 1);
    expect(cw).toReceiveCommandWith(StartQueryCommand, {
      logGroupIdentifiers: ['/aws/eks/prod/cluster'],
      startTime: START / 1000,
      endTime: END / 1000 - 1,
      queryString: request.queryString,
      limit: 4,
    });
    expect(cw).toReceiveCommandTimes(GetQueryResultsCommand, 3);
    expect(outcome.complete).toBe(true);
    expect(outcome.rows).toHaveLength(2);
    expect(outcome.statistics).toEqual({
      stream: 'audit', queryId: 'q1', status: 'Complete', recordsMatched: 10, recordsScanned: 1000, bytesScanned: 2048, durationMs: 250 + 375 + 562, windowSplits: 0,
    });
    // Capped backoff: each wait is half again the last (random 0.5 means no jitter).
    expect(clock.sleeps).toEqual([250, 375, 562]);
  });

  it.each(['Failed', 'Cancelled', 'Timeout'] as QueryStatus[])('marks the outcome incomplete when the query ends %s', async (status) => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolvesOnce({ status: 'Running' }).resolves({ status, statistics: stats(5) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(outcome.complete).toBe(false);
    expect(outcome.incompleteReason).toBe(`audit query ended with status ${status}`);
    expect(outcome.statistics.status).toBe(status);
    expect(outcome.statistics.bytesScanned).toBe(5);
    expect(outcome.rows).toEqual([]);
  });

  it('tolerates a few Unknown statuses, then gives up and stops the query', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Unknown' });
    cw.on(StopQueryCommand).resolves({ success: true });

    // Act
    const outcome = await runQuery(request, { ...deps, options: { retry: { baseMs: 1, capMs: 1, maxAttempts: 1 }, poll: { baseMs: 10, capMs: 10 }, maxUnknownPolls: 3, maxSplits: 8 } });

    // Assess
    expect(cw).toReceiveCommandTimes(GetQueryResultsCommand, 3);
    expect(cw).toReceiveCommandWith(StopQueryCommand, { queryId: 'q1' });
    expect(outcome.complete).toBe(false);
    expect(outcome.incompleteReason).toBe('audit query stayed in status Unknown for 3 polls');
  });

  it('keeps polling through an Unknown that resolves', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Unknown' })
      .resolvesOnce({ status: 'Running' })
      .resolves({ status: 'Complete', results: rows(1), statistics: stats(1) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(outcome.complete).toBe(true);
    expect(cw).not.toReceiveCommand(StopQueryCommand);
  });
});

describe('runQuery: retries', () => {
  it('retries StartQuery refused by LimitExceededException with jittered exponential backoff', async () => {
    // Prepare
    const limit = new LimitExceededException({ message: 'Too many concurrent queries', $metadata: { httpStatusCode: 400 } });
    cw.on(StartQueryCommand).rejectsOnce(limit).rejectsOnce(limit).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: rows(1), statistics: stats(1) });

    // Act
    const outcome = await runQuery(request, { ...deps, clock: (clock = fakeClock(START, 0.25)) });

    // Assess: full jitter, random 0.25 of 400 ms then of 800 ms; then the first poll.
    expect(outcome.complete).toBe(true);
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 3);
    expect(clock.sleeps.slice(0, 2)).toEqual([100, 200]);
  });

  it('retries GetQueryResults that is throttled', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ status: 'Complete', results: rows(1), statistics: stats(1) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(outcome.complete).toBe(true);
    expect(cw).toReceiveCommandTimes(GetQueryResultsCommand, 2);
  });

  it('retries a 500 from the service', async () => {
    // Prepare
    const boom = Object.assign(new Error('We encountered an internal error'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    cw.on(StartQueryCommand).rejectsOnce(boom).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [], statistics: stats(1) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(outcome.complete).toBe(true);
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 2);
  });

  it('gives up after the last attempt and says why', async () => {
    // Prepare
    cw.on(StartQueryCommand).rejects(new LimitExceededException({ message: 'Too many concurrent queries', $metadata: {} }));

    // Act
    const outcome = await runQuery(request, { ...deps, options: { retry: { baseMs: 100, capMs: 1000, maxAttempts: 4 }, poll: { baseMs: 10, capMs: 10 }, maxUnknownPolls: 3, maxSplits: 8 } });

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 4);
    expect(outcome.complete).toBe(false);
    expect(outcome.incompleteReason).toBe('audit query could not be started: LimitExceededException: Too many concurrent queries');
    expect(outcome.statistics.status).toBe('NotStarted');
  });

  it('does not retry a query the service refuses to parse', async () => {
    // Prepare
    cw.on(StartQueryCommand).rejects(new MalformedQueryException({ message: 'unexpected symbol', $metadata: { httpStatusCode: 400 } }));

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 1);
    expect(outcome.incompleteReason).toBe('audit query could not be started: MalformedQueryException: unexpected symbol');
  });
});

describe('runQuery: deadline', () => {
  it('stops a query still running when time runs out and marks the outcome incomplete', async () => {
    // Prepare: 4 s of budget; polls wait 250, 375, 562, 843 ms... then the next wait no longer fits.
    cw.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Running', statistics: stats(4096) });
    cw.on(StopQueryCommand).resolves({ success: true });
    const deadline = clock.now() + 4_000;

    // Act
    const outcome = await runQuery(request, { ...deps, timeLeft: () => deadline - clock.now() });

    // Assess
    expect(cw).toReceiveCommandWith(StopQueryCommand, { queryId: 'q-slow' });
    expect(outcome.complete).toBe(false);
    expect(outcome.incompleteReason).toBe('audit query was stopped unfinished (last status Running): the run ran out of time');
    expect(outcome.statistics).toMatchObject({ status: 'Abandoned', queryId: 'q-slow', bytesScanned: 4096 });
    expect(clock.now()).toBeLessThanOrEqual(deadline);
  });

  it('does not start retrying when the backoff would overrun the deadline', async () => {
    // Prepare
    cw.on(StartQueryCommand).rejects(new LimitExceededException({ message: 'busy', $metadata: {} }));

    // Act
    const outcome = await runQuery(request, { ...deps, timeLeft: () => 500 });

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 1);
    expect(outcome.complete).toBe(false);
  });
});

describe('runQuery: row limit', () => {
  it('splits a window whose result reached the row limit and queries both halves instead', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolvesOnce({ queryId: 'full' }).resolvesOnce({ queryId: 'first' }).resolvesOnce({ queryId: 'second' });
    cw.on(GetQueryResultsCommand, { queryId: 'full' }).resolves({ status: 'Complete', results: rows(4), statistics: stats(300) });
    cw.on(GetQueryResultsCommand, { queryId: 'first' }).resolves({ status: 'Complete', results: rows(3), statistics: stats(100) });
    cw.on(GetQueryResultsCommand, { queryId: 'second' }).resolves({ status: 'Complete', results: rows(2), statistics: stats(200) });

    // Act
    const outcome = await runQuery(request, deps);

    // Assess
    const mid = (START + END) / 2 / 1000;
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 3);
    expect(cw).toReceiveNthCommandWith(StartQueryCommand, 2, { startTime: START / 1000, endTime: mid - 1 });
    expect(cw).toReceiveNthCommandWith(StartQueryCommand, 3, { startTime: mid, endTime: END / 1000 - 1 });
    expect(outcome.complete).toBe(true);
    expect(outcome.rows).toHaveLength(5);
    expect(outcome.statistics).toMatchObject({ windowSplits: 1, bytesScanned: 600, queryId: 'full,first,second', status: 'Complete' });
  });

  it('keeps splitting until every part fits', async () => {
    // Prepare: the whole hour and its first half are full, the quarters fit.
    let n = 0;
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).callsFake(({ queryId }: { queryId: string }) => ({
      status: 'Complete', results: queryId === 'q1' || queryId === 'q2' ? rows(4) : rows(1), statistics: stats(10),
    }));

    // Act
    const outcome = await runQuery(request, deps);

    // Assess: hour -> two halves -> first half into two quarters.
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 5);
    expect(outcome.statistics.windowSplits).toBe(2);
    expect(outcome.rows).toHaveLength(3);
    expect(outcome.complete).toBe(true);
  });

  it('stops splitting when the budget is spent (groups distinct in every second) and says what is missing', async () => {
    // Prepare: every window, however small, comes back full.
    let n = 0;
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: rows(4), statistics: stats(10) });
    const options = { retry: { baseMs: 1, capMs: 1, maxAttempts: 1 }, poll: { baseMs: 10, capMs: 10 }, maxUnknownPolls: 3, maxSplits: 2 };

    // Act
    const outcome = await runQuery(request, { ...deps, options });

    // Assess: hour -> halves (1) -> first half into quarters (2); then both quarters and the second
    // half are read as far as the limit, and each says what it could not read.
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 5);
    expect(outcome.statistics).toMatchObject({ windowSplits: 2, status: 'RowLimit', bytesScanned: 50 });
    expect(outcome.complete).toBe(false);
    expect(outcome.rows).toHaveLength(12);
    expect(outcome.incompleteReason).toBe(
      [
        '2024-05-19T06:00:00.000Z..2024-05-19T06:15:00.000Z',
        '2024-05-19T06:15:00.000Z..2024-05-19T06:30:00.000Z',
        '2024-05-19T06:30:00.000Z..2024-05-19T07:00:00.000Z',
      ].map((w) => `audit query still reached the 4-row limit after 2 window splits: groups past the limit in ${w} were not read`).join('; '),
    );
  });

  it('reports a full result it cannot split any further as incomplete, keeping the rows it got', async () => {
    // Prepare
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: rows(4), statistics: stats(1) });

    // Act
    const outcome = await runQuery({ ...request, startMs: START, endMs: START + 1000 }, deps);

    // Assess
    expect(cw).toReceiveCommandTimes(StartQueryCommand, 1);
    expect(outcome.complete).toBe(false);
    expect(outcome.rows).toHaveLength(4);
    expect(outcome.incompleteReason).toBe('audit query reached the 4-row limit in a window too short to split (2024-05-19T06:00:00.000Z)');
  });
});
