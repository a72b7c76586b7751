import type { Severity } from '../lambda/model/severity';

/**
 * The validated shape of everything a deployment is configured with, shared by the context parser
 * (bin/, `-c key=value`) and the construct (users embedding it in their own apps), so both reject the
 * same bad values with the same words.
 */

/** One EKS cluster to audit. */
export interface AuditedCluster {
  /** EKS cluster name (1-100 characters, letters, digits, `-` and `_`, starting with a letter or digit). */
  readonly name: string;
  /**
   * Region of the cluster's log group. Clusters of one stack share its region (Logs Insights is
   * regional), so this decides which stack the cluster lands in.
   * @default the stack's region (taken from logGroupArn when that is given)
   */
  readonly region?: string;
  /**
   * Log group with the cluster's control-plane logs, in the stack's account and region.
   * @default `/aws/eks/<name>/cluster`
   */
  readonly logGroupName?: string;
  /**
   * Full ARN of the log group, for a cluster whose logs live in another account and are shared with
   * this (monitoring) account through CloudWatch cross-account observability. A trailing `:*` is
   * dropped. Mutually exclusive with logGroupName.
   * @default the log group logGroupName names in the stack's own account
   */
  readonly logGroupArn?: string;
}

export const DEFAULTS = {
  scheduleMinutes: 15,
  minSeverity: 'medium' as Severity,
  ingestionLagMinutes: 5,
} as const;

/**
 * Bounds. The function's timeout follows the schedule (at most 10 minutes): below 5 minutes there is
 * no time left to poll a Logs Insights query over a busy cluster. A day is the longest window one run
 * is meant to audit. Logs that arrive more than an hour late are not worth holding every run back for.
 */
export const LIMITS = {
  scheduleMinutes: { min: 5, max: 1440 },
  ingestionLagMinutes: { min: 0, max: 60 },
} as const;

/** A configuration value that cannot be used; the message names the key and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    readonly value: unknown,
    problem: string,
  ) {
    super(`Invalid ${key}: ${show(value)} ${problem}`);
  }
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const LOG_GROUP_ARN = /^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})(:\*)?$/;
const EMAIL = /^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>".]+$/;

export function defaultLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

export interface ParsedLogGroupArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly logGroupName: string;
  /** Without the trailing `:*` (StartQuery's logGroupIdentifiers refuses ARNs that end with `*`). */
  readonly arn: string;
}

export function parseLogGroupArn(arn: string, key: string): ParsedLogGroupArn {
  const m = LOG_GROUP_ARN.exec(arn);
  if (!m) {
    throw new ConfigError(key, arn, 'is not a log group ARN (arn:aws:logs:<region>:<account>:log-group:<name>)');
  }
  const [, partition, region, account, logGroupName] = m as unknown as [string, string, string, string, string];
  return { partition, region, account, logGroupName, arn: arn.replace(/:\*$/, '') };
}

/**
 * Checks one cluster and fills in what can be derived: the region from the ARN, the default log group.
 * `where` names the entry in messages, e.g. `clusters[2]`.
 */
export function validateCluster(cluster: AuditedCluster, where: string): AuditedCluster {
  const name: unknown = cluster.name;
  if (typeof name !== 'string' || !CLUSTER_NAME.test(name)) {
    throw new ConfigError(`${where}.name`, name, 'is not an EKS cluster name (1-100 letters, digits, - and _)');
  }
  if (cluster.region !== undefined && (typeof cluster.region !== 'string' || !REGION.test(cluster.region))) {
    throw new ConfigError(`${where}.region`, cluster.region, 'is not an AWS region (like us-east-1)');
  }
  if (cluster.logGroupArn !== undefined) {
    if (cluster.logGroupName !== undefined) {
      throw new ConfigError(`${where}.logGroupArn`, cluster.logGroupArn, 'cannot be combined with logGroupName');
    }
    if (typeof cluster.logGroupArn !== 'string') {
      throw new ConfigError(`${where}.logGroupArn`, cluster.logGroupArn, 'is not a string');
    }
    const arn = parseLogGroupArn(cluster.logGroupArn, `${where}.logGroupArn`);
    if (cluster.region !== undefined && cluster.region !== arn.region) {
      // Cross-account observability shares log groups within one region: the query must run there.
      throw new ConfigError(`${where}.region`, cluster.region, `differs from the region of its logGroupArn (${arn.region})`);
    }
    return { name, region: arn.region, logGroupArn: arn.arn };
  }
  const logGroupName = cluster.logGroupName ?? defaultLogGroupName(name);
  if (typeof logGroupName !== 'string' || !LOG_GROUP_NAME.test(logGroupName)) {
    throw new ConfigError(`${where}.logGroupName`, logGroupName, 'is not a log group name (1-512 of A-Z a-z 0-9 . - _ / #)');
  }
  return cluster.region === undefined ? { name, logGroupName } : { name, region: cluster.region, logGroupName };
}

/** Checks every cluster and that no cluster is listed twice in one region. */
export function validateClusters(clusters: readonly AuditedCluster[], key = 'clusters'): AuditedCluster[] {
  if (clusters.length === 0) throw new ConfigError(key, clusters, 'names no cluster');
  const seen = new Set<string>();
  return clusters.map((c, i) => {
    const valid = validateCluster(c, `${key}[${i}]`);
    const id = `${valid.region ?? ''}/${valid.name}`;
    if (seen.has(id)) throw new ConfigError(`${key}[${i}].name`, valid.name, 'is listed twice');
    seen.add(id);
    return valid;
  });
}

export function validateEmails(emails: readonly string[], key = 'alertEmails'): string[] {
  for (const [i, email] of emails.entries()) {
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      throw new ConfigError(`${key}[${i}]`, email, 'is not an email address');
    }
  }
  return [...emails];
}

export function validateMinutes(value: number, key: keyof typeof LIMITS): number {
  const { min, max } = LIMITS[key];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, value, `is not a whole number of minutes from ${min} to ${max}`);
  }
  return value;
}
