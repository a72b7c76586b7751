import type { Origin, RecordSink } from '../model/records';
import type { LineFilter } from './fast-path';
import { JsonDocumentScanner } from './json-document';
import { LineSplitter } from './lines';
import { CsvExportReader } from './csv';
import type { Format } from './format-detector';
import { FormatDetector } from './format-detector';
import { firstNonBlank, looksLikeAuditEvent, readInvalidJson, readJsonValue, readMessage } from './message';

export { formatOf, type Format } from './format-detector';
import { parseTimestamp } from './time';
import { readElement, wrapperOf } from './wrappers';

/**
 * Reads one file's (already decompressed) bytes into the sink. The format is decided from the content,
 * not the name: a file whose first non-blank byte is `[`, or `{` on a first line that is not a complete
 * JSON object, is one JSON document (a CloudWatch export) read by the streaming scanner; a file whose first
 * line is the header of a Logs Insights CSV export is read row by row (csv.ts); anything else is
 * read line by line, and each line is classified on its own (JSON, S3 export, klog, logrus), so mixed
 * files work. Synchronous push on purpose: the caller awaits chunks, never records. A pushed chunk is not
 * kept after push() returns, so the caller may reuse its buffer.
 */
export class FileReader {
  private mode: 'detect' | 'lines' | 'document' | 'csv' | 'done' = 'detect';
  private detector: FormatDetector | undefined;
  private lines: LineSplitter | undefined;
  private doc: JsonDocumentScanner | undefined;
  private csv: CsvExportReader | undefined;

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
      // Kept by the detector until the format is known (a copy: the caller may reuse the chunk's buffer).
      this.detector ??= new FormatDetector(this.maxLineBytes);
      const format = this.detector.push(chunk);
      if (format) this.detected(format);
    } else this.feed(chunk);
  }

  end(): void {
    if (this.mode === 'detect') this.detect();
    if (this.mode === 'lines') this.lines!.end();
    else if (this.mode === 'document') this.doc!.end();
    else if (this.mode === 'csv') this.csv!.end();
    this.mode = 'done';
  }

  /** The byte stream broke (corrupt gzip): keep what was whole, report where it stopped, read no more. */
  fail(reason: string): void {
    if (this.mode === 'detect') this.detect();
    let line = 1;
    if (this.mode === 'lines') {
      this.lines!.discard();
      line = this.lines!.line;
    } else if (this.mode === 'document') line = this.doc!.line;
    else if (this.mode === 'csv') line = this.csv!.line;
    this.sink.malformed({ file: this.file, line, reason });
    this.mode = 'done';
  }

  /** End of input (or a broken stream) while detecting: decide on what was pushed. */
  private detect(): void {
    this.detector ??= new FormatDetector(this.maxLineBytes);
    this.detected(this.detector.end());
  }

  private detected(format: Format): void {
    const buf = this.detector!.buffer();
    this.detector = undefined;
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

  private start(mode: 'lines' | 'document' | 'csv', firstLine = 1): void {
    this.mode = mode;
    if (mode === 'csv') {
      this.csv = new CsvExportReader(this.file, this.sink, this.maxLineBytes, firstLine);
      return;
    }
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
    else if (this.mode === 'csv') this.csv!.push(chunk);
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

export function tooLongReason(maxLineBytes: number): string {
  return `line longer than ${maxLineBytes} bytes`;
}
