import type { Severity } from './severity';

/**
 * A known exception (a CI role that trips forbidden-burst, a break-glass admin in system:masters), silenced
 * without raising a global threshold. Parsed and checked by settings/suppressions.ts; applied by the engine.
 */
export interface Suppression {
  /** An exact rule id. */
  readonly ruleId: string;
  /** Every key must be in the finding's subject and match its glob (`*` any run, `?` one character, `\` escapes). */
  readonly subject: Readonly<Record<string, string>>;
  /** Why it is silenced: reports repeat it next to the count. */
  readonly reason: string;
  /** ISO 8601: the suppression applies before this instant (a date alone means 00:00 UTC that day). */
  readonly expires: string;
}

/** A finding a suppression silenced: counted in reports, never an incident, never alerted. */
export interface SuppressedFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  subject: Record<string, string>;
  count: number;
  /** Which entry (its position in the list, from 0), and its reason and expiry. */
  suppression: number;
  reason: string;
  expires: string;
}

/** A suppression past its expiry: it no longer applies, and reports say so. */
export interface ExpiredSuppression {
  suppression: number;
  ruleId: string;
  subject: Record<string, string>;
  reason: string;
  expires: string;
  /** Findings of this run it would have silenced: reported again. */
  findings: number;
}

/** When a suppression stops applying, in epoch ms (a date alone is 00:00 UTC that day); NaN when not a date. */
export function expiryMs(expires: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T00:00:00Z` : expires);
}
