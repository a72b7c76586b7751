import type { Severity } from '../model/severity';
import type { RuleSettings } from '../model/rule-settings';
import type { AuditedCluster } from '../settings/clusters';
import { defaultLogGroupName } from '../settings/clusters';
import { ConfigError } from '../settings/errors';
import { isTopicArn } from '../settings/table';
import { loadEnvironment } from '../settings/values';
import { DEFAULT_LIFECYCLE_SETTINGS, type LifecycleSettings } from './state';

export { ConfigError, isTopicArn };

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
  /** Every rule threshold, by name. */
  readonly ruleSettings: RuleSettings;
  /** Import each scheduled run's findings into Security Hub. */
  readonly securityHub?: boolean;
  /** The EventBridge bus (name or ARN) for incident status changes, when one is set. */
  readonly eventBus?: string;
  /**
   * Every setting the function has a variable for, by name as in the settings table (thresholds under
   * `ruleSettings`): settings added to the table arrive here with no change to this file.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** The life-cycle state table; absent: every run reports one-off and remembers nothing. */
  readonly stateTable?: string;
  /** reminderHours, resolveAfterMinutes (default: DEFAULT_LIFECYCLE_SETTINGS). */
  readonly lifecycle?: LifecycleSettings;
}

export function defaultLogGroup(cluster: string): string {
  return defaultLogGroupName(cluster);
}

/**
 * Reads and validates the environment as the settings table says (lambda/settings/table.ts); throws one
 * ConfigError naming every bad or missing variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): RuntimeConfig {
  const settings = loadEnvironment(env);
  return {
    clusters: (settings['clusters'] as readonly AuditedCluster[]).map(clusterTarget),
    topicArn: settings['topicArn'] as string,
    minSeverity: settings['minSeverity'] as Severity,
    scheduleMinutes: settings['scheduleMinutes'] as number,
    ingestionLagMinutes: settings['ingestionLagMinutes'] as number,
    maxLookbackDays: settings['maxLookbackDays'] as number,
    concurrency: settings['concurrency'] as number,
    ruleSettings: settings.ruleSettings,
    securityHub: settings['securityHub'] === true,
    ...(typeof settings['eventBus'] === 'string' ? { eventBus: settings['eventBus'] } : {}),
    settings,
    ...(typeof settings['stateTable'] === 'string' ? { stateTable: settings['stateTable'] } : {}),
    lifecycle: {
      ...DEFAULT_LIFECYCLE_SETTINGS,
      reminderHours: (settings['reminderHours'] as number | undefined) ?? DEFAULT_LIFECYCLE_SETTINGS.reminderHours,
      resolveAfterMinutes: (settings['resolveAfterMinutes'] as number | undefined) ?? DEFAULT_LIFECYCLE_SETTINGS.resolveAfterMinutes,
    },
  };
}

/** StartQuery takes a log group name, or the ARN (without `:*`) of a group in a linked account. */
export function clusterTarget(c: AuditedCluster): ClusterTarget {
  const logGroup = c.logGroupArn ?? c.logGroupName ?? defaultLogGroupName(c.name);
  return c.region === undefined ? { name: c.name, logGroup } : { name: c.name, region: c.region, logGroup };
}
