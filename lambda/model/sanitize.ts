/**
 * Text from logs is attacker-controlled: anyone who can reach the API server chooses the user agent,
 * the request URI and object names. Everything that leaves the tool passes through here.
 */

// C0 and C1 controls, DEL, and Unicode line/paragraph separators and bidi overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, but line feeds survive: for text the rules write themselves (message, remediation).
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// Lone UTF-16 surrogates cannot be encoded as UTF-8 (SNS and JSON consumers reject them); a length cap can
// also split a pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const MAX_FIELD = 512;

function sanitize(value: unknown, max: number, unsafe: RegExp): string {
  if (value === undefined || value === null) return '';
  let s = (typeof value === 'string' ? value : String(value)).replace(unsafe, ' ');
  if (s.length > max) s = `${s.slice(0, Math.max(0, max - 1))}…`;
  return s.replace(LONE_SURROGATE, '\ufffd');
}

/** Replaces control characters (line breaks included) with a space and caps the length (with an ellipsis). */
export function clean(value: unknown, max = MAX_FIELD): string {
  return sanitize(value, max, UNSAFE);
}

/**
 * clean() for multi-line text written by the rules (messages, remediations with YAML snippets): keeps line
 * feeds. Safe only because every log-derived value a rule can interpolate (subject, facts, tally keys,
 * evidence) was already cleaned of line breaks by the engine.
 */
export function cleanMultiline(value: unknown, max = MAX_FIELD): string {
  return sanitize(value, max, UNSAFE_KEEP_LF);
}

/** clean() that keeps undefined (for optional fields). */
export function cleanOpt(value: unknown, max = MAX_FIELD): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return clean(value, max);
}
