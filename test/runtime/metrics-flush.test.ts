import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../lambda/runtime/lambda-runtime';
import { InvalidRequestError } from '../../lambda/runtime/request';
import { METRICS } from '../../lambda/settings/names';

describe('handler: the metrics flush', () => {
  it('writes no "No application metrics to publish" warning for a run that stored none', async () => {
    // Prepare: a request rejected before anything runs stores no metric.
    const warnings: string[] = [];
    const silent = { warn: (m: string) => warnings.push(m), error: () => {}, info: () => {}, debug: () => {} };
    const metrics = new Metrics({ namespace: METRICS.NAMESPACE, serviceName: METRICS.SERVICE, logger: silent });
    const handler = createHandler(
      {
        clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }], topicArn: 'arn:aws:sns:eu-west-1:123456789012:t',
        minSeverity: 'medium', scheduleMinutes: 60, ingestionLagMinutes: 5, maxLookbackDays: 30, concurrency: 1,
        ruleSettings: {},
      },
      {
        logger: new Logger({ serviceName: METRICS.SERVICE, logLevel: 'SILENT' }), metrics,
        logsClient: () => ({ send: () => Promise.reject(new Error('not called')) }), snsClient: new SNSClient({ region: 'eu-west-1' }),
      },
    );

    // Act
    const run = handler({ lookback: '90d' });

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidRequestError);
    expect(warnings).toEqual([]);
  });
});
