import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lambda/runtime/config';
import { ENV } from '../../lambda/settings/names';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:eks-authz-audit';
const base = { [ENV.CLUSTERS]: '[{"name":"prod"}]', [ENV.TOPIC_ARN]: TOPIC };

function error(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    // Act
    const config = loadConfig(base);

    // Assess
    expect(config).toEqual({
      clusters: [{ name: 'prod', logGroup: '/aws/eks/prod/cluster' }],
      topicArn: TOPIC,
      minSeverity: 'medium',
      scheduleMinutes: 15,
      securityHub: false,
      ingestionLagMinutes: 5,
      maxLookbackDays: 30,
      concurrency: 4,
      ruleSettings: { deniedBurst: 20, forbiddenBurst: 50, forbiddenBurstResources: 5 },
      settings: expect.any(Object),
      lifecycle: { reminderHours: 24, resolveAfterMinutes: 60, retentionDays: 30 },
    });
  });

  it('reads every variable, log group names and cross-account ARNs (region taken from the ARN, no :*)', () => {
    // Prepare
    const env = {
      ...base,
      [ENV.CLUSTERS]: JSON.stringify([
        { name: 'prod', region: 'us-east-1', logGroupName: '/custom/prod' },
        { name: 'shared', logGroupArn: 'arn:aws:logs:eu-central-1:210987654321:log-group:/aws/eks/shared/cluster:*' },
      ]),
      [ENV.MIN_SEVERITY]: 'HIGH',
      [ENV.SCHEDULE_MINUTES]: '15',
      [ENV.INGESTION_LAG_MINUTES]: '0',
      [ENV.MAX_LOOKBACK_DAYS]: '90',
      [ENV.CONCURRENCY]: '2',
      [ENV.DENIED_BURST]: '7',
      [ENV.FORBIDDEN_BURST]: '100',
      [ENV.FORBIDDEN_BURST_RESOURCES]: '3',
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.clusters).toEqual([
      { name: 'prod', region: 'us-east-1', logGroup: '/custom/prod' },
      { name: 'shared', region: 'eu-central-1', logGroup: 'arn:aws:logs:eu-central-1:210987654321:log-group:/aws/eks/shared/cluster' },
    ]);
    expect([config.minSeverity, config.scheduleMinutes, config.ingestionLagMinutes, config.maxLookbackDays, config.concurrency]).toEqual(['high', 15, 0, 90, 2]);
    expect(config.ruleSettings).toEqual({ deniedBurst: 7, forbiddenBurst: 100, forbiddenBurstResources: 3 });
  });

  it.each([
    [{ [ENV.TOPIC_ARN]: TOPIC }, `Invalid ${ENV.CLUSTERS}: "" is missing`],
    [{ ...base, [ENV.CLUSTERS]: '{"name":"prod"' }, `Invalid ${ENV.CLUSTERS}: "{\\"name\\":\\"prod\\"" is not valid JSON`],
    [{ ...base, [ENV.CLUSTERS]: '[]' }, `Invalid ${ENV.CLUSTERS}: [] names no cluster`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"prod"},{"name":"prod"}]' }, `Invalid ${ENV.CLUSTERS}[1].name: "prod" is listed twice`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"bad name"}]' }, `Invalid ${ENV.CLUSTERS}[0].name: "bad name" is not an EKS cluster name`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroup":"x"}]' }, `Invalid ${ENV.CLUSTERS}[0].logGroup: "x" is not a known key`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","region":"Europe"}]' }, `Invalid ${ENV.CLUSTERS}[0].region: "Europe" is not an AWS region`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroupArn":"arn:aws:s3:::bucket"}]' }, `Invalid ${ENV.CLUSTERS}[0].logGroupArn: "arn:aws:s3:::bucket" is not a log group ARN`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroupName":"a","logGroupArn":"b"}]' }, `Invalid ${ENV.CLUSTERS}[0].logGroupArn: "b" cannot be combined with logGroupName`],
    [{ [ENV.CLUSTERS]: '[{"name":"p"}]' }, `Invalid ${ENV.TOPIC_ARN}: "" is missing`],
    [{ ...base, [ENV.TOPIC_ARN]: 'my-topic' }, `Invalid ${ENV.TOPIC_ARN}: "my-topic" is not an SNS topic ARN`],
    [{ ...base, [ENV.MIN_SEVERITY]: 'urgent' }, `Invalid ${ENV.MIN_SEVERITY}: "urgent" is not one of info, low, medium, high, critical`],
    [{ ...base, [ENV.SCHEDULE_MINUTES]: '0' }, `Invalid ${ENV.SCHEDULE_MINUTES}: "0" is not a whole number of minutes from 5 to 1440`],
    [{ ...base, [ENV.INGESTION_LAG_MINUTES]: 'five' }, `Invalid ${ENV.INGESTION_LAG_MINUTES}: "five" is not a whole number of minutes from 0 to 60`],
    [{ ...base, [ENV.CONCURRENCY]: '99' }, `Invalid ${ENV.CONCURRENCY}: "99" is not a whole number from 1 to 20`],
    [{ ...base, [ENV.DENIED_BURST]: '0' }, `Invalid ${ENV.DENIED_BURST}: "0" is not a whole number from 1 to 1000000000`],
    [{ ...base, [ENV.FORBIDDEN_BURST]: '1e3' }, `Invalid ${ENV.FORBIDDEN_BURST}: "1e3" is not a whole number from 1 to 1000000000`],
    [{ ...base, [ENV.FORBIDDEN_BURST_RESOURCES]: '-5' }, `Invalid ${ENV.FORBIDDEN_BURST_RESOURCES}: "-5" is not a whole number from 1 to 1000000000`],
  ])('fails fast naming the variable: %j', (env, message) => {
    // Act
    const err = error(env as Record<string, string>);

    // Assess
    expect(err.message.startsWith(message)).toBe(true);
  });

  it('names every bad variable at once', () => {
    // Act
    const err = error({ [ENV.CLUSTERS]: '[{"name":"p"}]', [ENV.MIN_SEVERITY]: 'urgent', [ENV.DENIED_BURST]: '0' });

    // Assess
    expect(err.problems.map((p) => p.key)).toEqual([ENV.MIN_SEVERITY, ENV.DENIED_BURST, ENV.TOPIC_ARN]);
  });
});
