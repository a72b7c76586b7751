import type { ObjectRef } from '../model/records';
import type { LineText } from './json-text';
import { UNREADABLE, isKeyAt, stringAt, stringEnd } from './json-text';

/** Go's ObjectReference fields, in the order it prints them. */
const FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;
/** Field index by key length and first letter: no two of Go's keys share both. */
const BY_SHAPE = new Map<number, number>();
for (let i = 0; i < FIELDS.length; i++) BY_SHAPE.set(FIELDS[i]!.length * 256 + FIELDS[i]!.charCodeAt(0), i);

/**
 * objectRef of the line a HeadGlance looks at, read pair by pair only as far as the fields asked for (most
 * predicates stop at `resource`, the first). Go prints it flat: string values only. Reused across lines.
 */
export class ObjectRefGlance implements ObjectRef {
  private readonly values: (string | undefined)[] = [];
  /** Bit i set: FIELDS[i] was met on this line, its value is values[i]. */
  private met = 0;
  /** Where the next `"key":"value"` pair starts; -1 once the closing brace was read (or on failure). */
  private at = -1;
  /** Index just past the closing brace, -1 until read. */
  private close = -1;

  constructor(
    private readonly line: LineText,
    private readonly bail: () => undefined,
  ) {}

  /** A new line's objectRef, whose `{` is at `open`. */
  reset(open: number): void {
    this.met = 0;
    this.at = open + 1;
    this.close = -1;
    if (this.line.text.charCodeAt(this.at) === 125) this.done(this.at);
  }

  get resource(): string | undefined {
    return this.field(0);
  }
  get namespace(): string | undefined {
    return this.field(1);
  }
  get name(): string | undefined {
    return this.field(2);
  }
  get uid(): string | undefined {
    return this.field(3);
  }
  get apiGroup(): string | undefined {
    return this.field(4);
  }
  get apiVersion(): string | undefined {
    return this.field(5);
  }
  get resourceVersion(): string | undefined {
    return this.field(6);
  }
  get subresource(): string | undefined {
    return this.field(7);
  }

  /** Index just past the closing brace (the comma before the next key), or -1 when it cannot be read. */
  end(): number {
    if (this.at >= 0) {
      // Values are strings, and a `}` inside one cannot be followed by `,"` (the quote would be escaped): when
      // the key responseStatus follows the first `}`, that is the closing brace.
      const { text, end } = this.line;
      const brace = text.indexOf('}', this.at);
      if (brace > 0 && brace < end && isKeyAt(text, brace + 1, 'responseStatus')) return brace + 1;
    }
    while (this.at >= 0) this.next();
    return this.close;
  }

  private field(i: number): string | undefined {
    const bit = 1 << i;
    while (this.at >= 0 && (this.met & bit) === 0) this.next();
    return this.met & bit ? this.values[i] : undefined;
  }

  /** Reads one pair, or bails when it is not a plain string pair of a Go key. */
  private next(): void {
    const { line } = this;
    const { text } = line;
    const keyOpen = this.at;
    const keyClose = text.charCodeAt(keyOpen) === 34 ? text.indexOf('"', keyOpen + 1) : -1;
    if (keyClose < 0 || text.charCodeAt(keyClose + 1) !== 58 || text.charCodeAt(keyClose + 2) !== 34) return this.stop();
    const i = BY_SHAPE.get((keyClose - keyOpen - 1) * 256 + text.charCodeAt(keyOpen + 1)) ?? -1;
    // Go prints no other key (so no escaped one), and never one twice (JSON.parse would keep the last).
    if (i < 0 || text.charCodeAt(keyClose - 1) !== FIELDS[i]!.charCodeAt(FIELDS[i]!.length - 1) || this.met & (1 << i)) {
      return this.stop();
    }
    const valueClose = stringEnd(line, keyClose + 2);
    const value = valueClose < 0 ? UNREADABLE : stringAt(line, keyClose + 2, valueClose);
    if (value === UNREADABLE) return this.stop();
    this.met |= 1 << i;
    this.values[i] = value;
    const c = text.charCodeAt(valueClose + 1);
    if (c === 44) this.at = valueClose + 2;
    else if (c === 125) this.done(valueClose + 1);
    else this.stop();
  }

  private done(brace: number): void {
    this.at = -1;
    this.close = brace + 1;
  }

  private stop(): void {
    this.at = -1;
    this.close = -1;
    this.bail();
  }
}
