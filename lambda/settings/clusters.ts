import { ConfigError } from './errors';
import { custom } from './kinds';

/**
 * The clusters to audit: checked once here for the CDK context, the construct's props and the function's
 * environment alike.
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

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const LOG_GROUP_ARN = /^arn:(aws[a-z-]*):logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})(:\*)?$/;

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

const CLUSTER_KEYS = new Set(['name', 'region', 'logGroupName', 'logGroupArn']);

/** `a,b` or a JSON array (text or value) of names and/or {name, region?, logGroupName?, logGroupArn?}. */
export function parseClusters(raw: unknown, key: string): AuditedCluster[] {
  let list: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[') || text.startsWith('{')) {
      try {
        list = JSON.parse(text);
      } catch (err) {
        throw new ConfigError(key, raw, `is not valid JSON (${(err as Error).message})`);
      }
    } else {
      list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  }
  if (!Array.isArray(list)) throw new ConfigError(key, raw, 'is neither a comma-separated list nor a JSON array');
  const clusters = list.map((entry: unknown, i): AuditedCluster => {
    if (typeof entry === 'string') return { name: entry.trim() };
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new ConfigError(`${key}[${i}]`, entry, 'is neither a name nor an object {name, region?, logGroupName?, logGroupArn?}');
    }
    for (const k of Object.keys(entry)) {
      // A misspelt key (logGroup, Region) would otherwise be ignored and the default silently used.
      if (!CLUSTER_KEYS.has(k)) throw new ConfigError(`${key}[${i}].${k}`, (entry as Record<string, unknown>)[k], 'is not a known key (name, region, logGroupName, logGroupArn)');
    }
    return entry as AuditedCluster;
  });
  return validateClusters(clusters, key);
}

export const CLUSTERS = custom<readonly AuditedCluster[]>({
  name: 'clusters',
  env: 'AUDIT_CLUSTERS',
  required: 'always',
  type: 'names or JSON',
  doc: 'comma-separated names, or a JSON array of `{name, region?, logGroupName?, logGroupArn?}`',
  example: [{ name: 'prod', logGroupName: '/custom/prod' }, { name: 'shared', region: 'eu-west-1', logGroupArn: 'arn:aws:logs:eu-west-1:210987654321:log-group:/aws/eks/shared/cluster' }],
  parse: parseClusters,
  format: (value) => JSON.stringify(value),
});
