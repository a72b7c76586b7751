/**
 * Thresholds of the burst rules, in one place: the CLI builds them from flags, the Lambda from its
 * environment, and both hand them to the Engine, which passes them to every rule through ScanContext.
 */
export interface RuleSettings {
  /** authenticator-denied-burst: denials of one IAM ARN in the window that make a burst. */
  readonly deniedBurst: number;
  /** forbidden-burst: 403s of one principal (username + source IP) in the window that make a burst. */
  readonly forbiddenBurst: number;
  /** forbidden-burst: distinct resources (or URL paths) those 403s must span. */
  readonly forbiddenBurstResources: number;
}

export const DEFAULT_RULE_SETTINGS: RuleSettings = Object.freeze({
  deniedBurst: 20,
  forbiddenBurst: 50,
  forbiddenBurstResources: 5,
});

/** Defaults for whatever the caller left out. */
export function resolveRuleSettings(partial: Partial<RuleSettings> | undefined): RuleSettings {
  return { ...DEFAULT_RULE_SETTINGS, ...stripUndefined(partial ?? {}) };
}

function stripUndefined(p: Partial<RuleSettings>): Partial<RuleSettings> {
  const out: Partial<Record<keyof RuleSettings, number>> = {};
  for (const [k, v] of Object.entries(p) as [keyof RuleSettings, number | undefined][]) if (v !== undefined) out[k] = v;
  return out;
}

/** The largest threshold accepted: far above any real window, small enough to stay an exact integer. */
export const MAX_THRESHOLD = 1_000_000_000;

export class ThresholdError extends Error {
  constructor(
    /** The flag or environment variable that held the value, e.g. `--denied-burst`. */
    readonly source: string,
    readonly value: string,
  ) {
    super(`${source}: "${value}" is not a positive whole number (expected 1 to ${MAX_THRESHOLD})`);
    this.name = 'ThresholdError';
  }
}

/**
 * A threshold as written by a person (flag or environment variable): digits only, 1 or more. "1e3", "20.0",
 * " 20", "0x14" and "-5" are refused rather than guessed at, and the error names where the value came from.
 */
export function parseThreshold(value: string, source: string): number {
  if (!/^[0-9]+$/.test(value)) throw new ThresholdError(source, value);
  const n = Number(value);
  if (n < 1 || n > MAX_THRESHOLD) throw new ThresholdError(source, value);
  return n;
}
