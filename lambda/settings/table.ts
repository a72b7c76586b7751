import { SEVERITIES, type Severity } from '../model/severity';
import type { RuleSettings, ThresholdDeclaration } from '../model/rule-settings';
import { RULES } from '../rules/registry';
import { CLUSTERS, type AuditedCluster } from './clusters';
import { ConfigError } from './errors';
import { boolean, integer, json, list, oneOf, text, type Setting } from './kinds';
import type { Suppression } from '../model/suppression';
import { SuppressionError, checkSuppressions } from './suppressions';
import { ENV } from './names';

/**
 * THE settings table. Each entry is one setting: its name (construct prop and CDK context key), its
 * environment variable, its CLI flag, type, default, bounds and one line of documentation. Everything
 * else is derived from it: context parsing (context.ts), the construct's validation and the function's
 * environment (values.ts), the runtime's config (lambda/runtime/config.ts), the CLI flags (flags.ts) and
 * the README's configuration table (tools/readme-sync.ts). Rule thresholds are not listed here: each
 * rule declares its own (Rule.thresholds) and they are collected from the registry below.
 * docs/settings.md says how to add one.
 */

const EMAIL = /^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$/;
// Bus names: letters, digits, `.`, `-`, `_`, `/` (partner buses), up to 256; or the bus's ARN.
const EVENT_BUS_PATTERN = /^(?:[\w.\-/]{1,256}|arn:aws[a-z-]*:events:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:event-bus\/[\w.\-/]{1,256})$/;
const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export function isTopicArn(value: string): boolean {
  return TOPIC_ARN_PATTERN.test(value);
}

/** Settings a deployment is configured with (context keys and construct props). */
export const DEPLOYMENT_SETTINGS = {
  clusters: CLUSTERS,
  alertEmails: list<string>({
    name: 'alertEmails',
    required: 'context',
    default: [],
    doc: 'email addresses subscribed to the alert topic (each must confirm the subscription)',
    example: ['ops@example.com', 'sec@example.com'],
    item: (raw, key) => {
      if (typeof raw !== 'string' || !EMAIL.test(raw)) throw new ConfigError(key, raw, 'is not an email address');
      return raw;
    },
  }),
  // The function's timeout follows the schedule (at most 10 minutes): below 5 minutes there is no time left
  // to poll a Logs Insights query over a busy cluster. A day is the longest window one run is meant to audit.
  scheduleMinutes: integer({
    name: 'scheduleMinutes',
    env: ENV.SCHEDULE_MINUTES,
    min: 5,
    max: 1440,
    unit: 'minutes',
    default: 15,
    doc: 'minutes between audits, and the length of the window each run audits',
    example: 30,
  }),
  minSeverity: oneOf<Severity>({
    name: 'minSeverity',
    env: ENV.MIN_SEVERITY,
    values: SEVERITIES,
    default: 'medium',
    doc: 'lowest severity that is published (emailed)',
    example: 'high',
  }),
  // Logs that arrive more than an hour late are not worth holding every run back for.
  ingestionLagMinutes: integer({
    name: 'ingestionLagMinutes',
    env: ENV.INGESTION_LAG_MINUTES,
    min: 0,
    max: 60,
    unit: 'minutes',
    default: 5,
    doc: 'minutes left for late logs to arrive before a window is audited',
    example: 2,
  }),
  // Ten years: far beyond any retention anyone pays for, small enough to keep the arithmetic exact.
  maxLookbackDays: integer({
    name: 'maxLookbackDays',
    env: ENV.MAX_LOOKBACK_DAYS,
    min: 1,
    max: 3653,
    unit: 'days',
    default: 30,
    doc: 'how far back a manual run may reach (set it to the log retention you keep)',
    example: 90,
  }),
  // A year at most: a reminder further apart than that is no reminder.
  reminderHours: integer({
    name: 'reminderHours',
    env: ENV.REMINDER_HOURS,
    min: 0,
    max: 8760,
    unit: 'hours',
    default: 24,
    doc: 'hours after the last alert of an open incident, seen again, before a reminder (0: never)',
    example: 12,
  }),
  // At least one shortest schedule period, at most a week.
  resolveAfterMinutes: integer({
    name: 'resolveAfterMinutes',
    env: ENV.RESOLVE_AFTER_MINUTES,
    min: 5,
    max: 10080,
    unit: 'minutes',
    default: 60,
    doc: 'minutes of complete audits without an open incident before it is alerted as resolved',
    example: 120,
  }),
  concurrency: integer({
    name: 'concurrency',
    env: ENV.CONCURRENCY,
    min: 1,
    max: 20,
    default: 4,
    doc: 'clusters audited at once by one run',
    example: 2,
  }),
  // Checked whole at synth and at cold start: a bad entry is named, never skipped. The CLI takes a file instead.
  suppressions: json<readonly Suppression[]>({
    name: 'suppressions',
    env: ENV.SUPPRESSIONS,
    default: [],
    doc: 'known exceptions, [{ruleId, subject: {key: glob}, reason, expires}]: a matching finding opens no incident and sends nothing, but is counted with its reason until it expires',
    example: [{ ruleId: 'forbidden-burst', subject: { username: 'system:serviceaccount:ci:*' }, reason: 'the CI job checks its own permissions', expires: '2027-01-31' }],
    validate: (value, key) => {
      try {
        return checkSuppressions(value, key);
      } catch (err) {
        if (err instanceof SuppressionError) throw new ConfigError(err.at, err.entry, err.problem);
        throw err;
      }
    },
  }),
  // Opt-in: importing needs Security Hub enabled in the account and region, and the role gets one more permission.
  securityHub: boolean({
    name: 'securityHub',
    env: ENV.SECURITY_HUB,
    default: false,
    doc: "import each scheduled run's findings into Security Hub (the account's default product), updated in place and archived when their incident resolves",
    example: true,
  }),
  eventBus: text({
    name: 'eventBus',
    env: ENV.EVENT_BUS,
    pattern: EVENT_BUS_PATTERN,
    what: 'an EventBridge event bus name or ARN',
    doc: 'EventBridge bus (name or ARN) that gets one event per incident status change (new, escalated, reminder, resolved)',
    example: 'ops-incidents',
  }),
} as const;

