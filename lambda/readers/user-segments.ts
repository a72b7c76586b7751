import type { AuditUser } from '../model/records';
import type { LineText } from './json-text';
import { UNREADABLE, keyAt, parseAt, stringEnd, valueEnd } from './json-text';

/**
 * The part of an audit event line from `"user":{` to the end of `userAgent`: who called, from where, with
 * what. A kubelet sends the same bytes there on every request (its identity, its IP, its user agent), so
 * the segment is parsed once and then recognised by comparing text. Keyed by the username as written.
 */
export interface Segment {
  /** The segment's text from `{"username":"`: compared, not parsed, when the caller comes again. */
  readonly text: string;
  readonly user: AuditUser;
  readonly impersonatedUser?: AuditUser;
  readonly sourceIPs?: string[];
  readonly userAgent?: string;
  /**
   * Answers of the filter's predicates that read nothing but this segment (see FastPath): index i for
   * wants[i], undefined when not known yet.
   */
  readonly answers: (boolean | undefined)[];
  /** keep()'s answer, when it read nothing but this segment. */
  kept?: { readonly value: string | undefined };
}

/** Top-level keys Go writes between user and objectRef. */
const SEGMENT_KEYS = new Set(['impersonatedUser', 'sourceIPs', 'userAgent']);
/**
 * Callers remembered, in all (about 6 MB at most): a hostile log (a new caller on every line) empties the
 * memory now and then instead of growing it. Every pod of a service account calls as the same username with
 * its own token, so one username may hold many: a DaemonSet's pods on a large fleet.
 */
const MAX_SEGMENTS = 4096;
const MAX_PER_USERNAME = 256;
const USERNAME_OPEN = '{"username":"';

export class UserSegments {
  /** By a hash of the username (hashing a number is cheaper than a sliced string); equal text confirms. */
  private readonly byUsername = new Map<number, Segment[]>();
  private count = 0;
  /** Where the segment last returned by read() ends: the comma before the next key, or the closing brace. */
  end = -1;

  /** The segment of the user object opening at `open`; undefined when the text is not shaped as Go writes it. */
  read(line: LineText, open: number): Segment | undefined {
    const { text } = line;
    // `{"username":"`, told from Go's other UserInfo keys (uid, groups, extra) by its letters.
    if (text.charCodeAt(open + 2) !== 117 || text.charCodeAt(open + 3) !== 115 || text.charCodeAt(open + 11) !== 58 || text.charCodeAt(open + 12) !== 34) {
      return this.parse(line, open);
    }
    const close = stringEnd(line, open + USERNAME_OPEN.length - 1);
    if (close < 0) return undefined;
    const key = hash(text, open + USERNAME_OPEN.length, close);
    const known = this.byUsername.get(key);
    if (known) {
      for (let i = known.length - 1; i >= 0; i--) {
        const segment = known[i]!;
        // slice + === is a memcmp (a different caller differs early); startsWith compares a character at a time.
        if (text.slice(open, open + segment.text.length) === segment.text) {
          this.end = open + segment.text.length;
          // Most recent last: many pods share a service account's username, and the busy ones come first.
          if (i !== known.length - 1) {
            known.splice(i, 1);
            known.push(segment);
          }
          return segment;
        }
      }
    }
    const parsed = this.parse(line, open);
    if (parsed) this.remember(key, parsed);
    return parsed;
  }

  private parse(line: LineText, open: number): Segment | undefined {
    const parsed = parseSegment(line, open);
    if (!parsed) return undefined;
    this.end = parsed.end;
    return parsed.segment;
  }

  private remember(key: number, segment: Segment): void {
    if (this.count >= MAX_SEGMENTS) {
      this.byUsername.clear();
      this.count = 0;
    }
    let list = this.byUsername.get(key);
    if (!list) this.byUsername.set(key, (list = []));
    if (list.length >= MAX_PER_USERNAME) list.shift();
    else this.count++;
    list.push(segment);
  }
}

/** FNV-1a over text[from, to), cut to 30 bits: a small integer is the cheapest Map key. */
function hash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h & 0x3fffffff;
}

/** Parses the segment: the user object, then impersonatedUser, sourceIPs and userAgent while they follow. */
function parseSegment(line: LineText, open: number): { segment: Segment; end: number } | undefined {
  const userEnd = valueEnd(line, open);
  if (userEnd < 0) return undefined;
  const user = parseAt(line, open, userEnd);
  if (user === UNREADABLE) return undefined;
  const fields: Record<string, unknown> = {};
  let at = userEnd;
  for (;;) {
    const next = keyAt(line, at);
    if (!next || !SEGMENT_KEYS.has(next.key)) break;
    const end = valueEnd(line, next.value);
    if (end < 0) return undefined;
    const value = parseAt(line, next.value, end);
    if (value === UNREADABLE) return undefined;
    fields[next.key] = value;
    at = end;
  }
  const c = line.text.charCodeAt(at);
  if (c !== 44 && !(c === 125 && at === line.end - 1)) return undefined;
  // A copy from the bytes: a slice of the text would keep the whole chunk alive.
  const text = line.bytes.toString('latin1', open, at);
  // Whatever types the line holds, as the full parse would hand them over.
  const segment = { text, user, ...fields, answers: [] } as Segment;
  return { segment, end: at };
}
