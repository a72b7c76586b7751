import type { LineFilter } from './fast-path';

/**
 * Splits a byte stream into lines on `\n`, working on Buffers: one indexOf per line and one UTF-8 decode
 * per line, no per-line regex or promise. A line split across chunks is copied once; a line longer than
 * the cap is reported and skipped without buffering the rest of it. With a LineFilter, each chunk is
 * turned into latin1 text once (a copy, one character per byte) and the filter may take a line before it
 * is decoded.
 */
export class LineSplitter {
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** Inside a line that went over the cap: drop bytes until the next newline. */
  private skipping = false;

  /**
   * @param onLine called with each line (without `\n` or a trailing `\r`) and its 1-based number.
   * @param onTooLong called once for a line over `maxLineBytes`, with its number.
   * @param nextLine number of the first line (a JSON document may hand over mid-file).
   * @param filter offered each line first (the fast path); a line it takes is not passed to onLine.
   */
  constructor(
    private readonly onLine: (text: string, line: number) => void,
    private readonly onTooLong: (line: number) => void,
    private readonly maxLineBytes: number,
    private nextLine = 1,
    private readonly filter?: LineFilter,
  ) {}

  /** Number of the line being read (for errors that stop the stream). */
  get line(): number {
    return this.nextLine;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let pos = 0;
    // With a filter, newlines are found in the text (a builtin, no call into C++ per line).
    const text = this.filter ? chunk.toString('latin1') : undefined;
    // A line joined across chunks comes first and is offered with its own text; the chunk's follows.
    let offered = false;
    while (pos < n) {
      const nl = text !== undefined ? text.indexOf('\n', pos) : chunk.indexOf(10, pos);
      if (nl < 0) {
        this.hold(chunk, pos, n);
        return;
      }
      if (this.skipping) this.skipping = false;
      else if (this.pieceBytes === 0) {
        if (text !== undefined && !offered) {
          this.filter!.text(text);
          offered = true;
        }
        this.emit(chunk, pos, nl, nl - pos, text);
      } else {
        this.pieces.push(chunk.subarray(pos, nl));
        const total = this.pieceBytes + nl - pos;
        const joined = total > this.maxLineBytes ? chunk : Buffer.concat(this.pieces, total);
        this.emit(joined, 0, total, total, undefined);
        this.pieces = [];
        this.pieceBytes = 0;
      }
      this.nextLine++;
      pos = nl + 1;
    }
  }

  /** The last line when the input does not end in a newline. */
  end(): void {
    if (this.pieceBytes > 0 && !this.skipping) {
      const total = this.pieceBytes;
      this.emit(Buffer.concat(this.pieces, total), 0, total, total, undefined);
    }
    this.pieces = [];
    this.pieceBytes = 0;
  }

  /** Drops a partial line (the stream broke: what is held is not a whole line). */
  discard(): void {
    this.pieces = [];
    this.pieceBytes = 0;
    this.skipping = false;
  }

  /** `text` is the filter's latin1 text of `buf` when it already has one. */
  private emit(buf: Buffer, start: number, end: number, length: number, text: string | undefined): void {
    if (length > this.maxLineBytes) {
      this.onTooLong(this.nextLine);
      return;
    }
    if (end > start && buf[end - 1] === 13) end--;
    if (this.filter) {
      // A joined line (start 0) gets its own text; a line inside a chunk shares the chunk's.
      if (text === undefined) this.filter.text((text = buf.toString('latin1')));
      if (this.filter.line(text, start, end, buf)) return;
    }
    this.onLine(buf.toString('utf8', start, end), this.nextLine);
  }

  private hold(chunk: Buffer, pos: number, n: number): void {
    if (this.skipping) return;
    if (this.pieceBytes + n - pos > this.maxLineBytes) {
      this.onTooLong(this.nextLine);
      this.discard();
      this.skipping = true;
      return;
    }
    // Copy: a subarray would pin the whole (large) chunk for a short tail.
    this.pieces.push(Buffer.from(chunk.subarray(pos, n)));
    this.pieceBytes += n - pos;
  }
}
