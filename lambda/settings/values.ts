import { ProblemCollector } from './errors';
import type { Setting } from './kinds';
import { DEPLOYMENT_SETTINGS, SETTINGS, THRESHOLD_SETTINGS, type ResolvedSettings, type SettingsProps } from './table';

/** Where a setting's value is looked up, and what its key is called there (for messages). */
export interface SettingSource {
  /** The raw value, or undefined when not given. */
  lookup(setting: Setting): unknown;
  /** The key as the user wrote it: `scheduleMinutes`, `ruleSettings.deniedBurst`, `AUDIT_DENIED_BURST`... */
  key(setting: Setting): string;
  /** Whether a missing value is an error for this setting here (otherwise the default is used). */
  requires(setting: Setting): boolean;
}

/** An empty string counts as not given (a variable set to '', `-c key=`). */
function given(raw: unknown): boolean {
  return raw !== undefined && raw !== null && !(typeof raw === 'string' && raw.trim() === '');
}

/**
 * Reads each of `settings` from the source: the parsed value, the default when not given, nothing when
 * neither. Problems are collected, not thrown one at a time.
 */
export function readSettings(settings: readonly Setting[], source: SettingSource, problems: ProblemCollector): Map<Setting, unknown> {
  const values = new Map<Setting, unknown>();
  for (const setting of settings) {
    const raw = source.lookup(setting);
    const key = source.key(setting);
    if (!given(raw)) {
      if (source.requires(setting)) problems.add({ key, value: raw ?? '', problem: `is missing${setting.context ? `: ${setting.doc}` : ''}` });
      else if (setting.default !== undefined) values.set(setting, setting.default);
      continue;
    }
    const value = problems.try(() => setting.parse(raw, key));
    if (value !== undefined) values.set(setting, value);
  }
  return values;
}

/** Construct props -> every deployment setting and threshold resolved, with all problems named at once. */
export function resolveProps(props: SettingsProps): ResolvedSettings {
  const problems = new ProblemCollector();
  const settings = [...Object.values(DEPLOYMENT_SETTINGS), ...THRESHOLD_SETTINGS] as Setting[];
  const values = readSettings(
    settings,
    {
      lookup: (s) => (s.group === 'ruleSettings' ? props.ruleSettings?.[s.name] : (props as Record<string, unknown>)[s.name]),
      key: (s) => (s.group ? `${s.group}.${s.name}` : s.name),
      requires: (s) => s.required === 'always',
    },
    problems,
  );
  const unknown = Object.keys(props.ruleSettings ?? {}).filter((name) => !THRESHOLD_SETTINGS.some((s) => s.name === name));
  for (const name of unknown) {
    problems.add({ key: `ruleSettings.${name}`, value: props.ruleSettings?.[name], problem: `is not a rule threshold (${THRESHOLD_SETTINGS.map((s) => s.name).join(', ')})` });
  }
  problems.throwIfAny();
  return grouped(values) as ResolvedSettings;
}

/** Values by name, thresholds under `ruleSettings`. */
export function grouped(values: Map<Setting, unknown>): Record<string, unknown> & { ruleSettings: Record<string, number> } {
  const out: Record<string, unknown> & { ruleSettings: Record<string, number> } = { ruleSettings: {} };
  for (const [setting, value] of values) {
    if (setting.group === 'ruleSettings') out.ruleSettings[setting.name] = value as number;
    else out[setting.name] = value;
  }
  return out;
}

/**
 * The function's environment: every setting that has a variable, formatted, defaults included, so the
 * console shows what the function runs with. `supplied` holds what the construct provides (the topic ARN).
 */
export function environmentOf(resolved: ResolvedSettings, supplied: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of SETTINGS) {
    if (setting.env === undefined) continue;
    const value = setting.group === 'ruleSettings' ? resolved.ruleSettings[setting.name] : (resolved as Record<string, unknown>)[setting.name] ?? supplied[setting.name];
    if (value === undefined) continue;
    env[setting.env] = setting.format(value);
  }
  return env;
}

/** The function's environment -> every setting with a variable, by name (thresholds under `ruleSettings`). */
export function loadEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> & { ruleSettings: Record<string, number> } {
  const problems = new ProblemCollector();
  const values = readSettings(
    SETTINGS.filter((s) => s.env !== undefined),
    { lookup: (s) => env[s.env!], key: (s) => s.env!, requires: (s) => s.required === 'always' },
    problems,
  );
  problems.throwIfAny();
  return grouped(values);
}
