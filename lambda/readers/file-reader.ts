import type { Origin, RecordSink } from '../model/records';
import type { LineFilter } from './fast-path';
import { JsonDocumentScanner } from './json-document';
import { LineSplitter } from './lines';
import { firstNonBlank, looksLikeAuditEvent, readInvalidJson, readJsonValue, readMessage } from './message';
import { parseTimestamp } from './time';
import { readElement, wrapperOf } from './wrappers';

/**
 * Reads one file's (already decompressed) bytes into the sink. The format is decided from the content,
 * not the name: a file whose first non-blank byte is `[`, or `{` on a first line that is not a complete
 * JSON object, is one JSON document (a CloudWatch export) read by the streaming scanner; anything else is
 * read line by line, and each line is classified on its own (JSON, S3 export, klog, logrus), so mixed
 * files work. Synchronous push on purpose: the caller awaits chunks, never records. A pushed chunk is not
 * kept after push() returns, so the caller may reuse its buffer.
 */
export class FileReader {
  private mode: 'detect' | 'lines' | 'document' | 'done' = 'detect';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lines: LineSplitter | undefined;
  private doc: JsonDocumentScanner | undefined;

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
    private readonly maxLineBytes: number,
    /** The fast path for JSON Lines, when the sink offers one. */
    private readonly lineFilter?: LineFilter,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.mode === 'detect') {
      // Kept until the format is known: a copy, since the caller may reuse the chunk's buffer.
      this.pending.push(Buffer.from(chunk));
      this.pendingBytes += chunk.length;
      this.detect(false);
    } else this.feed(chunk);
  }

  end(): void {
    if (this.mode === 'detect') this.detect(true);
    if (this.mode === 'lines') this.lines!.end();
    else if (this.mode === 'document') this.doc!.end();
    this.mode = 'done';
  }

  /** The byte stream broke (corrupt gzip): keep what was whole, report where it stopped, read no more. */
  fail(reason: string): void {
    if (this.mode === 'detect') this.detect(true);
    let line = 1;
    if (this.mode === 'lines') {
      this.lines!.discard();
      line = this.lines!.line;
    } else if (this.mode === 'document') line = this.doc!.line;
    this.sink.malformed({ file: this.file, line, reason });
    this.mode = 'done';
  }

  private detect(eof: boolean): void {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [buf];
    const format = formatOf(buf, eof, this.maxLineBytes);
    if (!format) return;
    this.pending = [];
    this.pendingBytes = 0;
    this.start(format.mode);
    this.feed(format.from > 0 ? buf.subarray(format.from) : buf);
  }

  /**
   * A line read elsewhere (a worker's segment, see parallel.ts), given in file order with its number: read as
   * the line splitter would have passed it. A reader used this way gets no push() or end().
   */
  line(text: string, line: number): void {
    this.readLine(text, line);
  }

  /** A line over the cap, found elsewhere: reported as the line splitter would have. */
  tooLong(line: number): void {
    this.malformed(line, tooLongReason(this.maxLineBytes));
  }

  private start(mode: 'lines' | 'document', firstLine = 1): void {
    this.mode = mode;
    if (mode === 'lines') {
      this.lines = new LineSplitter(
        (text, line) => this.readLine(text, line),
        (line) => this.tooLong(line),
        this.maxLineBytes,
        firstLine,
        this.lineFilter,
      );
      return;
    }
    this.doc = new JsonDocumentScanner(
      {
        element: (kind, text, line, doc) => {
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            return this.malformed(line, `invalid JSON in ${kind === 'export' ? 'array' : kind} element`);
          }
          readElement(kind, value, this.file, line, doc, this.sink);
        },
        document: (text, line) => this.readJsonText(text, { file: this.file, line }),
        cutDocument: (text, line) => {
          if (looksLikeAuditEvent(text)) readInvalidJson(text, { file: this.file, line }, this.sink);
          else this.malformed(line, 'JSON document ends early');
        },
        malformed: (line, reason) => this.malformed(line, reason),
      },
      this.maxLineBytes,
      firstLine,
    );
  }

  private feed(chunk: Buffer): void {
    if (this.mode === 'lines') this.lines!.push(chunk);
    else if (this.mode === 'document') {
      const at = this.doc!.push(chunk);
      // Text after a complete document: read the rest as lines, from the line the scanner reached.
      if (at >= 0) {
        this.start('lines', this.doc!.line);
        this.lines!.push(chunk.subarray(at));
      }
    }
  }

  private readLine(text: string, line: number): void {
    let start = firstNonBlank(text);
    if (start < 0) return;
    let origin: Origin = { file: this.file, line };
    // S3 export: `2023-07-06T05:23:49.123Z <message>`.
    const c = text.charCodeAt(start);
    if (c >= 48 && c <= 57 && text.charCodeAt(start + 4) === 45 && text.charCodeAt(start + 10) === 84) {
      const space = text.indexOf(' ', start);
      const timestamp = space > 0 ? parseTimestamp(text.slice(start, space)) : undefined;
      if (timestamp) {
        origin = { file: this.file, line, timestamp };
        start = space + 1;
      }
    }
    const message = start === 0 ? text : text.slice(start);
    const first = message.charCodeAt(firstNonBlank(message));
    if (first === 123) this.readJsonText(message, origin);
    else readMessage(message, origin, this.sink);
  }

  /** A JSON object as text: an audit event, a wrapper compacted onto one line, or a cut event. */
  private readJsonText(text: string, origin: Origin): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return readInvalidJson(text, origin, this.sink);
    }
    const wrapper = wrapperOf(value);
    if (!wrapper) return readJsonValue(value, origin, this.sink);
    for (const element of wrapper.elements) {
      readElement(wrapper.kind, element, this.file, origin.line, value as Record<string, unknown>, this.sink);
    }
  }

  private malformed(line: number, reason: string): void {
    this.sink.malformed({ file: this.file, line, reason });
  }
}

