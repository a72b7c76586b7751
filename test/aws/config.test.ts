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
      scheduleMinutes: 60,
      ingestionLagMinutes: 5,
      maxLookbackDays: 30,
      concurrency: 4,
      ruleSettings: { deniedBurst: 20, forbiddenBurst: 50, forbiddenBurstResources: 5 },
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
    [{ [ENV.TOPIC_ARN]: TOPIC }, `${ENV.CLUSTERS}: is required`],
    [{ ...base, [ENV.CLUSTERS]: '{"name":"prod"' }, `${ENV.CLUSTERS}: is not valid JSON`],
    [{ ...base, [ENV.CLUSTERS]: '[]' }, `${ENV.CLUSTERS}: must be a non-empty JSON array`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"prod"},{"name":"prod"}]' }, `${ENV.CLUSTERS}[1].name: "prod" is listed twice`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"bad name"}]' }, `${ENV.CLUSTERS}[0].name: must be an EKS cluster name`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroup":"x"}]' }, `${ENV.CLUSTERS}[0].logGroup: is not a known key`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","region":"Europe"}]' }, `${ENV.CLUSTERS}[0].region: must be a region`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroupArn":"arn:aws:s3:::bucket"}]' }, `${ENV.CLUSTERS}[0].logGroupArn: must be a log group ARN`],
    [{ ...base, [ENV.CLUSTERS]: '[{"name":"p","logGroupName":"a","logGroupArn":"b"}]' }, `${ENV.CLUSTERS}[0]: give logGroupName or logGroupArn, not both`],
    [{ [ENV.CLUSTERS]: '[{"name":"p"}]' }, `${ENV.TOPIC_ARN}: is required`],
    [{ ...base, [ENV.TOPIC_ARN]: 'my-topic' }, `${ENV.TOPIC_ARN}: "my-topic" is not an SNS topic ARN`],
    [{ ...base, [ENV.MIN_SEVERITY]: 'urgent' }, `${ENV.MIN_SEVERITY}: "urgent" is not a severity`],
    [{ ...base, [ENV.SCHEDULE_MINUTES]: '0' }, `${ENV.SCHEDULE_MINUTES}: 0 is out of range (1..1440)`],
    [{ ...base, [ENV.INGESTION_LAG_MINUTES]: 'five' }, `${ENV.INGESTION_LAG_MINUTES}: "five" is not a whole number`],
    [{ ...base, [ENV.CONCURRENCY]: '99' }, `${ENV.CONCURRENCY}: 99 is out of range (1..20)`],
    [{ ...base, [ENV.DENIED_BURST]: '0' }, `${ENV.DENIED_BURST}: "0" is not a positive whole number`],
    [{ ...base, [ENV.FORBIDDEN_BURST]: '1e3' }, `${ENV.FORBIDDEN_BURST}: "1e3" is not a positive whole number`],
    [{ ...base, [ENV.FORBIDDEN_BURST_RESOURCES]: '-5' }, `${ENV.FORBIDDEN_BURST_RESOURCES}: "-5" is not a positive whole number`],
  ])('fails fast naming the variable: %j', (env, message) => {
    // Act
    const err = error(env as Record<string, string>);

    // Assess
    expect(err.message.startsWith(message)).toBe(true);
  });
});
