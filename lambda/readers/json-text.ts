/**
 * JSON helpers for the fast path, over a line held as latin1 text: one character per byte, so an index is
 * also a byte offset into the Buffer the text came from, and every JSON structural character (all ASCII)
 * reads as itself. A value with escapes or non-ASCII bytes is decoded from the bytes, as UTF-8.
 */

/** What a JSON value that could not be read evaluates to. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

export interface LineText {
  /** latin1 text of `bytes` (the same indexes). */
  readonly text: string;
  readonly bytes: Buffer;
  /** The line is [start, end) of both. */
  readonly start: number;
  readonly end: number;
}

/** Index of the quote closing the JSON string that opens at `open`, or -1 when it does not close in the line. */
export function stringEnd(line: LineText, open: number): number {
  const { text, end } = line;
  let i = text.indexOf('"', open + 1);
  while (i >= 0 && i < end) {
    let k = i - 1;
    while (text.charCodeAt(k) === 92 /* \ */) k--;
    // An even run of backslashes escapes itself, not the quote.
    if ((i - 1 - k) % 2 === 0) return i;
    i = text.indexOf('"', i + 1);
  }
  return -1;
}

/** The string whose quotes are at `open` and `close`. */
export function stringAt(line: LineText, open: number, close: number): string | typeof UNREADABLE {
  const { text } = line;
  for (let i = open + 1; i < close; i++) {
    const c = text.charCodeAt(i);
    // Escapes, non-ASCII, and raw control characters (invalid JSON, so JSON.parse refuses them too).
    if (c === 92 || c > 127 || c < 32) return parseAt(line, open, close + 1) as string | typeof UNREADABLE;
  }
  return text.slice(open + 1, close);
}

/** End (exclusive) of the JSON value starting at `at`, or -1. Skips strings, balances brackets. */
export function valueEnd(line: LineText, at: number): number {
  const { text, end } = line;
  const first = text.charCodeAt(at);
  if (first === 34) {
    const close = stringEnd(line, at);
    return close < 0 ? -1 : close + 1;
  }
  if (first !== 123 && first !== 91) {
    let i = at;
    while (i < end && !isDelimiter(text.charCodeAt(i))) i++;
    return i > at ? i : -1;
  }
  let depth = 0;
  for (let i = at; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = stringEnd(line, i);
      if (i < 0) return -1;
    } else if (c === 123 || c === 91) depth++;
    else if ((c === 125 || c === 93) && --depth === 0) return i + 1;
  }
  return -1;
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 125 || c === 93;
}

/** JSON.parse of [from, to), decoded as UTF-8 like the full path does. */
export function parseAt(line: LineText, from: number, to: number): unknown {
  try {
    return JSON.parse(line.bytes.toString('utf8', from, to));
  } catch {
    return UNREADABLE;
  }
}

/**
 * Whether `,"key":` is at `at`, judged by its punctuation and three of its letters (first, middle, last):
 * enough to tell apart the keys Go prints in an audit event, at a fraction of a full comparison's cost.
 * Only for lines known to be Go's (they start with GO_EVENT_PREFIX).
 */
export function isKeyAt(text: string, at: number, key: string): boolean {
  const n = key.length;
  return (
    text.charCodeAt(at) === 44 &&
    text.charCodeAt(at + 1) === 34 &&
    text.charCodeAt(at + 2) === key.charCodeAt(0) &&
    text.charCodeAt(at + 2 + (n >> 1)) === key.charCodeAt(n >> 1) &&
    text.charCodeAt(at + 1 + n) === key.charCodeAt(n - 1) &&
    text.charCodeAt(at + 2 + n) === 34 &&
    text.charCodeAt(at + 3 + n) === 58
  );
}

/** The key of `,"key":` at `comma`, or undefined when the text there is not shaped so. */
export function keyAt(line: LineText, comma: number): { key: string; value: number } | undefined {
  const { text, end } = line;
  if (text.charCodeAt(comma) !== 44 || text.charCodeAt(comma + 1) !== 34) return undefined;
  const close = text.indexOf('"', comma + 2);
  if (close < 0 || close >= end || text.charCodeAt(close + 1) !== 58) return undefined;
  const key = text.slice(comma + 2, close);
  // Go writes struct field names as they are: a backslash means something else wrote this line.
  return key.includes('\\') ? undefined : { key, value: close + 2 };
}
