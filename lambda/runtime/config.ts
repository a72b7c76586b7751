import { ENV } from '../settings/names';
import { isSeverity, SEVERITIES, type Severity } from '../model/severity';
import { DEFAULT_RULE_SETTINGS, parseThreshold, ThresholdError, type RuleSettings } from '../model/rule-settings';

/** One cluster to audit, with the log group its control-plane logs go to. */
export interface ClusterTarget {
  readonly name: string;
  /** Region of the log group (default: the function's or profile's region). */
  readonly region?: string;
  /** Log group name, or ARN (without `:*`) for a group in a linked source account. */
  readonly logGroup: string;
}

/** The audit function's settings, read once at cold start. */
export interface RuntimeConfig {
  readonly clusters: readonly ClusterTarget[];
  readonly topicArn: string;
  readonly minSeverity: Severity;
  readonly scheduleMinutes: number;
  readonly ingestionLagMinutes: number;
  readonly maxLookbackDays: number;
  readonly concurrency: number;
  /** Thresholds of the burst rules, counted per run window. */
  readonly ruleSettings: RuleSettings;
}

/** A setting is missing or wrong: the message names the environment variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

// EKS cluster names: letters, digits, hyphens and underscores, starting with a letter or digit, up to 100.
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})(:\*)?$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export function isTopicArn(value: string): boolean {
  return TOPIC_ARN.test(value);
}

export function defaultLogGroup(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): RuntimeConfig {
  return {
    clusters: parseClusters(env[ENV.CLUSTERS], ENV.CLUSTERS),
    topicArn: required(env, ENV.TOPIC_ARN, (v) => (TOPIC_ARN.test(v) ? v : fail(ENV.TOPIC_ARN, `"${v}" is not an SNS topic ARN`))),
    minSeverity: optional(env, ENV.MIN_SEVERITY, 'medium', (v) => {
      const s = v.trim().toLowerCase();
      return isSeverity(s) ? s : fail(ENV.MIN_SEVERITY, `"${v}" is not a severity (expected one of ${SEVERITIES.join(', ')})`);
    }),
    scheduleMinutes: optional(env, ENV.SCHEDULE_MINUTES, 60, (v) => integer(ENV.SCHEDULE_MINUTES, v, 1, 24 * 60)),
    ingestionLagMinutes: optional(env, ENV.INGESTION_LAG_MINUTES, 5, (v) => integer(ENV.INGESTION_LAG_MINUTES, v, 0, 24 * 60)),
    maxLookbackDays: optional(env, ENV.MAX_LOOKBACK_DAYS, 30, (v) => integer(ENV.MAX_LOOKBACK_DAYS, v, 1, 3653)),
    concurrency: optional(env, ENV.CONCURRENCY, 4, (v) => integer(ENV.CONCURRENCY, v, 1, 20)),
    ruleSettings: {
      deniedBurst: optional(env, ENV.DENIED_BURST, DEFAULT_RULE_SETTINGS.deniedBurst, (v) => threshold(ENV.DENIED_BURST, v)),
      forbiddenBurst: optional(env, ENV.FORBIDDEN_BURST, DEFAULT_RULE_SETTINGS.forbiddenBurst, (v) => threshold(ENV.FORBIDDEN_BURST, v)),
      forbiddenBurstResources: optional(env, ENV.FORBIDDEN_BURST_RESOURCES, DEFAULT_RULE_SETTINGS.forbiddenBurstResources, (v) =>
        threshold(ENV.FORBIDDEN_BURST_RESOURCES, v)),
    },
  };
}

/** Parses the AUDIT_CLUSTERS JSON: `[{"name":"prod","region":"eu-west-1","logGroupName":"..."}]`. */
export function parseClusters(raw: string | undefined, variable: string): ClusterTarget[] {
  if (raw === undefined || raw.trim() === '') fail(variable, 'is required (a JSON array of {"name": ...})');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    fail(variable, `is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) fail(variable, 'must be a non-empty JSON array of clusters');
  const seen = new Set<string>();
  return parsed.map((item: unknown, i: number) => {
    const where = `${variable}[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) fail(where, 'must be an object like {"name": "prod"}');
    const o = item as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!['name', 'region', 'logGroupName', 'logGroupArn'].includes(key)) fail(`${where}.${key}`, 'is not a known key (name, region, logGroupName, logGroupArn)');
    }
    const name = o['name'];
    if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) fail(`${where}.name`, 'must be an EKS cluster name (letters, digits, - and _)');
    if (seen.has(name)) fail(`${where}.name`, `"${name}" is listed twice`);
    seen.add(name);
    if (o['logGroupName'] !== undefined && o['logGroupArn'] !== undefined) fail(where, 'give logGroupName or logGroupArn, not both');
    let region: string | undefined;
    if (o['region'] !== undefined) {
      if (typeof o['region'] !== 'string' || !REGION.test(o['region'])) fail(`${where}.region`, 'must be a region like eu-west-1');
      region = o['region'];
    }
    let logGroup = defaultLogGroup(name);
    if (o['logGroupName'] !== undefined) {
      const g = o['logGroupName'];
      if (typeof g !== 'string' || !LOG_GROUP_NAME.test(g)) fail(`${where}.logGroupName`, 'must be a log group name');
      logGroup = g;
    }
    if (o['logGroupArn'] !== undefined) {
      const arn = typeof o['logGroupArn'] === 'string' ? LOG_GROUP_ARN.exec(o['logGroupArn']) : null;
      if (!arn) fail(`${where}.logGroupArn`, 'must be a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)');
      // StartQuery wants the ARN without the trailing `:*`; the query runs in the group's region.
      logGroup = (o['logGroupArn'] as string).replace(/:\*$/, '');
      if (region !== undefined && region !== arn[1]) fail(`${where}.region`, `"${region}" differs from the log group ARN's region ${arn[1]}`);
      region = arn[1];
    }
    return region === undefined ? { name, logGroup } : { name, region, logGroup };
  });
}

function required<T>(env: Readonly<Record<string, string | undefined>>, name: string, parse: (v: string) => T): T {
  const v = env[name];
  if (v === undefined || v.trim() === '') fail(name, 'is required');
  return parse(v.trim());
}

function optional<T>(env: Readonly<Record<string, string | undefined>>, name: string, fallback: T, parse: (v: string) => T): T {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : parse(v.trim());
}

function integer(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v)) fail(name, `"${v}" is not a whole number`);
  const n = Number(v);
  if (n < min || n > max) fail(name, `${n} is out of range (${min}..${max})`);
  return n;
}

function threshold(name: string, v: string): number {
  try {
    return parseThreshold(v, name);
  } catch (err) {
    if (err instanceof ThresholdError) fail(name, `"${v}" is not a positive whole number`);
    throw err;
  }
}

function fail(variable: string, problem: string): never {
  throw new ConfigError(variable, problem);
}
