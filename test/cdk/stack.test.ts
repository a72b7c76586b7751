import { App, Resource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { EksAuthzAuditorProps } from '../../lib/eks-authz-auditor';
import { EksAuthzAuditor } from '../../lib/eks-authz-auditor';
import { EksAuthzAuditStack } from '../../lib/eks-authz-audit-stack';
import { iam5ResourceFinding } from '../../lib/nag';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const CROSS_ACCOUNT_ARN = 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster';

/** Bundling is skipped here (20 ms instead of 600 ms a stack); bundle.test.ts bundles for real. */
function synth(auditor: Partial<EksAuthzAuditorProps> = {}, env: { account?: string; region?: string } = ENV) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new EksAuthzAuditStack(app, 'Test', {
    env,
    auditor: { clusters: [{ name: 'demo' }], alertEmails: ['ops@example.com'], ...auditor },
  });
  return { stack, template: Template.fromStack(stack) };
}

function onlyResource(template: Template, type: string): { logicalId: string; props: Record<string, any> } {
  const found = Object.entries(template.findResources(type));
  expect(found, type).toHaveLength(1);
  const [logicalId, resource] = found[0]!;
  return { logicalId, props: resource.Properties };
}

const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, suffix]] });

describe('EksAuthzAuditStack', () => {
  const { template } = synth();
  const topic = onlyResource(template, 'AWS::SNS::Topic');
  const key = onlyResource(template, 'AWS::KMS::Key');
  const queue = onlyResource(template, 'AWS::SQS::Queue');
  const fn = onlyResource(template, 'AWS::Lambda::Function');
  const role = onlyResource(template, 'AWS::IAM::Role');
  const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
  const rule = onlyResource(template, 'AWS::Events::Rule');
  const table = onlyResource(template, 'AWS::DynamoDB::Table');
  const queueArn = { 'Fn::GetAtt': [queue.logicalId, 'Arn'] };

  it('schedules rate(N minutes) with retries, a maximum event age and the dead-letter queue', () => {
    // Assess
    expect(rule.props).toEqual({
      Description: 'Runs the EKS authz audit every 15 minutes',
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
          Id: 'Target0',
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
          DeadLetterConfig: { Arn: queueArn },
        },
      ],
    });
  });

  it('runs the current Node.js runtime on arm64, one run at a time, with a timeout for polling', () => {
    // Assess
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 600,
      MemorySize: 512,
      ReservedConcurrentExecutions: 1,
      Role: { 'Fn::GetAtt': [role.logicalId, 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logGroup.logicalId } },
    });
    expect(logGroup.props).toEqual({ RetentionInDays: 30 });
  });

  it('passes every setting, defaults included, in the names the runtime reads', () => {
    // Assess
    expect(fn.props.Environment).toEqual({
      Variables: {
        AUDIT_CLUSTERS: '[{"name":"demo","logGroupName":"/aws/eks/demo/cluster"}]',
        AUDIT_TOPIC_ARN: { Ref: topic.logicalId },
        AUDIT_MIN_SEVERITY: 'medium',
        AUDIT_SCHEDULE_MINUTES: '15',
        AUDIT_SECURITY_HUB: 'false',
        AUDIT_INGESTION_LAG_MINUTES: '5',
        AUDIT_MAX_LOOKBACK_DAYS: '30',
        AUDIT_REMINDER_HOURS: '24',
        AUDIT_RESOLVE_AFTER_MINUTES: '60',
        AUDIT_CONCURRENCY: '4',
        AUDIT_SUPPRESSIONS: '[]',
        AUDIT_DENIED_BURST: '20',
        AUDIT_FORBIDDEN_BURST: '50',
        AUDIT_FORBIDDEN_BURST_RESOURCES: '5',
        AUDIT_STATE_TABLE: { Ref: table.logicalId },
        POWERTOOLS_SERVICE_NAME: 'eks-authz-audit',
        POWERTOOLS_METRICS_NAMESPACE: 'EksAuthzAudit',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('sends failed async invocations to the dead-letter queue after two retries', () => {
    // Assess
    expect(onlyResource(template, 'AWS::Lambda::EventInvokeConfig').props).toEqual({
      FunctionName: { Ref: fn.logicalId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it('grants exactly what the audit needs, each statement pinned', () => {
    // Prepare
    const policy = onlyResource(template, 'AWS::IAM::Policy');
    const logGroupArn = arn(':logs:eu-west-1:111122223333:log-group:/aws/eks/demo/cluster');

    // Assess
    expect(policy.props.Roles).toEqual([{ Ref: role.logicalId }]);
    expect(policy.props.PolicyDocument.Statement).toEqual([
      {
        Action: 'logs:StartQuery',
        Effect: 'Allow',
        Resource: [logGroupArn, arn(':logs:eu-west-1:111122223333:log-group:/aws/eks/demo/cluster:*')],
      },
      { Action: ['logs:GetQueryResults', 'logs:StopQuery'], Effect: 'Allow', Resource: '*' },
      // Stream listing on the configured log group only; the log group class needs *.
      { Action: 'logs:DescribeLogStreams', Effect: 'Allow', Resource: [logGroupArn, arn(':logs:eu-west-1:111122223333:log-group:/aws/eks/demo/cluster:*')] },
      { Action: 'logs:DescribeLogGroups', Effect: 'Allow', Resource: '*' },
      // The EKS API reads, on the configured cluster and its own node groups and access entries only.
      { Action: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:ListAccessEntries'], Effect: 'Allow', Resource: arn(':eks:eu-west-1:111122223333:cluster/demo') },
      { Action: 'eks:DescribeNodegroup', Effect: 'Allow', Resource: arn(':eks:eu-west-1:111122223333:nodegroup/demo/*') },
      { Action: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], Effect: 'Allow', Resource: arn(':eks:eu-west-1:111122223333:access-entry/demo/*') },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topic.logicalId } },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } },
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logGroup.logicalId, 'Arn'] },
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: queueArn },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [table.logicalId, 'Arn'] },
      },
      { Action: ['kms:Encrypt', 'kms:DescribeKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } },
    ]);
    expect(role.props.ManagedPolicyArns).toBeUndefined();
    expect(role.props.Policies).toBeUndefined();
    expect(role.props.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('keeps the life-cycle state in an on-demand table encrypted with the key, with PITR, a TTL, retained on delete', () => {
    // Assess
    expect(table.props).toEqual({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [key.logicalId, 'Arn'] }, SSEEnabled: true, SSEType: 'KMS' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const resource = template.findResources('AWS::DynamoDB::Table')[table.logicalId]!;
    expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  it('encrypts the topic with a rotated customer-managed key that alarms may use, and requires TLS', () => {
    // Assess
    expect(topic.props.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.logicalId, 'Arn'] });
    expect(key.props.EnableKeyRotation).toBe(true);
    expect(key.props.KeyPolicy.Statement).toContainEqual({
      Sid: 'AllowCloudWatchAlarmsToPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      // Only this account's alarms, through the alarm service (confused deputy).
      Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
    });
    expect(onlyResource(template, 'AWS::SNS::TopicPolicy').props.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topic.logicalId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowThisAccountsAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic.logicalId },
        Condition: {
          ArnLike: { 'aws:SourceArn': arn(':cloudwatch:eu-west-1:111122223333:alarm:*') },
          StringEquals: { 'aws:SourceAccount': '111122223333' },
        },
      },
    ]);
    expect(onlyResource(template, 'AWS::SNS::Subscription').props).toEqual({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topic.logicalId },
    });
  });

  it('keeps the dead-letter queue encrypted, TLS-only, writable only by its schedule', () => {
    // Assess
    expect(queue.props).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(onlyResource(template, 'AWS::SQS::QueuePolicy').props.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Resource: queueArn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: expect.stringMatching(/^AllowEventRule/),
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule.logicalId, 'Arn'] } } },
      },
    ]);
  });

  it('alarms on errors, throttles, incomplete audits and dead letters, all notifying the topic', () => {
    // Prepare
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const summary = alarms.map((a) => ({
      namespace: a.Namespace,
      metric: a.MetricName,
      dimensions: a.Dimensions,
      statistic: a.Statistic,
      period: a.Period,
    }));

    // Assess
    expect(summary).toEqual([
      { namespace: 'AWS/Lambda', metric: 'Errors', dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.logicalId } }], statistic: 'Sum', period: 300 },
      { namespace: 'AWS/Lambda', metric: 'Throttles', dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.logicalId } }], statistic: 'Sum', period: 300 },
      // Exactly the dimensions Powertools Metrics writes for this metric: its default `service`.
      { namespace: 'EksAuthzAudit', metric: 'IncompleteAudits', dimensions: [{ Name: 'service', Value: 'eks-authz-audit' }], statistic: 'Sum', period: 900 },
      {
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.logicalId, 'QueueName'] } }],
        statistic: 'Maximum',
        period: 300,
      },
      { namespace: 'EksAuthzAudit', metric: 'ScheduledRunsCompleted', dimensions: [{ Name: 'service', Value: 'eks-authz-audit' }], statistic: 'Sum', period: 900 },
    ]);
    for (const a of alarms.filter((x) => x.MetricName !== 'ScheduledRunsCompleted')) {
      expect(a).toMatchObject({
        AlarmActions: [{ Ref: topic.logicalId }],
        OKActions: [{ Ref: topic.logicalId }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('has a heartbeat alarm: no scheduled run completed in two schedule periods, missing data breaching', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ScheduledRunsCompleted',
      Namespace: 'EksAuthzAudit',
      Period: 900,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topic.logicalId }],
      OKActions: [{ Ref: topic.logicalId }],
    });
  });

  it('matches the snapshot (asset hashes masked)', () => {
    // Prepare
    // Bootstrap boilerplate (Parameters, Rules) is CDK's, not ours: left out to keep the snapshot small.
    const { Parameters: _p, Rules: _r, ...ours } = template.toJSON();
    const masked = JSON.parse(JSON.stringify(ours).replace(/[0-9a-f]{64}/g, '<asset-hash>'));

    // Assess
    expect(masked).toMatchSnapshot();
  });
});

