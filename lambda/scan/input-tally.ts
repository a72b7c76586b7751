import type { MalformedLine, RecordSink } from '../model/records';
import { clean } from '../model/sanitize';
import { formatHint } from './format-hint';
import type { SkippedPath } from './inputs';
import type { ReadObserver } from './observer';

/** Files with unreadable lines, paths skipped and inputs broken, each kept up to this many (all are counted). */
export const MAX_INPUT_NOTES = 20;

/** One file with lines that could not be read. */
export interface UnreadFile {
  readonly file: string;
  readonly malformed: number;
  readonly records: number;
  /** What the file looks like when it is a format not read here (format-hint.ts), for files with no record. */
  readonly hint?: string;
}

/** What the reading itself met, per file: the notes a user needs to trust (or not) a scan. */
export interface InputSummary {
  /** Files listed to read (stdin counts as one). */
  readonly files: number;
  readonly skipped: readonly SkippedPath[];
  readonly skippedCount: number;
  /** Inputs that broke part way (a truncated gzip): what was read before the break was judged. */
  readonly broken: readonly { readonly file: string; readonly reason: string }[];
  readonly brokenCount: number;
  /** Files with malformed lines, most first. */
  readonly unread: readonly UnreadFile[];
  /** How many files had malformed lines (unread holds at most MAX_INPUT_NOTES of them). */
  readonly unreadCount: number;
}

/**
 * Watches a scan from the side: wraps the engine (sink) to count each file's malformed lines and records, and
 * observes the reading (ReadObserver) for skipped paths, broken streams and what unreadable files look like.
 * Bounded: per-file counts are kept for the current file only, notes up to MAX_INPUT_NOTES.
 */
export class InputTally implements ReadObserver {
  private files = 0;
  private readonly skippedPaths: SkippedPath[] = [];
  private skippedCount = 0;
  private readonly brokenInputs: { file: string; reason: string }[] = [];
  private brokenCount = 0;
  private readonly unread: UnreadFile[] = [];
  private unreadCount = 0;
  private current: { file: string; recordsAtStart: number; malformed: number } | undefined;

  /** `records()`: how many records the engine has taken so far (its stats), read at each file's start and end. */
  constructor(private readonly records: () => number) {}

  /** The sink to give readInputs: `inner` itself, with each file's malformed lines counted on the way. */
  watch(inner: RecordSink): RecordSink {
    const sink: RecordSink = {
      file: (name) => {
        this.current = { file: name, recordsAtStart: this.records(), malformed: 0 };
        inner.file(name);
      },
      record: (r) => inner.record(r),
      malformed: (line: MalformedLine) => {
        if (this.current) this.current.malformed++;
        inner.malformed(line);
      },
      ...(inner.auditFilter ? { auditFilter: inner.auditFilter } : {}),
    };
    return sink;
  }

  listed(files: number): void {
    this.files = files;
  }

  skipped(path: SkippedPath): void {
    this.skippedCount++;
    if (this.skippedPaths.length < MAX_INPUT_NOTES) this.skippedPaths.push({ path: clean(path.path, 300), why: clean(path.why, 400) });
  }

  broken(file: string, reason: string): void {
    this.brokenCount++;
    if (this.brokenInputs.length < MAX_INPUT_NOTES) this.brokenInputs.push({ file: clean(file, 300), reason: clean(reason, 200) });
  }

  /** A file was read: its counts are final. */
  fileDone(file: string, head: Buffer): void {
    const c = this.current;
    if (!c || c.file !== file || c.malformed === 0) return;
    this.unreadCount++;
    const records = this.records() - c.recordsAtStart;
    const hint = records === 0 ? formatHint(head) : undefined;
    this.unread.push({ file: clean(file, 300), malformed: c.malformed, records, ...(hint ? { hint } : {}) });
    this.unread.sort((a, b) => b.malformed - a.malformed);
    if (this.unread.length > MAX_INPUT_NOTES) this.unread.pop();
  }

  summary(): InputSummary {
    return {
      files: this.files,
      skipped: [...this.skippedPaths],
      skippedCount: this.skippedCount,
      broken: [...this.brokenInputs],
      brokenCount: this.brokenCount,
      unread: [...this.unread],
      unreadCount: this.unreadCount,
    };
  }
}
