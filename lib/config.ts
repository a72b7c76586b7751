import { DEPLOYMENT_SETTINGS } from '../lambda/settings/table';

/**
 * What the CDK side shares with the runtime: the clusters' shape and validation, the one ConfigError,
 * and the defaults and bounds, all from the settings table (lambda/settings/table.ts).
 */
export type { AuditedCluster, ParsedLogGroupArn } from '../lambda/settings/clusters';
export { defaultLogGroupName, parseLogGroupArn, validateCluster, validateClusters } from '../lambda/settings/clusters';
export { ConfigError, show } from '../lambda/settings/errors';
export type { ConfigProblem } from '../lambda/settings/errors';

type Settings = typeof DEPLOYMENT_SETTINGS;
type Defaulted = { [K in keyof Settings]: Settings[K]['default'] extends undefined ? never : K }[keyof Settings];

/** The default of every deployment setting that has one. */
export const DEFAULTS = Object.freeze(
  Object.fromEntries(Object.entries(DEPLOYMENT_SETTINGS).filter(([, s]) => s.default !== undefined).map(([name, s]) => [name, s.default])),
) as { readonly [K in Defaulted]: NonNullable<Settings[K]['default']> };

/** The bounds of every integer deployment setting. */
export const LIMITS = Object.freeze(
  Object.fromEntries(
    Object.entries(DEPLOYMENT_SETTINGS)
      .filter(([, s]) => s.min !== undefined && s.max !== undefined)
      .map(([name, s]) => [name, { min: s.min!, max: s.max! }]),
  ),
) as Readonly<Record<'scheduleMinutes' | 'ingestionLagMinutes' | 'maxLookbackDays' | 'concurrency', { readonly min: number; readonly max: number }>>;
