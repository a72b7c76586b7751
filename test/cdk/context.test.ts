import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/config';
import { parseClusters, parseContext, parseEmails, parseMinSeverity, parseMinutes, planStacks } from '../../lib/context';

const lookup = (values: Record<string, unknown>) => (key: string) => values[key];

describe('parseContext', () => {
  it('reads -c strings and applies the defaults', () => {
    // Prepare
    const get = lookup({ clusters: 'prod, staging', alertEmails: 'ops@example.com,sec@example.com' });

    // Act
    const settings = parseContext(get);

    // Assess
    expect(settings).toEqual({
      clusters: [
        { name: 'prod', logGroupName: '/aws/eks/prod/cluster' },
        { name: 'staging', logGroupName: '/aws/eks/staging/cluster' },
      ],
      alertEmails: ['ops@example.com', 'sec@example.com'],
      scheduleMinutes: 15,
      minSeverity: 'medium',
      ingestionLagMinutes: 5,
    });
  });

  it('accepts cdk.json numbers and a JSON array of clusters', () => {
    // Prepare
    const get = lookup({
      clusters: '[{"name":"prod","region":"eu-west-1"},"dev",{"name":"shared","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster:*"}]',
      alertEmails: ['ops@example.com'],
      scheduleMinutes: 30,
      minSeverity: 'HIGH',
      ingestionLagMinutes: '0',
    });

    // Act
    const settings = parseContext(get);

    // Assess
    expect(settings.clusters).toEqual([
      { name: 'prod', region: 'eu-west-1', logGroupName: '/aws/eks/prod/cluster' },
      { name: 'dev', logGroupName: '/aws/eks/dev/cluster' },
      { name: 'shared', region: 'eu-west-1', logGroupArn: 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster' },
    ]);
    expect(settings.scheduleMinutes).toBe(30);
    expect(settings.minSeverity).toBe('high');
    expect(settings.ingestionLagMinutes).toBe(0);
  });
});

describe('invalid context is rejected naming the key and the value', () => {
  const cases: [string, () => unknown, string][] = [
    ['missing clusters', () => parseClusters(undefined), 'Invalid clusters: "" is missing'],
    ['bad cluster name', () => parseClusters('prod,bad name!'), 'Invalid clusters[1].name: "bad name!" is not an EKS cluster name'],
    ['broken JSON', () => parseClusters('[{"name":'), 'Invalid clusters: "[{\\"name\\":" is not valid JSON'],
    ['misspelt cluster key', () => parseClusters('[{"name":"a","logGroup":"/x"}]'), 'Invalid clusters[0].logGroup: "/x" is not a known key'],
    ['bad region', () => parseClusters('[{"name":"a","region":"Europe"}]'), 'Invalid clusters[0].region: "Europe" is not an AWS region'],
    ['name and ARN', () => parseClusters('[{"name":"a","logGroupName":"/x","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/x"}]'), 'Invalid clusters[0].logGroupArn: "arn:aws:logs:eu-west-1:210987654321:log-group:/x" cannot be combined with logGroupName'],
    ['not a log group ARN', () => parseClusters('[{"name":"a","logGroupArn":"arn:aws:s3:::bucket"}]'), 'Invalid clusters[0].logGroupArn: "arn:aws:s3:::bucket" is not a log group ARN'],
    ['region against ARN', () => parseClusters('[{"name":"a","region":"us-east-1","logGroupArn":"arn:aws:logs:eu-west-1:210987654321:log-group:/x"}]'), 'Invalid clusters[0].region: "us-east-1" differs from the region of its logGroupArn (eu-west-1)'],
    ['duplicate cluster', () => parseClusters('prod,prod'), 'Invalid clusters[1].name: "prod" is listed twice'],
    ['missing emails', () => parseEmails(''), 'Invalid alertEmails: "" is missing'],
    ['bad email', () => parseEmails('ops@example.com,not-an-address'), 'Invalid alertEmails[1]: "not-an-address" is not an email address'],
    ['schedule not a number', () => parseMinutes('15m', 'scheduleMinutes', 15), 'Invalid scheduleMinutes: "15m" is not a whole number of minutes'],
    ['schedule too short', () => parseMinutes('1', 'scheduleMinutes', 15), 'Invalid scheduleMinutes: 1 is not a whole number of minutes from 5 to 1440'],
    ['lag too long', () => parseMinutes(120, 'ingestionLagMinutes', 5), 'Invalid ingestionLagMinutes: 120 is not a whole number of minutes from 0 to 60'],
    ['bad severity', () => parseMinSeverity('urgent'), 'Invalid minSeverity: "urgent" is not one of info, low, medium, high, critical'],
  ];

  it.each(cases)('%s', (_what, act, message) => {
    // Prepare: the case table. Act and Assess:
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('reports the first bad key from parseContext', () => {
    // Prepare
    const get = lookup({ clusters: 'prod', alertEmails: 'ops@example.com', scheduleMinutes: 'hourly' });

    // Act
    const act = () => parseContext(get);

    // Assess
    expect(act).toThrow('Invalid scheduleMinutes: "hourly" is not a whole number of minutes');
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
