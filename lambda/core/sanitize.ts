/**
 * Text from logs is attacker-controlled: anyone who can reach the API server chooses the user agent,
 * the request URI and object names. Everything that leaves the tool passes through here.
 */

// C0 and C1 controls, DEL, and Unicode line/paragraph separators and bidi overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export const MAX_FIELD = 512;

/** Replaces control characters with a space and caps the length (with an ellipsis). */
export function clean(value: unknown, max = MAX_FIELD): string {
  if (value === undefined || value === null) return '';
  const s = (typeof value === 'string' ? value : String(value)).replace(UNSAFE, ' ');
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** clean() that keeps undefined (for optional fields). */
export function cleanOpt(value: unknown, max = MAX_FIELD): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return clean(value, max);
}
