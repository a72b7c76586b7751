/**
 * Text from logs is attacker-controlled: anyone who can reach the API server chooses the user agent,
 * the request URI and object names. Everything that leaves the tool passes through here.
 */

// C0 and C1 controls, DEL, and Unicode line/paragraph separators: become a space.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// The same, but line feeds survive: for text the rules write themselves (message, remediation).
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEP_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
// Characters that print as nothing, or reorder what follows, so that two different names look the same
// ("system:node:x" and "system:node:\u200bx") or text reads other than it is stored: shown escaped, as `\u200b`,
// so the difference is visible. Zero-width and invisible format characters (soft hyphen, combining grapheme
// joiner, Arabic letter mark, Hangul fillers, Mongolian vowel separator, zero-width space/joiners, word joiner,
// invisible operators, BOM), bidi marks, embeddings, overrides and isolates, interlinear annotations, and the
// tag characters (U+E0000-E007F, which can spell hidden ASCII).
const INVISIBLE =
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;
// Lone UTF-16 surrogates cannot be encoded as UTF-8 (SNS and JSON consumers reject them); a length cap can
// also split a pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const MAX_FIELD = 512;

function sanitize(value: unknown, max: number, unsafe: RegExp): string {
  if (value === undefined || value === null) return '';
  let s = text(value).replace(unsafe, ' ').replace(INVISIBLE, escapeCodePoint);
  if (s.length > max) s = `${s.slice(0, Math.max(0, max - 1))}…`;
  return s.replace(LONE_SURROGATE, '\ufffd');
}

/** `\u200b`, or `\u{e0041}` beyond the Basic Multilingual Plane. */
function escapeCodePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * Any value as text without running code it carries: a log can put an object with its own toString or
 * Symbol.toPrimitive where a string was expected ({"toString": 1} makes String() throw).
 */
function text(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      try {
        return JSON.stringify(value) ?? typeof value;
      } catch {
        return `[${typeof value}]`;
      }
  }
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
