import type { FileReader } from '../readers/file-reader';
import type { SkippedPath } from './inputs';

/** What readInputs tells about the reading itself (not the records): for notes, progress and the exit code. */
export interface ReadObserver {
  /** A path met while walking a directory was not read (a broken link, a second name of a file already listed). */
  skipped?(path: SkippedPath): void;
  /** How many files the scan will read, once they are listed (before the first is read). */
  listed?(files: number): void;
  /** `bytes` more of the current file were read (decompressed for gzip). */
  progress?(bytes: number): void;
  /**
   * A file was read to its end (or to where it broke), with its first bytes (up to HEAD_BYTES, decompressed): to
   * tell what an unreadable file is.
   */
  fileDone?(file: string, head: Buffer): void;
  /**
   * The input broke part way (a truncated or corrupt gzip stream): what was read before is kept, and the
   * scan is incomplete. `reason` says what broke.
   */
  broken?(file: string, reason: string): void;
}

/** Bytes of each file kept for ReadObserver.fileDone. */
export const HEAD_BYTES = 4096;

/** What readers push bytes into: a FileReader, or the same watched by an observer. */
export type ByteReader = Pick<FileReader, 'push' | 'end' | 'fail'>;

/** `reader` with its bytes, its start and a broken stream reported to `observer`. */
export function observed(file: string, reader: ByteReader, observer: ReadObserver): ByteReader {
  const head: Buffer[] = [];
  let headBytes = 0;
  const giveHead = (): void => {
    observer.fileDone?.(file, Buffer.concat(head, headBytes));
    head.length = 0;
  };
  return {
    push(chunk) {
      if (headBytes < HEAD_BYTES && observer.fileDone) {
        const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes));
        head.push(part);
        headBytes += part.length;
      }
      observer.progress?.(chunk.length);
      reader.push(chunk);
    },
    // After the reader: its last line is counted by then.
    end() {
      reader.end();
      giveHead();
    },
    fail(reason) {
      reader.fail(reason);
      observer.broken?.(file, reason);
      giveHead();
    },
  };
}

/** One observer that tells each of `observers` everything. */
export function allOf(...observers: readonly (ReadObserver | undefined)[]): ReadObserver {
  const each = observers.filter((o): o is ReadObserver => o !== undefined);
  return {
    skipped: (p) => each.forEach((o) => o.skipped?.(p)),
    listed: (n) => each.forEach((o) => o.listed?.(n)),
    progress: (n) => each.forEach((o) => o.progress?.(n)),
    fileDone: (f, h) => each.forEach((o) => o.fileDone?.(f, h)),
    broken: (f, r) => each.forEach((o) => o.broken?.(f, r)),
  };
}
