/**
 * Thresholds are declared by the rules that use them (Rule.thresholds). The settings table
 * (lambda/settings/table.ts) collects the declarations from the registry and turns each into a CDK context
 * key, a construct prop under `ruleSettings`, an environment variable of the function and a CLI flag of
 * `scan` and `audit`, all named after `name`. The engine hands every rule the values in ScanContext.settings.
 */
export interface ThresholdDeclaration {
  /** camelCase; also the context key. The environment variable is AUDIT_<NAME> and the flag --<name> in kebab case. */
  readonly name: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** One line for the README's configuration table and the CLI's help. */
  readonly doc: string;
}

/** Threshold values by name. Rules read theirs with thresholdOf(). */
export type RuleSettings = Readonly<Record<string, number>>;

/** The largest threshold accepted: far above any real window, small enough to stay an exact integer. */
export const MAX_THRESHOLD = 1_000_000_000;

/** A threshold of at least 1 (bounds may be narrowed). */
export function declareThreshold(d: Omit<ThresholdDeclaration, 'min' | 'max'> & Partial<Pick<ThresholdDeclaration, 'min' | 'max'>>): ThresholdDeclaration {
  return Object.freeze({ min: 1, max: MAX_THRESHOLD, ...d });
}

/** The value a rule runs with: the one given, else the declared default. */
export function thresholdOf(settings: RuleSettings, threshold: ThresholdDeclaration): number {
  return settings[threshold.name] ?? threshold.default;
}

/** Every declared threshold of these rules, with what the caller gave in place of the default. */
export function resolveRuleSettings(
  rules: readonly { readonly thresholds?: readonly ThresholdDeclaration[] }[],
  given: Partial<RuleSettings> | undefined,
): RuleSettings {
  const out: Record<string, number> = {};
  for (const t of rules.flatMap((r) => r.thresholds ?? [])) out[t.name] = t.default;
  for (const [name, value] of Object.entries(given ?? {})) if (value !== undefined) out[name] = value;
  return out;
}