/** Supplied by the construct (the topic it created or was given), never by context. */
export const TOPIC_ARN_SETTING = text({
  name: 'topicArn',
  context: false,
  env: ENV.TOPIC_ARN,
  required: 'always',
  pattern: TOPIC_ARN_PATTERN,
  what: 'an SNS topic ARN',
  doc: 'the topic findings are published to (set by the construct)',
  example: 'arn:aws:sns:eu-west-1:111122223333:eks-authz-audit',
});

/** Supplied by the construct (the life-cycle table it created): without it, every run reports one-off. */
export const STATE_TABLE_SETTING = text({
  name: 'stateTable',
  context: false,
  env: ENV.STATE_TABLE,
  // DynamoDB table names: 3-255 of letters, digits, _ - and .
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  what: 'a DynamoDB table name',
  doc: 'the table incidents are remembered in between runs (set by the construct)',
  example: 'EksAuthzAudit-AuditorStateTable-1A2B3C4D5E6F',
});

/** `deniedBurst` -> `AUDIT_DENIED_BURST`, flag `denied-burst`. */
export function thresholdSetting(t: ThresholdDeclaration): Setting<number> {
  const words = t.name.replace(/([A-Z])/g, ' $1').toLowerCase().split(' ');
  return integer({
    name: t.name,
    env: `AUDIT_${words.join('_').toUpperCase()}`,
    flag: words.join('-'),
    group: 'ruleSettings',
    min: t.min,
    max: t.max,
    default: t.default,
    doc: t.doc,
    example: t.default === t.max ? t.default - 1 : t.default + 1,
  });
}

/** The thresholds the registered rules declare, one setting each. */
export const THRESHOLD_SETTINGS: readonly Setting<number>[] = RULES.flatMap((r) => r.thresholds ?? []).map(thresholdSetting);

/** Every setting, in the README's order. */
export const SETTINGS: readonly Setting[] = [...Object.values(DEPLOYMENT_SETTINGS), ...THRESHOLD_SETTINGS, TOPIC_ARN_SETTING, STATE_TABLE_SETTING];

type ValueOf<S> = S extends Setting<infer T> ? T : never;

/** The deployment settings by name, each with its type. */
export type DeploymentValues = { readonly [K in keyof typeof DEPLOYMENT_SETTINGS]: ValueOf<(typeof DEPLOYMENT_SETTINGS)[K]> };

/**
 * What a deployment may set: the construct's props and the CDK context's result. Only `clusters` is
 * required; rule thresholds sit under `ruleSettings`.
 */
export type SettingsProps = Partial<Omit<DeploymentValues, 'clusters'>> & {
  readonly clusters: readonly AuditedCluster[];
  /** Rule thresholds by name (deniedBurst, forbiddenBurst, forbiddenBurstResources...). */
  readonly ruleSettings?: Partial<RuleSettings>;
};

/** Every setting resolved: defaults filled, every threshold present. */
export type ResolvedSettings = DeploymentValues & { readonly ruleSettings: RuleSettings };
