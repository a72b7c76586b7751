import { StringDecoder } from 'node:string_decoder';
import type { RecordSink } from '../model/records';
import { readMessage } from './message';
import { isQueryRow, readQueryRow } from './query-row';
import { parseTimestamp } from './time';

/**
 * Logs Insights console exports in CSV (RFC 4180): a header row naming the fields, then one row per result.
 * Fields may be quoted; a quoted field holds commas, doubled quotes (`""`) and line breaks, so a row may span
 * several lines. Two shapes are read:
 * - a query over log events, with an `@message` column (and `@timestamp`, `@logStream` when selected);
 * - an export of this tool's own queries (`n`, `firstSeen`, `lastSeen`, `sample`, ...), read as the Lambda reads
 *   the same rows (query-row.ts).
 */

/** The fields of a CSV line that has no line break inside a quoted field (a header), or undefined. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return undefined;
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return undefined;
      fields.push(value);
      i = end;
    }
    if (i >= line.length) return fields;
    if (line.charCodeAt(i) !== 44) return undefined;
    i++;
  }
}

/** True for the header of a Logs Insights CSV export this reader can read. */
export function isCsvExportHeader(line: string): boolean {
  const fields = splitCsvLine(line.replace(/\r$/, '').trim())?.map((f) => f.trim());
  if (!fields || fields.some((f) => f === '' || f.length > 200)) return false;
  const has = (name: string): boolean => fields.includes(name);
  return has('@message') || isQueryRow(has);
}

/**
 * Reads a CSV export chunk by chunk: one record per row, or one malformed line (a row whose field count is not
 * the header's, a quote left open at the end, a row over the size cap). Memory is one row (capped) plus one chunk.
 */
export class CsvExportReader {
  private readonly decoder = new StringDecoder('utf8');
  private header: string[] | undefined;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** Inside quotes, a quote was just read: a second one is a literal quote, anything else ends the field. */
  private quoteSeen = false;
  private rowChars = 0;
  private overflow = false;
  /** Line the current row starts on, and the line being read. */
  private rowLine: number;
  line: number;

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
    private readonly maxRowBytes: number,
    firstLine = 1,
  ) {
    this.line = firstLine;
    this.rowLine = firstLine;
  }

  push(chunk: Buffer): void {
    this.text(this.decoder.write(chunk));
  }

  end(): void {
    this.text(this.decoder.end());
    if (this.inQuotes && !this.quoteSeen) {
      this.sink.malformed({ file: this.file, line: this.rowLine, reason: 'CSV row ends inside a quoted field' });
      this.reset();
      return;
    }
    if (this.fields.length > 0 || this.field !== '' || this.quoteSeen) this.endRow();
  }

  private text(s: string): void {
    let i = 0;
    const n = s.length;
    while (i < n) {
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (s.charCodeAt(i) === 34) {
            this.add('"');
            i++;
            continue;
          }
          this.inQuotes = false;
          continue;
        }
        const q = s.indexOf('"', i);
        const stop = q < 0 ? n : q;
        this.addText(s, i, stop);
        if (q < 0) return;
        this.quoteSeen = true;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 44 /* , */) {
        this.fields.push(this.field);
        this.field = '';
        i++;
      } else if (c === 10) {
        this.line++;
        this.endRow();
        i++;
      } else if (c === 13) {
        i++;
      } else if (c === 34 && this.field === '') {
        this.inQuotes = true;
        i++;
      } else {
        let j = i;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13) break;
          j++;
        }
        this.addText(s, i, j);
        i = j;
      }
    }
  }

  private addText(s: string, a: number, b: number): void {
    if (b <= a) return;
    for (let k = s.indexOf('\n', a); k >= 0 && k < b; k = s.indexOf('\n', k + 1)) this.line++;
    this.add(s.slice(a, b));
  }

  private add(part: string): void {
    this.rowChars += part.length;
    if (this.rowChars > this.maxRowBytes) {
      this.overflow = true;
      this.field = '';
      return;
    }
    if (!this.overflow) this.field += part;
  }

  private endRow(): void {
    const fields = [...this.fields, this.field];
    const line = this.rowLine;
    const overflow = this.overflow;
    this.reset();
    if (overflow) return this.bad(line, `CSV row longer than ${this.maxRowBytes} bytes`);
    if (fields.length === 1 && fields[0] === '') return;
    if (!this.header) {
      this.header = fields.map((f) => f.trim());
      return;
    }
    if (fields.length !== this.header.length) {
      return this.bad(line, `CSV row has ${fields.length} fields, the header ${this.header.length}`);
    }
    this.row(fields, line);
  }

  private row(fields: string[], line: number): void {
    const header = this.header!;
    const get = (name: string): string | undefined => {
      const at = header.indexOf(name);
      return at < 0 ? undefined : fields[at];
    };
    if (isQueryRow((name) => header.includes(name))) return readQueryRow(get, this.file, line, this.sink);
    const message = get('@message');
    if (message === undefined) return this.bad(line, 'CSV export has no @message or sample column');
    const logStream = get('@logStream');
    const timestamp = parseTimestamp(get('@timestamp'));
    readMessage(message, {
      file: this.file, line, ...(logStream ? { logStream } : {}), ...(timestamp ? { timestamp } : {}),
    }, this.sink);
  }

  private bad(line: number, reason: string): void {
    this.sink.malformed({ file: this.file, line, reason });
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
    this.quoteSeen = false;
    this.rowChars = 0;
    this.overflow = false;
    this.rowLine = this.line;
  }
}
