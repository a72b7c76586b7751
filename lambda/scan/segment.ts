import { readSync } from 'node:fs';
import type { AuditFilter, AuditHead } from '../model/records';
import { FastPath } from '../readers/fast-path';
import { LineSplitter } from '../readers/lines';
import { FILE_CHUNK_BYTES } from './source';


/** A byte range of a JSON Lines file, handed to a worker. Its lines are the lines that BEGIN in [start, end). */
export interface Segment {
  readonly id: number;
  readonly start: number;
  readonly end: number;
}

/** What the fast path made of one segment, in a form that crosses threads (structured clone). */
export interface SegmentResult {
  readonly id: number;
  /** Lines that begin in the segment: the next segment's first line is this many lines further on. */
  readonly lines: number;
  /**
   * Events the fast path counted without a parse, by the node role kept for them ('' for none): the identity
   * of each (model/audit-identity.ts; -1 for none), for the main thread to spot events read twice.
   */
  readonly skipped: Record<string, number[]>;
  /**
   * The lines left for the full path, in order: their numbers within the segment (the first line is 1), and
   * their text (UTF-8 decoded, as LineSplitter passes it), or null for a line over the cap.
   */
  readonly numbers: number[];
  readonly texts: (string | null)[];
}

/**
 * Reads segments of one file through a fast path of its own: what the fast path takes is only counted;
 * every other line is handed back whole, for the main thread to read exactly as FileReader would.
 *
 * A segment's first line begins after the first newline at or after `start - 1` (at 0 for the first segment,
 * after a UTF-8 byte order mark); its last line ends at the first newline at or after `end - 1`, or at the end
 * of the file. Adjacent segments therefore share no line and miss none, whatever the line lengths: a line
 * longer than a segment belongs to the segment it begins in, and the segments it crosses have no lines.
 */
export class SegmentScanner {
  private readonly buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
  private readonly fastPath: FastPath;
  private counts: Record<string, number[]> = {};
  private fd = -1;
  private size = 0;

  constructor(filter: Pick<AuditFilter, 'wants' | 'keep'>, private readonly maxLineBytes: number) {
    const counting: AuditFilter = {
      wants: filter.wants,
      keep: (head: AuditHead) => filter.keep(head),
      skipped: (kept, identity) => {
        (this.counts[kept ?? ''] ??= []).push(identity ?? -1);
      },
    };
    // One for every segment this scanner reads: what it learns about callers holds across segments and files.
    this.fastPath = new FastPath(counting);
  }

  /**
   * The lines of `segment` of the open file `fd`, of which only the first `size` bytes are read (its size when
   * the scan began: every segment sees the same file even if it grows).
   */
  scan(fd: number, size: number, segment: Segment): SegmentResult {
    this.fd = fd;
    this.size = size;
    const numbers: number[] = [];
    const texts: (string | null)[] = [];
    this.counts = {};
    const result = (lines: number): SegmentResult => ({ id: segment.id, lines, skipped: this.counts, numbers, texts });
    // The first line begins at 0 even after a byte order mark, so the first segment always owns it.
    const first = segment.start === 0;
    const begin = first ? this.afterByteOrderMark() : this.afterNewline(segment.start - 1);
    if (!first && begin >= segment.end) return result(0);
    const splitter = new LineSplitter(
      (text, line) => {
        numbers.push(line);
        texts.push(text);
      },
      (line) => {
        numbers.push(line);
        texts.push(null);
      },
      this.maxLineBytes,
      1,
      this.fastPath,
    );
    const { buffer } = this;
    let pos = begin;
    for (;;) {
      const n = this.read(pos, this.size - pos);
      if (n === 0) {
        // The file ends inside the segment's last line (no final newline): read as the sequential path does.
        splitter.end();
        return result(splitter.line - 1);
      }
      let take = n;
      let last = false;
      if (pos + n >= segment.end) {
        const nl = buffer.indexOf(10, Math.max(0, segment.end - 1 - pos));
        if (nl >= 0 && nl < n) {
          take = nl + 1;
          last = true;
        }
      }
      splitter.push(buffer.subarray(0, take));
      pos += take;
      if (last) return result(splitter.line - 1);
    }
  }

  private afterByteOrderMark(): number {
    const n = this.read(0, 3);
    const { buffer } = this;
    return n === 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  }

  /** The position after the first newline at or after `from`, or the end of the file. */
  private afterNewline(from: number): number {
    let pos = from;
    for (;;) {
      const n = this.read(pos, this.size - pos);
      if (n === 0) return this.size;
      const nl = this.buffer.indexOf(10);
      if (nl >= 0 && nl < n) return pos + nl + 1;
      pos += n;
    }
  }

  /** Reads up to `limit` bytes at `pos` into the buffer (never past the size the scan began with). */
  private read(pos: number, limit: number): number {
    if (limit <= 0) return 0;
    return readSync(this.fd, this.buffer, 0, Math.min(this.buffer.length, limit), pos);
  }
}
