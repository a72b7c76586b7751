import type { Severity } from '../lambda/model/severity';
import { SEVERITIES, isSeverity } from '../lambda/model/severity';
import type { AuditedCluster } from './config';
import { ConfigError, DEFAULTS, validateClusters, validateEmails, validateMinutes } from './config';

/**
 * cdk.json context (overridable with `-c key=value`) -> validated settings -> one stack per region.
 * Parsed once, in bin/app.ts. `-c` values arrive as strings; cdk.json values may already be numbers
 * or arrays: both are accepted.
 */

/** The context keys, exactly as documented in the README. */
export const CONTEXT_KEYS = ['clusters', 'alertEmails', 'scheduleMinutes', 'minSeverity', 'ingestionLagMinutes'] as const;

export interface AppSettings {
  readonly clusters: readonly AuditedCluster[];
  readonly alertEmails: readonly string[];
  readonly scheduleMinutes: number;
  readonly minSeverity: Severity;
  readonly ingestionLagMinutes: number;
}

export type ContextLookup = (key: string) => unknown;

export function parseContext(get: ContextLookup): AppSettings {
  return {
    clusters: parseClusters(get('clusters')),
    alertEmails: parseEmails(get('alertEmails')),
    scheduleMinutes: parseMinutes(get('scheduleMinutes'), 'scheduleMinutes', DEFAULTS.scheduleMinutes),
    minSeverity: parseMinSeverity(get('minSeverity')),
    ingestionLagMinutes: parseMinutes(get('ingestionLagMinutes'), 'ingestionLagMinutes', DEFAULTS.ingestionLagMinutes),
  };
}

const CLUSTER_KEYS = new Set(['name', 'region', 'logGroupName', 'logGroupArn']);

/** `a,b` or a JSON array of names and/or {name, region?, logGroupName?, logGroupArn?}. */
export function parseClusters(raw: unknown): AuditedCluster[] {
  if (raw === undefined || raw === null || raw === '') {
    throw new ConfigError('clusters', raw ?? '', 'is missing: pass -c clusters=<name>[,<name>...] or a JSON array');
  }
  let list: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch (err) {
        throw new ConfigError('clusters', raw, `is not valid JSON (${(err as Error).message})`);
      }
    } else {
      list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  }
  if (!Array.isArray(list)) throw new ConfigError('clusters', raw, 'is neither a comma-separated list nor a JSON array');
  const clusters = list.map((entry: unknown, i): AuditedCluster => {
    if (typeof entry === 'string') return { name: entry.trim() };
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new ConfigError(`clusters[${i}]`, entry, 'is neither a name nor an object {name, region?, logGroupName?, logGroupArn?}');
    }
    for (const key of Object.keys(entry)) {
      // A misspelt key (logGroup, Region) would otherwise be ignored and the default silently used.
      if (!CLUSTER_KEYS.has(key)) throw new ConfigError(`clusters[${i}].${key}`, (entry as Record<string, unknown>)[key], 'is not a known key (name, region, logGroupName, logGroupArn)');
    }
    return entry as AuditedCluster;
  });
  return validateClusters(clusters);
}

export function parseEmails(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') {
    throw new ConfigError('alertEmails', raw ?? '', 'is missing: pass -c alertEmails=<address>[,<address>...]');
  }
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError('alertEmails', raw, 'names no email address');
  return validateEmails(list as string[]);
}

export function parseMinutes(raw: unknown, key: 'scheduleMinutes' | 'ingestionLagMinutes', fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(n)) throw new ConfigError(key, raw, 'is not a whole number of minutes');
  return validateMinutes(n, key);
}

export function parseMinSeverity(raw: unknown): Severity {
  if (raw === undefined || raw === null || raw === '') return DEFAULTS.minSeverity;
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (!isSeverity(v)) throw new ConfigError('minSeverity', raw, `is not one of ${SEVERITIES.join(', ')}`);
  return v;
}

/** One stack to create: its id, its environment and the clusters it audits. */
export interface StackPlan {
  readonly id: string;
  /** Undefined fields leave the stack environment-agnostic for that part. */
  readonly env: { readonly account?: string; readonly region?: string };
  readonly clusters: readonly AuditedCluster[];
}

export const STACK_ID = 'EksAuthzAudit';

/**
 * Logs Insights queries one region, so clusters are grouped by region, one stack each. A cluster
 * without a region (and no logGroupArn) uses the CLI's default region (CDK_DEFAULT_REGION); when none
 * is known and every cluster lacks a region, the single stack is environment-agnostic and deploys to
 * whatever region the deploying credentials name. Mixing clusters with and without a region while no
 * default region is known is refused: where the regionless ones would be audited is ambiguous.
 * A single stack is named EksAuthzAudit; several are EksAuthzAudit-<region>.
 */
export function planStacks(
  clusters: readonly AuditedCluster[],
  defaults: { readonly account?: string; readonly region?: string },
): StackPlan[] {
  const account = defaults.account || undefined;
  const fallbackRegion = defaults.region || undefined;
  const byRegion = new Map<string | undefined, AuditedCluster[]>();
  for (const c of clusters) {
    const region = c.region ?? fallbackRegion;
    const group = byRegion.get(region) ?? [];
    group.push(c);
    byRegion.set(region, group);
  }
  if (byRegion.has(undefined) && byRegion.size > 1) {
    const lost = byRegion.get(undefined)!.map((c) => c.name).join(', ');
    const named = [...byRegion.keys()].filter((r) => r !== undefined).join(', ');
    throw new ConfigError('clusters', lost, `name no region while other clusters are in ${named} and no default region is known: add "region" to every cluster, or set AWS_REGION`);
  }
  for (const [region, group] of byRegion) {
    // A regionless cluster joins the default region's stack: it may now clash with an explicit one.
    const names = group.map((c) => c.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new ConfigError('clusters', twice, `is listed twice for region ${region ?? '(default)'}`);
  }
  const regions = [...byRegion.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return regions.map((region) => ({
    id: regions.length === 1 ? STACK_ID : `${STACK_ID}-${region}`,
    env: { account, region },
    clusters: byRegion.get(region)!,
  }));
}