/** Where a file's content starts and how it is read, once its first bytes decide it (undefined: need more). */
export interface Format {
  readonly mode: 'lines' | 'document';
  /** Bytes to skip first: a UTF-8 byte order mark. */
  readonly from: number;
  /** Index of the first byte that is not blank (the buffer's length when there is none). */
  readonly first: number;
}

/**
 * Decides the format from the first bytes (`eof`: there are no more): a JSON document when the first non-blank
 * byte is `[`, or `{` on a first line that is not a complete JSON object; else lines. Undefined while the
 * bytes seen cannot decide it yet (only blanks, or a `{` line not yet ended, both within `maxLineBytes`).
 */
export function formatOf(buf: Buffer, eof: boolean, maxLineBytes: number): Format | undefined {
  if (buf.length < 3 && !eof) return undefined;
  const from = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let p = from;
  while (p < buf.length && (buf[p] === 32 || buf[p] === 10 || buf[p] === 13 || buf[p] === 9)) p++;
  let mode: 'lines' | 'document' = 'lines';
  if (p === buf.length) {
    if (!eof && buf.length - from <= maxLineBytes) return undefined;
  } else if (buf[p] === 91) mode = 'document';
  else if (buf[p] === 123) {
    const nl = buf.indexOf(10, p);
    if (nl < 0 && !eof && buf.length - p <= maxLineBytes) return undefined;
    if (nl < 0 && !eof) mode = 'document';
    else mode = firstLineIsJsonLine(buf.toString('utf8', p, nl < 0 ? buf.length : nl)) ? 'lines' : 'document';
  }
  return { mode, from, first: p };
}

export function tooLongReason(maxLineBytes: number): string {
  return `line longer than ${maxLineBytes} bytes`;
}

/** JSON Lines if the first line is a complete JSON object, or the start of an audit event cut short. */
function firstLineIsJsonLine(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return looksLikeAuditEvent(line);
  }
}
