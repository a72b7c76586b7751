import type { DocumentFields, ElementKind } from './wrappers';
import { isWrapperKey, wrapperKind } from './wrappers';

/**
 * A streaming scanner for whole-file JSON documents (a 200 MB Logs Insights export must not be held in
 * memory). It does not build values: it tracks strings, brackets and depth byte by byte, cuts out each
 * element of the array that matters (the top-level array, or the `events` / `logEvents` / `results` /
 * `items` array of a top-level object) and hands its text over; JSON.parse does the rest, one element at a
 * time. Memory is one element (capped) plus one chunk.
 *
 * Limits, on purpose: fields of a wrapper that come after its array are not read (AWS writes `logStream`
 * before `logEvents`), and line numbers do not count raw newlines inside strings (invalid JSON anyway).
 */
export interface DocumentCallbacks {
  /** One element, as text, with the line its first byte is on and the wrapper's fields read so far. */
  element(kind: ElementKind, text: string, line: number, doc: DocumentFields): void;
  /** A complete top-level object that holds no wrapper array (an audit event pretty-printed, say). */
  document(text: string, line: number): void;
  /** A top-level object cut by the end of the input (a truncated event, pretty-printed). */
  cutDocument(text: string, line: number): void;
  malformed(line: number, reason: string): void;
}

/** Bytes of one value being cut out, across chunks. */
class Capture {
  private pieces: Buffer[] = [];
  private bytes = 0;
  overflow = false;

  constructor(
    readonly line: number,
    /** Where the value starts in the current chunk (0 once a chunk has been spilled). */
    private from: number,
    private readonly max: number,
  ) {}

  /** Bytes captured before offset `pos` of the current chunk. */
  offset(pos: number): number {
    return this.bytes + pos - this.from;
  }

  /** The chunk ends inside the value: keep its tail (a copy, so the chunk can be freed). */
  spill(chunk: Buffer): void {
    this.add(chunk, this.from, chunk.length, true);
    this.from = 0;
  }

  /** The bytes so far, up to `end` in the current chunk, without ending the capture. */
  peek(chunk: Buffer, end: number): Buffer | undefined {
    if (this.overflow || this.bytes + end - this.from > this.max) return undefined;
    return Buffer.concat([...this.pieces, chunk.subarray(this.from, Math.max(this.from, end))]);
  }

  /** The value ends before `end` in the current chunk: its bytes, or undefined when over the cap. */
  finish(chunk: Buffer, end: number): Buffer | undefined {
    this.add(chunk, this.from, end, false);
    return this.overflow ? undefined : Buffer.concat(this.pieces, this.bytes);
  }

  private add(chunk: Buffer, a: number, b: number, copy: boolean): void {
    if (this.overflow || b <= a) return;
    if (this.bytes + b - a > this.max) {
      this.overflow = true;
      this.pieces = [];
      return;
    }
    this.pieces.push(copy ? Buffer.from(chunk.subarray(a, b)) : chunk.subarray(a, b));
    this.bytes += b - a;
  }
}

const EMPTY = Buffer.alloc(0);
const MAX_KEY = 64;

/**
 * Bytes that change nothing below the depths that matter (inside an element or an ignored field): all but
 * quotes, brackets and newlines. Skipping them in a tight loop is most of this scanner's speed on
 * pretty-printed Insights exports (bench/README.md "Measurements behind the code").
 */
const INERT = new Uint8Array(256).fill(1);
for (const c of '"{}[]\n') INERT[c.charCodeAt(0)] = 0;

export class JsonDocumentScanner {
  /** The line being read, 1-based. */
  line: number;
  private depth = 0;
  private top: 'array' | 'object' | undefined;
  private inString = false;
  private escapeNext = false;
  /** Depth at which elements are cut out (1: top-level array, 2: a wrapper's array), 0: none. */
  private elementDepth = 0;
  private elementKind: ElementKind = 'export';
  private element: Capture | undefined;
  /** The whole top-level object, until it turns out to be a wrapper (or grows past the cap). */
  private whole: Capture | undefined;
  private wrapped = false;
  private doc: DocumentFields = {};
  // Keys of the top-level object, to spot the wrapper's array.
  private expectKey = false;
  private inKey = false;
  private key = '';
  private keyOffset = 0;
  private afterColon = false;