describe('EksAuthzAuditor options', () => {
  it('grants StartQuery on every cluster, cross-account ARNs as given', () => {
    // Prepare
    const clusters = [{ name: 'demo' }, { name: 'shared', logGroupArn: `${CROSS_ACCOUNT_ARN}:*` }];

    // Act
    const { template } = synth({ clusters });

    // Assess
    const statements = onlyResource(template, 'AWS::IAM::Policy').props.PolicyDocument.Statement;
    expect(statements[0]).toEqual({
      Action: 'logs:StartQuery',
      Effect: 'Allow',
      Resource: [
        arn(':logs:eu-west-1:111122223333:log-group:/aws/eks/demo/cluster'),
        arn(':logs:eu-west-1:111122223333:log-group:/aws/eks/demo/cluster:*'),
        CROSS_ACCOUNT_ARN,
        `${CROSS_ACCOUNT_ARN}:*`,
      ],
    });
    expect(JSON.parse(onlyResource(template, 'AWS::Lambda::Function').props.Environment.Variables.AUDIT_CLUSTERS)).toEqual([
      { name: 'demo', logGroupName: '/aws/eks/demo/cluster' },
      { name: 'shared', region: 'eu-west-1', logGroupArn: CROSS_ACCOUNT_ARN },
    ]);
  });

  it('follows the schedule: rate, alarm period and a timeout that ends before the next run', () => {
    // Act
    const { template } = synth({ scheduleMinutes: 5, minSeverity: 'high', ingestionLagMinutes: 2 });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({ AUDIT_SCHEDULE_MINUTES: '5', AUDIT_MIN_SEVERITY: 'high', AUDIT_INGESTION_LAG_MINUTES: '2' }),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IncompleteAudits', Period: 300 });
  });

  it('stays environment-agnostic when the stack has no account or region', () => {
    // Act
    const { template } = synth({}, {});

    // Assess
    const startQuery = onlyResource(template, 'AWS::IAM::Policy').props.PolicyDocument.Statement[0];
    expect(startQuery.Resource[0]).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:/aws/eks/demo/cluster']],
    });
  });

  it('rejects a cluster from another region than the stack, naming it', () => {
    // Act
    const act = () => synth({ clusters: [{ name: 'demo', region: 'us-east-1' }] });

    // Assess
    expect(act).toThrow(`Invalid clusters[0].region: "us-east-1" is not this stack's region (eu-west-1)`);
  });

  it('rejects bad props the way the context parser does', () => {
    // Assess
    expect(() => synth({ scheduleMinutes: 2 })).toThrow('Invalid scheduleMinutes: 2 is not a whole number of minutes from 5 to 1440');
    expect(() => synth({ alertEmails: ['ops'] })).toThrow('Invalid alertEmails[0]: "ops" is not an email address');
    expect(() => synth({ clusters: [] })).toThrow('Invalid clusters: [] names no cluster');
    expect(() => synth({ minSeverity: 'severe' as never })).toThrow('Invalid minSeverity: "severe" is not one of');
    expect(() => synth({ ruleSettings: { forbiddenBurst: 0 } })).toThrow('Invalid ruleSettings.forbiddenBurst: 0 is not a whole number from 1 to 1000000000');
    expect(() => synth({ ruleSettings: { forbidenBurst: 9 } })).toThrow('Invalid ruleSettings.forbidenBurst: 9 is not a rule threshold (deniedBurst, forbiddenBurst, forbiddenBurstResources)');
  });

  it('names every bad prop at once', () => {
    // Act
    const act = () => synth({ scheduleMinutes: 2, concurrency: 0, ruleSettings: { deniedBurst: -1 } });

    // Assess
    expect(act).toThrow(
      [
        'Invalid scheduleMinutes: 2 is not a whole number of minutes from 5 to 1440',
        'Invalid concurrency: 0 is not a whole number from 1 to 20',
        'Invalid ruleSettings.deniedBurst: -1 is not a whole number from 1 to 1000000000',
      ].join('\n'),
    );
  });

  it('passes the burst thresholds that were set to the function, the rest at their defaults', () => {
    // Act
    const { template } = synth({ ruleSettings: { deniedBurst: 5, forbiddenBurstResources: 3 } });

    // Assess
    const vars = onlyResource(template, 'AWS::Lambda::Function').props.Environment.Variables;
    expect([vars.AUDIT_DENIED_BURST, vars.AUDIT_FORBIDDEN_BURST, vars.AUDIT_FORBIDDEN_BURST_RESOURCES]).toEqual(['5', '50', '3']);
  });

  it('exposes what it creates for users who embed it', () => {
    // Prepare
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Embedded');

    // Act
    const auditor = new EksAuthzAuditor(stack, 'Audit', { clusters: [{ name: 'demo' }] });
    auditor.topic.grantPublish(new iam.AccountRootPrincipal());

    // Assess
    expect(Object.keys(auditor.alarms)).toEqual(['errors', 'throttles', 'incompleteAudits', 'deadLetters', 'heartbeat']);
    expect(auditor.alarmTopic).toBe(auditor.topic);
    // Every resource it creates is reachable from a public field (alarms through `alarms`), so a user can
    // configure any of them further; a builder added later must expose its resource too.
    const exposed = new Set<unknown>(Object.values(auditor).flatMap((v) => (v && typeof v === 'object' && !(v instanceof Resource) && !Array.isArray(v) ? Object.values(v) : [v])));
    const created = auditor.node.children.filter((c) => c instanceof Resource);
    expect(created.length).toBeGreaterThanOrEqual(10);
    expect(created.filter((c) => !exposed.has(c)).map((c) => c.node.id)).toEqual([]);
    expect(auditor.clusters).toEqual([{ name: 'demo', logGroupName: '/aws/eks/demo/cluster' }]);
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('EksAuthzAuditor escape hatches', () => {
  function embed(props: Partial<EksAuthzAuditorProps>, build?: (stack: Stack) => Partial<EksAuthzAuditorProps>) {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Embedded', { env: ENV });
    const auditor = new EksAuthzAuditor(stack, 'Audit', { clusters: [{ name: 'demo' }], ...props, ...build?.(stack) });
    return { stack, auditor, template: Template.fromStack(stack) };
  }
  const publishGrants = (template: Template) =>
    (onlyResource(template, 'AWS::IAM::Policy').props.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter(
      (s) => JSON.stringify(s.Action).includes('sns:') || JSON.stringify(s.Action).includes('kms:GenerateDataKey'),
    );

  it('sends the alarms to a separate alarm topic when given, findings still to the alert topic', () => {
    // Act
    const { auditor, template } = embed({}, (stack) => ({ alarmTopic: new sns.Topic(stack, 'OnCall') }));

    // Assess
    const onCall = (auditor.alarmTopic as sns.Topic).node.defaultChild as sns.CfnTopic;
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toHaveLength(5);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: Stack.of(auditor).getLogicalId(onCall) }]);
    expect(auditor.alarmTopic).not.toBe(auditor.topic);
  });

  it('publishes to an existing topic and its key: creates neither, grants both, subscribes the emails', () => {
    // Act
    const { auditor, template } = embed({ alertEmails: ['ops@example.com'] }, (stack) => {
      const key = new kms.Key(stack, 'TeamKey');
      return { topic: new sns.Topic(stack, 'TeamTopic', { masterKey: key }), encryptionKey: key };
    });

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    expect(topicId).toMatch(/^TeamTopic/);
    expect(auditor.topic.node.id).toBe('TeamTopic');
    expect(publishGrants(template)).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
    // The team's own key and topic also let this account's alarms publish.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish' })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'AllowThisAccountsAlarmsToPublish' })] },
    });
  });

  it("takes an existing topic's own key when no key is given", () => {
    // Act
    const { auditor, template } = embed({}, (stack) => ({ topic: new sns.Topic(stack, 'TeamTopic', { masterKey: new kms.Key(stack, 'TeamKey') }) }));

    // Assess
    expect(auditor.key?.node.id).toBe('TeamKey');
    expect(publishGrants(template)).toHaveLength(2);
  });

  it('publishes to an imported unencrypted topic with no key grant and no policy change', () => {
    // Prepare
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:team-alerts';

    // Act
    const { auditor, template } = embed({}, (stack) => ({ topic: sns.Topic.fromTopicArn(stack, 'Imported', topicArn) }));

    // Assess
    expect(auditor.key).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    expect(publishGrants(template)).toEqual([{ Action: 'sns:Publish', Effect: 'Allow', Resource: topicArn }]);
  });

  it('encrypts the topic it creates with an existing key', () => {
    // Act
    const { auditor, template } = embed({}, (stack) => ({ encryptionKey: new kms.Key(stack, 'TeamKey') }));

    // Assess
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(auditor.key?.node.id).toBe('TeamKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no open finding, cross-account and several clusters included', () => {
    // Prepare
    const { stack } = synth({ clusters: [{ name: 'demo' }, { name: 'other' }, { name: 'shared', logGroupArn: CROSS_ACCOUNT_ARN }] });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('has no open finding in an environment-agnostic stack', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(synth({}, {}).stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('names IAM5 findings the way cdk-nag does, so each acknowledgment hits its finding', () => {
    // Prepare: a bare role with the same kind of grant and no acknowledgment.
    const stack = new Stack(new App(), 'Bare', { env: ENV });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const resource = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/x:*', arnFormat: 'arn:aws:service:region:account:resource:resourceName' as never });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:StartQuery'], resources: [resource] }));

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([iam5ResourceFinding(stack, resource)]);
  });
});
