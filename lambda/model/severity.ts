export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function atLeast(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Parses a user-supplied severity, throwing an error that names the value and the accepted ones. */
export function parseSeverity(value: string, what: string): Severity {
  const v = value.trim().toLowerCase();
  if (isSeverity(v)) return v;
  throw new Error(`${what}: "${value}" is not a severity (expected one of ${SEVERITIES.join(', ')})`);
}
