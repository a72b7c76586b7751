/**
 * Names shared by the CDK app (lib/) and the runtime (lambda/): environment variables of the audit
 * function and the metrics it emits. The settings table (table.ts) says what each variable holds, its
 * default and bounds; rule thresholds' variables are derived from the rules' declarations.
 */
export const ENV = {
  /** JSON array of clusters: [{"name":"prod","logGroupName":"/aws/eks/prod/cluster"}] or with "logGroupArn". */
  CLUSTERS: 'AUDIT_CLUSTERS',
  /** SNS topic ARN that receives findings. */
  TOPIC_ARN: 'AUDIT_TOPIC_ARN',
  /** Lowest severity that is published (info|low|medium|high|critical); default medium. */
  MIN_SEVERITY: 'AUDIT_MIN_SEVERITY',
  /** The schedule period in minutes: a scheduled run audits this much time. */
  SCHEDULE_MINUTES: 'AUDIT_SCHEDULE_MINUTES',
  /** Minutes to wait for CloudWatch ingestion before a window is audited; default 5. */
  INGESTION_LAG_MINUTES: 'AUDIT_INGESTION_LAG_MINUTES',
  /** The oldest start a manual run may ask for, in days (the log retention you allow); default 30. */
  MAX_LOOKBACK_DAYS: 'AUDIT_MAX_LOOKBACK_DAYS',
  /** The life-cycle state table (DynamoDB), created by the construct. Unset: every run reports one-off. */
  STATE_TABLE: 'AUDIT_STATE_TABLE',
  /** Hours after an open incident's last alert before a reminder; 0 turns reminders off; default 24. */
  REMINDER_HOURS: 'AUDIT_REMINDER_HOURS',
  /** Minutes of complete windows without an incident before it is resolved; default 60. */
  RESOLVE_AFTER_MINUTES: 'AUDIT_RESOLVE_AFTER_MINUTES',
  /** How many clusters are audited at once; default 4. */
  CONCURRENCY: 'AUDIT_CONCURRENCY',
  /** `true`: each scheduled run imports its findings into Security Hub (the account's default product). */
  SECURITY_HUB: 'AUDIT_SECURITY_HUB',
  /** Name or ARN of the EventBridge bus that gets one event per incident status change; unset: none. */
  EVENT_BUS: 'AUDIT_EVENT_BUS',
  /** authenticator-denied-burst: refusals of one IAM identity per run that make a burst; default 20. */
  DENIED_BURST: 'AUDIT_DENIED_BURST',
  /** forbidden-burst: 403s of one principal (username + source IP) per run that make a burst; default 50. */
  FORBIDDEN_BURST: 'AUDIT_FORBIDDEN_BURST',
  /** forbidden-burst: distinct resources those 403s must span; default 5. */
  FORBIDDEN_BURST_RESOURCES: 'AUDIT_FORBIDDEN_BURST_RESOURCES',
  /** JSON list of suppressions: [{ruleId, subject: {key: glob}, reason, expires}] (settings/suppressions.ts). */
  SUPPRESSIONS: 'AUDIT_SUPPRESSIONS',
} as const;

/** CloudWatch metrics (Powertools Metrics, EMF). */
export const METRICS = {
  NAMESPACE: 'EksAuthzAudit',
  SERVICE: 'eks-authz-audit',
  /** Count of clusters whose audit was incomplete in a run (failed or timed-out query). Alarmed on. */
  INCOMPLETE_AUDITS: 'IncompleteAudits',
  /** Findings by severity (dimension `severity`). */
  FINDINGS: 'Findings',
  BYTES_SCANNED: 'BytesScanned',
  /** Rule crashes in a run (each makes its cluster's audit incomplete). */
  RULE_ERRORS: 'RuleErrors',
  /** Result rows no reader could read. */
  MALFORMED_ROWS: 'MalformedRows',
  /** Clusters whose logging and access configuration could not be read (DescribeCluster failed). */
  COVERAGE_NOT_VERIFIED: 'CoverageNotVerified',
  /** 1 per scheduled run that completed; the heartbeat alarm fires when it is missing for two periods. */
  SCHEDULED_RUNS: 'ScheduledRunsCompleted',
  QUERY_DURATION: 'QueryDurationMs',
} as const;
