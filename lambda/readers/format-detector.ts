import { isCsvExportHeader } from './csv';
import { looksLikeAuditEvent } from './message';

/** Where a file's content starts and how it is read, once its first bytes decide it (undefined: need more). */
export interface Format {
  readonly mode: 'lines' | 'document' | 'csv';
  /** Bytes to skip first: a UTF-8 byte order mark. */
  readonly from: number;
  /** Index of the first byte that is not blank (the buffer's length when there is none). */
  readonly first: number;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Decides a file's format from its first bytes as they arrive in chunks: a JSON document when the first
 * non-blank byte is `[`, or `{` on a first line that is not a complete JSON object; a Logs Insights CSV export
 * when the first line is its header (naming `@message`, or this tool's `n` and `sample`); else lines. Each byte is
 * looked at once, whatever the chunking (16 MB of leading newlines in 64 KiB chunks took 7.5 s when every
 * chunk re-joined and re-scanned all the bytes before it); the chunks are joined once, when the format is known.
 */
export class FormatDetector {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Bytes already looked at (the next scan starts there), and the chunk that holds that offset. */
  private scanned = 0;
  private scanChunk = 0;
  private scanBase = 0;
  private from: number | undefined;
  /** Absolute offset of the first non-blank byte, -1 while only blanks were seen. */
  private first = -1;
  /** The byte at `first`. */
  private opening = -1;
  private format: Format | undefined;
  /** Bytes looked at, for the test that proves detection linear. */
  examined = 0;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * Adds a chunk (copied: the caller may reuse its buffer). Returns the format once known, with all bytes
   * pushed so far in buffer(); undefined while more bytes are needed.
   */
  push(chunk: Buffer): Format | undefined {
    if (this.format) return this.format;
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    return this.decide(false);
  }

  /** No more bytes: the format of what was pushed. */
  end(): Format {
    return this.format ?? this.decide(true)!;
  }

  /** Every byte pushed, joined once. */
  buffer(): Buffer {
    if (this.chunks.length !== 1) {
      this.chunks = [Buffer.concat(this.chunks, this.bytes)];
      this.scanChunk = 0;
      this.scanBase = 0;
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private decide(eof: boolean): Format | undefined {
    if (this.from === undefined) {
      if (this.bytes < 3 && !eof) return undefined;
      const head = this.buffer();
      this.from = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
      this.scanned = this.from;
    }
    if (this.first < 0) {
      this.first = this.scan((c) => !isBlank(c));
      if (this.first < 0) {
        if (!eof && this.bytes - this.from <= this.maxLineBytes) return undefined;
        return this.done('lines', this.bytes);
      }
      this.opening = this.chunks[this.scanChunk]![this.first - this.scanBase]!;
      this.scanned = this.first + 1;
    }
    const opening = this.opening;
    if (opening === 91) return this.done('document', this.first);
    // Anything but `{` is lines, unless the first line is the header of a Logs Insights CSV export.
    const csvLike = opening === 34 || opening === 64 || (opening >= 65 && opening <= 90) || (opening >= 97 && opening <= 122);
    if (opening !== 123 && !csvLike) return this.done('lines', this.first);
    const nl = this.scan((c) => c === 10);
    if (nl < 0 && !eof) {
      if (this.bytes - this.first <= this.maxLineBytes) return undefined;
      return this.done(opening === 123 ? 'document' : 'lines', this.first);
    }
    const line = this.buffer().toString('utf8', this.first, nl < 0 ? this.bytes : nl);
    if (opening !== 123) return this.done(isCsvExportHeader(line) ? 'csv' : 'lines', this.first);
    return this.done(firstLineIsJsonLine(line) ? 'lines' : 'document', this.first);
  }

  private done(mode: Format['mode'], first: number): Format {
    this.format = { mode, from: this.from ?? 0, first };
    return this.format;
  }

  /** Offset of the first byte from `scanned` on that matches, or -1 (then every byte was looked at). */
  private scan(match: (c: number) => boolean): number {
    // Resume in the chunk that holds `scanned`: the chunks before it were looked at already.
    while (this.scanChunk < this.chunks.length && this.scanBase + this.chunks[this.scanChunk]!.length <= this.scanned) {
      this.scanBase += this.chunks[this.scanChunk]!.length;
      this.scanChunk++;
    }
    for (; this.scanChunk < this.chunks.length; this.scanChunk++) {
      const chunk = this.chunks[this.scanChunk]!;
      for (let i = this.scanned - this.scanBase; i < chunk.length; i++) {
        this.examined++;
        if (match(chunk[i]!)) {
          this.scanned = this.scanBase + i;
          return this.scanned;
        }
      }
      this.scanned = this.scanBase + chunk.length;
      this.scanBase = this.scanned;
    }
    return -1;
  }
}

/** The format of bytes held whole (`eof`: there are no more), or undefined when more bytes are needed. */
export function formatOf(buf: Buffer, eof: boolean, maxLineBytes: number): Format | undefined {
  const detector = new FormatDetector(maxLineBytes);
  const format = detector.push(buf);
  return format ?? (eof ? detector.end() : undefined);
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
