import { ConfigError } from '../lambda/settings/errors';
import type { AuditedCluster } from '../lambda/settings/clusters';
import type { SettingsProps } from '../lambda/settings/table';

/**
 * cdk.json context (overridable with `-c key=value`) -> validated settings -> one stack per region.
 * Parsed once, in bin/app.ts, by the settings table (lambda/settings/context.ts): unknown keys fail with
 * "did you mean", and every problem is named at once.
 */
export { CONTEXT_KEYS, isCdkContextKey, parseContext } from '../lambda/settings/context';

/** The validated context: the construct's props. */
export type AppSettings = SettingsProps;

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
