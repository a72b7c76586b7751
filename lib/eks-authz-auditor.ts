import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { ArnFormat, Duration, RemovalPolicy as Removal, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../lambda/settings/names';
import type { ResolvedSettings as TableSettings, SettingsProps } from '../lambda/settings/table';
import { environmentOf, resolveProps } from '../lambda/settings/values';
import type { AuditedCluster } from './config';
import { ConfigError } from './config';
import { grantExports } from './exports-grants';
import { iam5ResourceFinding } from './nag';
import { buildStateTable, grantStateTable } from './state-table';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

const PROJECT_ROOT = join(import.meta.dirname, '..');
const LOCK_FILE = join(PROJECT_ROOT, 'package-lock.json');

/**
 * The settings (clusters, alertEmails, scheduleMinutes, minSeverity, ingestionLagMinutes, maxLookbackDays,
 * concurrency, and rule thresholds under `ruleSettings`) come from the settings table
 * (lambda/settings/table.ts), which gives each one's type, default, bounds and meaning; README
 * "Configuration" lists them. They are validated as the CDK context is, every problem named at once.
 * The props below are the construct's own.
 */
export interface EksAuthzAuditorProps extends SettingsProps {
  /**
   * How long one run may poll its queries.
   * @default the schedule period, at most 10 minutes (runs never queue behind each other)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's own log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the key, log group and queue when the stack is deleted. The key is scheduled
   * for deletion after a 7-day waiting period.
   * @default RemovalPolicy.DESTROY (uninstalling leaves nothing that keeps costing)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * An existing topic to publish findings and alarms to, instead of creating one. `alertEmails` are
   * subscribed to it. When it is encrypted, pass its key as `encryptionKey` unless the topic object
   * already knows it (`masterKey`), so that the function may publish. The statement letting this
   * account's alarms publish is added to the topic's policy when the topic is defined in this app;
   * an imported topic's policy must allow it already.
   * @default a new topic encrypted with `encryptionKey`
   */
  readonly topic?: sns.ITopic;
  /**
   * A topic for the auditor's own alarms (errors, throttles, incomplete audits, dead letters, heartbeat).
   * By default they go to the alert topic and share its fate: if that topic, its key or its subscriptions
   * break, the alarms that would say so cannot be delivered either. Give a topic owned elsewhere (an
   * existing on-call topic) to separate them.
   * @default the alert topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The KMS key of the alert topic: encrypts a created topic, or is the key of the `topic` given.
   * The function is granted its use, and the key policy a statement letting this account's alarms
   * use it (added only to a key defined in this app; an imported key's policy must allow it already).
   * @default a new customer-managed key rotated yearly; with `topic`, the topic's `masterKey`
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The handler source, bundled with the local esbuild.
   * @default lambda/runtime/handler.ts of this project
   */
  readonly entry?: string;
}

/** The alarms that make a broken auditor itself an alert. */
export interface AuditorAlarms {
  readonly errors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
  readonly incompleteAudits: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  /**
   * No scheduled run completed for two schedule periods (the schedule disabled, the function broken before
   * it could report): missing data is breaching for this one.
   */
  readonly heartbeat: cloudwatch.Alarm;
}

/** The props once validated and defaulted: what the builders read. */
interface ResolvedSettings extends TableSettings {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Scheduled EKS node-authorization audit: an EventBridge rule runs a Lambda that queries the clusters'
 * control-plane logs with Logs Insights and publishes findings to an encrypted SNS topic. Failed runs
 * land in a dead-letter queue, and errors, throttles, incomplete audits and dead letters alarm on the
 * same topic.
 *
 * The constructor validates the props, then calls one builder per part (topic, dead-letter queue,
 * function, schedule, alarms) and grants the function what it needs: add a part as one more builder.
 */
export class EksAuthzAuditor extends Construct {
  /**
   * The key of the alert topic: the one created (rotated yearly), the `encryptionKey` given, or the
   * given topic's own key. Undefined only when a `topic` was given with no key known.
   */
  readonly key: kms.IKey | undefined;
  /** Where findings (and, without `alarmTopic`, alarms) are published: created, or the `topic` given. */
  readonly topic: sns.ITopic;
  /** Where the alarms notify: `alarmTopic` when given, else `topic`. */
  readonly alarmTopic: sns.ITopic;
  /** Scheduled events that could not be delivered or whose run failed after its retries. */
  readonly deadLetterQueue: sqs.Queue;
  /** The function's execution role: exactly the permissions the audit needs. */
  readonly role: iam.Role;
  /** The function's own log group. */
  readonly logGroup: logs.LogGroup;
  readonly function: NodejsFunction;
  readonly schedule: events.Rule;
  readonly alarms: AuditorAlarms;
  /** The clusters as validated, with their log groups filled in. */
  readonly clusters: readonly AuditedCluster[];
  /** The incidents' life cycle across runs (lib/state-table.ts): kept when the stack is deleted. */
  readonly stateTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: EksAuthzAuditorProps) {
    super(scope, id);
    const settings = this.resolveSettings(props);
    this.clusters = settings.clusters;

    const alerts = this.buildAlertTopic(props, settings);
    this.topic = alerts.topic;
    this.key = alerts.key;
    this.alarmTopic = props.alarmTopic ?? this.topic;
    this.deadLetterQueue = this.buildDeadLetterQueue(settings);
    this.logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: settings.removalPolicy,
    });
    this.role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'EKS authz audit: query control-plane logs, publish findings',
    });
    this.grantAudit();
    this.stateTable = buildStateTable(this, this.key);
    grantStateTable(this.role, this.stateTable, this.key);
    grantExports(this.role, settings);
    this.function = this.buildFunction(props, settings);
    this.schedule = this.buildSchedule(settings);
    this.alarms = this.buildAlarms(settings);
    this.acknowledgeNagFindings();
  }

  /** Checks every prop the way the context parser does, and fills in the defaults. */
  private resolveSettings(props: EksAuthzAuditorProps): ResolvedSettings {
    const stack = Stack.of(this);
    const settings = resolveProps(props);
    for (const [i, c] of settings.clusters.entries()) {
      if (c.region !== undefined && !Token.isUnresolved(stack.region) && c.region !== stack.region) {
        throw new ConfigError(`clusters[${i}].region`, c.region, `is not this stack's region (${stack.region}): Logs Insights queries one region`);
      }
    }
    return { ...settings, removalPolicy: props.removalPolicy ?? Removal.DESTROY };
  }

  /** The topic findings and alarms go to (given or created), its key, and the email subscriptions. */
  private buildAlertTopic(props: EksAuthzAuditorProps, settings: ResolvedSettings): { topic: sns.ITopic; key: kms.IKey | undefined } {
    const stack = Stack.of(this);
    const key =
      props.encryptionKey ??
      (props.topic
        ? props.topic.masterKey
        : new kms.Key(this, 'Key', {
            description: 'Encrypts the EKS authz audit alert topic',
            enableKeyRotation: true,
            removalPolicy: settings.removalPolicy,
            pendingWindow: Duration.days(7),
          }));
    // CloudWatch alarms publish to an encrypted topic only if the key lets the alarm service use it
    // (SNS guide: "Enable compatibility between event sources from AWS services and encrypted topics");
    // aws:SourceAccount keeps other accounts' alarms from using it through the service (confused deputy).
    // A no-op on an imported key, whose policy is not this app's to change.
    key?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    const topic = props.topic ?? new sns.Topic(this, 'Topic', { displayName: 'EKS authz audit', masterKey: key, enforceSSL: true });
    // enforceSSL gives the topic a policy of its own, which replaces the default one that let the
    // account's alarms publish: allow them again, and only this account's alarms. A no-op on an
    // imported topic.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    for (const email of settings.alertEmails) topic.addSubscription(new EmailSubscription(email));
    return { topic, key };
  }

  private buildDeadLetterQueue(settings: ResolvedSettings): sqs.Queue {
    // SQS-managed encryption rather than the key: both EventBridge (undeliverable events) and Lambda
    // (failed runs) write here, and the messages are scheduled events, never findings.
    return new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: settings.removalPolicy,
    });
  }

  /** What the function reads at cold start (lambda/runtime/config.ts): every setting of the table that has a variable. */
  private functionEnvironment(settings: ResolvedSettings): Record<string, string> {
    return {
      ...environmentOf(settings, { topicArn: this.topic.topicArn, stateTable: this.stateTable.tableName }),
      // Fixes the namespace and the `service` dimension Powertools Metrics writes, which the
      // incomplete-audit alarm must match exactly.
      POWERTOOLS_SERVICE_NAME: METRICS.SERVICE,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.NAMESPACE,
      // Stack traces in the logs point into lambda/*.ts, not into the minified bundle.
      NODE_OPTIONS: '--enable-source-maps',
    };
  }

  private buildFunction(props: EksAuthzAuditorProps, settings: ResolvedSettings): NodejsFunction {
    return new NodejsFunction(this, 'Function', {
      entry: props.entry ?? join(PROJECT_ROOT, 'lambda', 'runtime', 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      // A clone has its lockfile; an installed package has none (npm never publishes it), and then
      // NodejsFunction looks for the embedding app's own.
      ...(existsSync(LOCK_FILE) ? { depsLockFilePath: LOCK_FILE } : {}),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.minutes(Math.min(settings.scheduleMinutes, 10)),
      // One run at a time: two overlapping runs would query (and pay for) the same window twice.
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      description: 'Audits EKS node authorization from control-plane logs',
      environment: this.functionEnvironment(settings),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: { bind: () => ({ destination: this.deadLetterQueue.queueArn }) },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // The SDK is bundled, not taken from the runtime: the code that runs is the code that was tested.
        externalModules: [],
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require() at run time; ESM output has none without this.
        banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
      },
    });
  }

  private buildSchedule(settings: ResolvedSettings): events.Rule {
    const schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the EKS authz audit every ${settings.scheduleMinutes} minutes`,
      schedule: events.Schedule.expression(`rate(${settings.scheduleMinutes} minutes)`),
    });
    schedule.addTarget(
      new targets.LambdaFunction(this.function, {
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    return schedule;
  }

  /** Log group ARNs StartQuery is granted on, two forms per cluster (see grantAudit). */
  logGroupArns(): string[] {
    return this.clusters.flatMap((c) => {
      const arn =
        c.logGroupArn ??
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: c.logGroupName!,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          ...(c.region ? { region: c.region } : {}),
        });
      return [arn, `${arn}:*`];
    });
  }

  /**
   * The configured clusters' EKS ARNs: `cluster/NAME`, or everything under it (`nodegroup/NAME/*`,
   * `access-entry/NAME/*`: the cluster's node groups and access entries only).
   */
  eksArns(kind: 'cluster' | 'nodegroup' | 'access-entry'): string[] {
    return this.clusters.map((c) =>
      Stack.of(this).formatArn({
        service: 'eks',
        resource: kind,
        resourceName: kind === 'cluster' ? c.name : `${c.name}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        ...(c.region ? { region: c.region } : {}),
      }),
    );
  }

  private grantAudit(): void {
    // The service authorization reference gives StartQuery the log-group resource type
    // (arn:...:log-group:NAME); the service has been seen to evaluate it as log-group:NAME:*, so both
    // forms are granted. Both name only that log group.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:StartQuery'], resources: this.logGroupArns() }));
    // StopQuery has no resource type in the service authorization reference. GetQueryResults names only
    // a query id and is commonly granted on `*`, but the current reference lists log-group for it: `*`
    // works under either reading (it can read query results, not log groups), a scoped grant under one.
    // See docs/architecture.md "IAM permissions of the function".
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
    );
    // Listing each stream kind's streams, so each query names its own (runtime/log-streams.ts).
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogStreams'], resources: this.logGroupArns() }));
    // DescribeLogGroups has no resource type (service authorization reference): it only says whether a
    // group is Infrequent Access, where naming streams saves nothing.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    // Coverage: the clusters' logging, authentication mode, node groups and access entries. Resource types
    // per the service authorization reference: DescribeCluster, ListNodegroups and ListAccessEntries on
    // cluster; DescribeNodegroup on nodegroup; DescribeAccessEntry and ListAssociatedAccessPolicies on access-entry.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:ListAccessEntries'], resources: this.eksArns('cluster') }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['eks:DescribeNodegroup'], resources: this.eksArns('nodegroup') }));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], resources: this.eksArns('access-entry') }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    // Publishing to a KMS-encrypted topic: the publisher needs a data key and must be able to decrypt it.
    if (this.key) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.key.keyArn] }),
      );
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    // The async failure destination is written with the execution role.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
  }

  private buildAlarms(settings: ResolvedSettings): AuditorAlarms {
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string, heartbeat = false): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: heartbeat ? 2 : 1,
        comparisonOperator: heartbeat ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means no run failed (or none ran yet): not an alarm. For the heartbeat it means no run completed.
        treatMissingData: heartbeat ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      return a;
    };
    const fiveMinutes = Duration.minutes(5);
    return {
      errors: alarm(
        'ErrorsAlarm',
        this.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        'The EKS authz audit function failed: an audit window may have been skipped. See the function logs; failed events are in the dead-letter queue.',
      ),
      throttles: alarm(
        'ThrottlesAlarm',
        this.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
        'An EKS authz audit run was throttled: a previous run was still going (reserved concurrency 1). Runs take longer than the schedule allows.',
      ),
      incompleteAudits: alarm(
        'IncompleteAuditsAlarm',
        new cloudwatch.Metric({
          namespace: METRICS.NAMESPACE,
          metricName: METRICS.INCOMPLETE_AUDITS,
          dimensionsMap: { service: METRICS.SERVICE },
          statistic: 'Sum',
          period: Duration.minutes(settings.scheduleMinutes),
        }),
        'At least one cluster could not be audited completely (query failed or timed out): its findings for that window are missing.',
      ),
      deadLetters: alarm(
        'DeadLettersAlarm',
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        'Scheduled EKS authz audit events are in the dead-letter queue: those runs never completed. Inspect, then purge or re-drive them.',
      ),
      // Period x 2 stays within PutMetricAlarm's limits (1 day below an hour's period, 7 days above):
      // the schedule is 5 to 1,440 minutes.
      heartbeat: alarm(
        'HeartbeatAlarm',
        new cloudwatch.Metric({
          namespace: METRICS.NAMESPACE,
          metricName: METRICS.SCHEDULED_RUNS,
          dimensionsMap: { service: METRICS.SERVICE },
          statistic: 'Sum',
          period: Duration.minutes(settings.scheduleMinutes),
        }),
        `No scheduled EKS authz audit run completed in the last two schedule periods (${settings.scheduleMinutes} minutes each): the schedule is disabled, or the function fails before it can report. Nothing is being audited.`,
        true,
      ),
    };
  }

  private acknowledgeNagFindings(): void {
    const policy = Validations.of(this.role);
    policy.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'logs:StopQuery and logs:DescribeLogGroups have no resource type in the service authorization reference, so they need *; logs:GetQueryResults takes only a query id and shares the statement.',
    });
    for (const arn of [...this.eksArns('nodegroup'), ...this.eksArns('access-entry')]) {
      policy.acknowledge({
        id: iam5ResourceFinding(this, arn),
        reason: 'Read-only EKS calls on the node groups and access entries of one configured cluster: their ARNs end in ids the auditor cannot know in advance.',
      });
    }
    for (const arn of this.logGroupArns().filter((a) => a.endsWith(':*'))) {
      policy.acknowledge({
        id: iam5ResourceFinding(this, arn),
        reason: 'log-group:<name>:* matches only that one log group (names cannot contain a colon); StartQuery is evaluated against this form.',
      });
    }
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule target and of the function (async on-failure destination).',
    });
  }
}
