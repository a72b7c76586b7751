import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config';
import { CONTEXT_KEYS, parseContext, planStacks } from '../../lib/context';
import { closest, isCdkContextKey } from '../../lambda/settings/context';

const REQUIRED = { clusters: 'prod', alertEmails: 'ops@example.com' };

function problems(context: Record<string, unknown>): string[] {
  try {
    parseContext(context);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseContext', () => {
  it('reads -c strings and applies the defaults', () => {
    // Act
    const settings = parseContext({ clusters: 'prod, staging', alertEmails: 'ops@example.com,sec@example.com' });

    // Assess
    expect(settings).toEqual({
      clusters: [
        { name: 'prod', logGroupName: '/aws/eks/prod/cluster' },
        { name: 'staging', logGroupName: '/aws/eks/staging/cluster' },
      ],
      alertEmails: ['ops@example.com', 'sec@example.com'],
      scheduleMinutes: 15,
      securityHub: false,
      minSeverity: 'medium',
      ingestionLagMinutes: 5,
      maxLookbackDays: 30,
      reminderHours: 24,
      resolveAfterMinutes: 60,
      concurrency: 4,
      suppressions: [],
      ruleSettings: { deniedBurst: 20, forbiddenBurst: 50, forbiddenBurstResources: 5 },
    });
  });

  it('accepts cdk.json numbers and a JSON array of clusters, and thresholds as context keys', () => {
    // Act
    const settings = parseContext({
      clusters: '[{"name":"prod","region":"eu-west-1"},"dev",{"name":"shared","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster:*"}]',
      alertEmails: ['ops@example.com'],
      scheduleMinutes: 30,
      minSeverity: 'HIGH',
      ingestionLagMinutes: '0',
      forbiddenBurst: '7',
    });

    // Assess
    expect(settings.clusters).toEqual([
      { name: 'prod', region: 'eu-west-1', logGroupName: '/aws/eks/prod/cluster' },
      { name: 'dev', logGroupName: '/aws/eks/dev/cluster' },
      { name: 'shared', region: 'eu-west-1', logGroupArn: 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster' },
    ]);
    expect([settings.scheduleMinutes, settings.minSeverity, settings.ingestionLagMinutes]).toEqual([30, 'high', 0]);
    expect(settings.ruleSettings?.['forbiddenBurst']).toBe(7);
  });

  it('leaves the CDK\'s own keys alone: CLI flags, feature flags, telemetry, cached lookups', () => {
    // Prepare
    const cdk = {
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:enable-path-metadata': true,
      '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
      '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': true,
      'cli-telemetry': false,
      'cdk-migrate': true,
      'acknowledged-issue-numbers': [32775],
      'availability-zones:account=111122223333:region=eu-west-1': ['eu-west-1a'],
    };

    // Act
    const act = () => parseContext({ ...REQUIRED, ...cdk });

    // Assess
    expect(act).not.toThrow();
    for (const key of CONTEXT_KEYS) expect(isCdkContextKey(key)).toBe(false);
  });
});

describe('invalid context is rejected naming the key and the value', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing clusters', { clusters: undefined }, 'Invalid clusters: "" is missing: comma-separated names'],
    ['bad cluster name', { clusters: 'prod,bad name!' }, 'Invalid clusters[1].name: "bad name!" is not an EKS cluster name'],
    ['broken JSON', { clusters: '[{"name":' }, 'Invalid clusters: "[{\\"name\\":" is not valid JSON'],
    ['misspelt cluster key', { clusters: '[{"name":"a","logGroup":"/x"}]' }, 'Invalid clusters[0].logGroup: "/x" is not a known key'],
    ['bad region', { clusters: '[{"name":"a","region":"Europe"}]' }, 'Invalid clusters[0].region: "Europe" is not an AWS region'],
    ['name and ARN', { clusters: '[{"name":"a","logGroupName":"/x","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/x"}]' }, 'Invalid clusters[0].logGroupArn: "arn:aws:logs:eu-west-1:210987654321:log-group:/x" cannot be combined with logGroupName'],
    ['not a log group ARN', { clusters: '[{"name":"a","logGroupArn":"arn:aws:s3:::bucket"}]' }, 'Invalid clusters[0].logGroupArn: "arn:aws:s3:::bucket" is not a log group ARN'],
    ['region against ARN', { clusters: '[{"name":"a","region":"us-east-1","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/x"}]' }, 'Invalid clusters[0].region: "us-east-1" differs from the region of its logGroupArn (eu-west-1)'],
    ['duplicate cluster', { clusters: 'prod,prod' }, 'Invalid clusters[1].name: "prod" is listed twice'],
    ['missing emails', { alertEmails: '' }, 'Invalid alertEmails: "" is missing'],
    ['bad email', { alertEmails: 'ops@example.com,not-an-address' }, 'Invalid alertEmails[1]: "not-an-address" is not an email address'],
    ['schedule not a number', { scheduleMinutes: '15m' }, 'Invalid scheduleMinutes: "15m" is not a whole number of minutes from 5 to 1440'],
    ['schedule too short', { scheduleMinutes: '1' }, 'Invalid scheduleMinutes: "1" is not a whole number of minutes from 5 to 1440'],
    ['lag too long', { ingestionLagMinutes: 120 }, 'Invalid ingestionLagMinutes: 120 is not a whole number of minutes from 0 to 60'],
    ['bad severity', { minSeverity: 'urgent' }, 'Invalid minSeverity: "urgent" is not one of info, low, medium, high, critical'],
    ['threshold of zero', { deniedBurst: '0' }, 'Invalid deniedBurst: "0" is not a whole number from 1 to 1000000000'],
    ['misspelt key', { scheduleMinute: 5 }, 'Unknown context key "scheduleMinute": did you mean scheduleMinutes?'],
    ['key in the wrong case', { minseverity: 'high' }, 'Unknown context key "minseverity": did you mean minSeverity?'],
    ['unknown key', { colour: 'blue' }, 'Unknown context key "colour": not a setting of this app (known: clusters, alertEmails,'],
  ];

  it.each(cases)('%s', (_what, context, message) => {
    // Act
    const found = problems({ ...REQUIRED, ...context });

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('reports every bad and unknown key at once, not the first only', () => {
    // Act
    const found = problems({ clusters: 'prod', alertEmails: 'ops', scheduleMinute: 5, scheduleMinutes: 'hourly', minSeverity: 'urgent' });

    // Assess
    expect(found).toEqual([
      'Unknown context key "scheduleMinute": did you mean scheduleMinutes?',
      'Invalid alertEmails[0]: "ops" is not an email address',
      'Invalid scheduleMinutes: "hourly" is not a whole number of minutes from 5 to 1440',
      'Invalid minSeverity: "urgent" is not one of info, low, medium, high, critical',
    ]);
  });

  it('suggests only a near key', () => {
    expect(closest('ingestionLag', CONTEXT_KEYS)).toBeUndefined();
    expect(closest('ingestionLagMinute', CONTEXT_KEYS)).toBe('ingestionLagMinutes');
    expect(closest('deniedBursts', CONTEXT_KEYS)).toBe('deniedBurst');
    expect(closest('x', CONTEXT_KEYS)).toBeUndefined();
  });
});

describe('planStacks', () => {
  const prod = { name: 'prod', logGroupName: '/aws/eks/prod/cluster' };

  it('makes one environment-agnostic stack when no region is known', () => {
    // Act
    const plans = planStacks([prod], {});

    // Assess
    expect(plans).toEqual([{ id: 'EksAuthzAudit', env: { account: undefined, region: undefined }, clusters: [prod] }]);
  });

  it('puts regionless clusters in the default region and splits regions into stacks', () => {
    // Prepare
    const eu = { name: 'eu', region: 'eu-west-1', logGroupName: '/aws/eks/eu/cluster' };
    const us = { name: 'us', region: 'us-east-1', logGroupName: '/aws/eks/us/cluster' };

    // Act
    const plans = planStacks([prod, eu, us], { account: '111122223333', region: 'us-east-1' });

    // Assess
    expect(plans).toEqual([
      { id: 'EksAuthzAudit-eu-west-1', env: { account: '111122223333', region: 'eu-west-1' }, clusters: [eu] },
      { id: 'EksAuthzAudit-us-east-1', env: { account: '111122223333', region: 'us-east-1' }, clusters: [prod, us] },
    ]);
  });

  it('keeps the plain stack id when every cluster is in one region', () => {
    // Act
    const plans = planStacks([{ ...prod, region: 'eu-west-1' }], { region: 'us-east-1' });

    // Assess
    expect(plans.map((p) => [p.id, p.env.region])).toEqual([['EksAuthzAudit', 'eu-west-1']]);
  });

  it('refuses to guess where regionless clusters go when others name a region', () => {
    // Act
    const act = () => planStacks([prod, { name: 'eu', region: 'eu-west-1', logGroupName: '/x' }], {});

    // Assess
    expect(act).toThrow('Invalid clusters: "prod" name no region while other clusters are in eu-west-1');
  });

  it('refuses the same cluster twice once the default region is applied', () => {
    // Act
    const act = () => planStacks([prod, { ...prod, region: 'us-east-1' }], { region: 'us-east-1' });

    // Assess
    expect(act).toThrow('Invalid clusters: "prod" is listed twice for region us-east-1');
  });
});