  constructor(
    private readonly callbacks: DocumentCallbacks,
    private readonly maxElementBytes: number,
    firstLine = 1,
  ) {
    this.line = firstLine;
  }

  /**
   * Scans a chunk. Returns -1, or the offset of a byte that cannot start a JSON document after the previous
   * one ended: the rest of the input is not JSON and the caller reads it as lines from there.
   */
  push(chunk: Buffer): number {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.scanString(chunk, i);
        continue;
      }
      if (this.depth > 1 && this.depth > this.elementDepth) {
        while (i < n && INERT[chunk[i]!] === 1) i++;
        if (i === n) break;
      }
      const c = chunk[i]!;
      if (c === 10) this.line++;
      else if (c === 32 || c === 9 || c === 13) {
        // whitespace
      } else if (this.depth === 0) {
        if (c !== 123 && c !== 91) return i;
        this.openTop(c, i);
      } else if (c === 34) {
        this.valueStarts(chunk, i, c);
        if (this.depth === 1 && this.top === 'object' && this.expectKey) {
          this.expectKey = false;
          this.inKey = true;
          this.key = '';
          this.keyOffset = this.whole ? this.whole.offset(i) : -1;
        }
        this.inString = true;
      } else if (c === 123 || c === 91) {
        this.valueStarts(chunk, i, c);
        this.depth++;
      } else if (c === 125 || c === 93) {
        this.close(chunk, i);
      } else if (c === 44) {
        if (this.element && this.depth === this.elementDepth) this.finishElement(chunk, i);
        if (this.depth === 1 && this.top === 'object') this.expectKey = true;
      } else if (c === 58) {
        if (this.depth === 1 && this.top === 'object') this.afterColon = true;
      } else {
        this.valueStarts(chunk, i, c);
      }
      i++;
    }
    this.element?.spill(chunk);
    this.whole?.spill(chunk);
    return -1;
  }

  /** End of input. */
  end(): void {
    if (this.depth === 0 && !this.inString) return;
    if (this.element && (this.inString || this.depth > this.elementDepth)) {
      this.callbacks.malformed(this.element.line, 'JSON document ends inside this element');
    } else if (this.element) {
      // The last element closed but the array did not: keep the element, then say the document is cut.
      this.finishElement(EMPTY, 0);
      this.callbacks.malformed(this.line, 'JSON document ends early');
    } else if (this.whole && !this.wrapped) {
      const bytes = this.whole.finish(EMPTY, 0);
      if (bytes) this.callbacks.cutDocument(bytes.toString('utf8'), this.whole.line);
      else this.callbacks.malformed(this.whole.line, `JSON document ends early (over ${this.maxElementBytes} bytes)`);
    } else {
      this.callbacks.malformed(this.line, 'JSON document ends early');
    }
    this.reset();
  }

  private openTop(c: number, i: number): void {
    this.depth = 1;
    this.doc = {};
    this.wrapped = false;
    if (c === 91) {
      this.top = 'array';
      this.elementDepth = 1;
      this.elementKind = 'export';
    } else {
      this.top = 'object';
      this.whole = new Capture(this.line, i, this.maxElementBytes);
      this.expectKey = true;
    }
  }

  /** A byte that starts (or continues) a value at the current depth. */
  private valueStarts(chunk: Buffer, i: number, c: number): void {
    if (this.elementDepth > 0 && this.depth === this.elementDepth && !this.element) {
      this.element = new Capture(this.line, i, this.maxElementBytes);
    }
    if (this.afterColon && this.depth === 1) {
      this.afterColon = false;
      if (c === 91) this.maybeWrapper(chunk, i);
    }
  }

  /** The value of top-level key `this.key` is an array: is this the wrapper's element array? */
  private maybeWrapper(chunk: Buffer, i: number): void {
    if (this.wrapped && this.elementDepth === 0) {
      // A second wrapper array in the same object (fields read before the first one still apply).
      const kind = wrapperKind(this.key, this.doc);
      if (kind) [this.elementDepth, this.elementKind] = [2, kind];
      return;
    }
    if (!isWrapperKey(this.key)) return;
    let doc: DocumentFields = {};
    if (this.whole && this.keyOffset >= 0) {
      const bytes = this.whole.peek(chunk, i);
      doc = bytes ? fieldsBefore(bytes.subarray(0, this.keyOffset)) : {};
    }
    const kind = wrapperKind(this.key, doc);
    if (!kind) return;
    this.doc = doc;
    this.wrapped = true;
    this.whole = undefined;
    this.elementDepth = 2;
    this.elementKind = kind;
  }

  private close(chunk: Buffer, i: number): void {
    if (this.element && this.depth === this.elementDepth) this.finishElement(chunk, i);
    this.depth--;
    if (this.depth < this.elementDepth) this.elementDepth = 0;
    if (this.depth > 0) return;
    if (this.top === 'object' && !this.wrapped) {
      const whole = this.whole;
      const bytes = whole?.finish(chunk, i + 1);
      if (whole && bytes) this.callbacks.document(bytes.toString('utf8'), whole.line);
      else this.callbacks.malformed(whole?.line ?? this.line, `JSON document over ${this.maxElementBytes} bytes is not a CloudWatch export`);
    }
    this.reset();
  }

  private finishElement(chunk: Buffer, end: number): void {
    const element = this.element!;
    this.element = undefined;
    const bytes = element.finish(chunk, end);
    if (!bytes) this.callbacks.malformed(element.line, `JSON element longer than ${this.maxElementBytes} bytes`);
    else this.callbacks.element(this.elementKind, bytes.toString('utf8'), element.line, this.doc);
  }

  /** Inside a string from `i`: returns the offset after its closing quote, or the chunk's end. */
  private scanString(chunk: Buffer, i: number): number {
    const n = chunk.length;
    if (this.escapeNext) {
      this.escapeNext = false;
      i++;
    }
    for (;;) {
      const q = chunk.indexOf(34, i);
      const stop = q < 0 ? n : q;
      let k = stop - 1;
      while (k >= i && chunk[k] === 92) k--;
      const escaped = (stop - 1 - k) % 2 === 1;
      if (q < 0) {
        this.keyPart(chunk, i, n);
        this.escapeNext = escaped;
        return n;
      }
      if (escaped) {
        this.keyPart(chunk, i, q + 1);
        i = q + 1;
        continue;
      }
      this.keyPart(chunk, i, q);
      this.inString = false;
      this.inKey = false;
      return q + 1;
    }
  }

  private keyPart(chunk: Buffer, a: number, b: number): void {
    if (this.inKey && this.key.length <= MAX_KEY) this.key += chunk.toString('latin1', a, Math.min(b, a + MAX_KEY + 1));
  }

  private reset(): void {
    this.depth = 0;
    this.top = undefined;
    this.inString = false;
    this.escapeNext = false;
    this.elementDepth = 0;
    this.element = undefined;
    this.whole = undefined;
    this.expectKey = false;
    this.inKey = false;
    this.afterColon = false;
  }
}

/**
 * The fields of a top-level object before a given key: `{"logGroup":"g","logStream":"s",` becomes
 * `{"logGroup":"g","logStream":"s"}`. Complete pairs followed by a comma always parse this way.
 */
function fieldsBefore(prefix: Buffer): DocumentFields {
  let text = prefix.toString('utf8').trimEnd();
  if (text.endsWith(',')) text = text.slice(0, -1);
  try {
    const value: unknown = JSON.parse(`${text}}`);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as DocumentFields) : {};
  } catch {
    return {};
  }
}
