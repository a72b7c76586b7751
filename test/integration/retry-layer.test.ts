import { describe, expect, it } from 'vitest';
import { defaultClients } from '../../lambda/runtime/lambda-runtime';
import { DEFAULT_RETRY } from '../../lambda/runtime/backoff';
import { DEFAULT_RUNNER_OPTIONS, runQuery } from '../../lambda/runtime/insights';
import { fakeClock } from '../aws/helpers';
import { FakeAws, logsError } from './fake-aws';
import { serveFakeAws } from './sdk-environment';

/**
 * Exactly one retry layer: the Lambda's own Logs client (defaultClients) against a local CloudWatch Logs
 * that throttles every call. Counting the requests that reach the server is what proves it: a second layer
 * (the SDK's standard mode under ours) would multiply them.
 */
const fake = new FakeAws();
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:eks-authz-audit';
serveFakeAws(fake);

const request = { stream: 'audit' as const, logGroups: ['/aws/eks/prod/cluster'], queryString: 'fields @message', startMs: 0, endMs: 60_000, limit: 100 };

describe('one retry layer', () => {
  it('sends a call that is always throttled exactly the policy\'s number of times, not 3 x 8', async () => {
    // Prepare
    fake.reset({ startQuery: () => logsError(400, 'ThrottlingException', 'Rate exceeded'), getQueryResults: () => ({ status: 500, body: {} }) });
    const client = defaultClients(TOPIC).logsClient(undefined);

    // Act
    const outcome = await runQuery(request, { client, clock: fakeClock(), timeLeft: () => Infinity });

    // Assess
    expect(DEFAULT_RUNNER_OPTIONS.retry).toBe(DEFAULT_RETRY);
    expect(fake.logsCalls.filter((c) => c.operation === 'StartQuery')).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(DEFAULT_RETRY.maxAttempts).toBe(8);
    expect(outcome.complete).toBe(false);
    expect(outcome.incompleteReason).toMatch(/could not be started: ThrottlingException: Rate exceeded/);
  });

  it('stops retrying when the next wait would run into the deadline', async () => {
    // Prepare
    fake.reset({ startQuery: () => logsError(400, 'ThrottlingException', 'Rate exceeded'), getQueryResults: () => ({ status: 500, body: {} }) });
    const client = defaultClients(TOPIC).logsClient('us-east-1');

    // Act: 1 s left is less than any wait plus the margin kept for publishing.
    await runQuery(request, { client, clock: fakeClock(), timeLeft: () => 1_000 });

    // Assess
    expect(fake.logsCalls.filter((c) => c.operation === 'StartQuery')).toHaveLength(1);
  });
});
