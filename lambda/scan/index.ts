import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { FastPath } from '../readers/fast-path';
import { FileReader } from '../readers/file-reader';
import type { AuditFilter, RecordSink } from '../model/records';
import { inputError } from './input-error';
import { listInputs, type Input } from './inputs';
import { HEAD_BYTES, observed, type ByteReader, type ReadObserver } from './observer';
import type { ParallelOptions } from './parallel';
import { DEFAULT_PARALLEL_MIN_BYTES, DEFAULT_PARALLEL_MIN_FILE_BYTES, ScanWorkers, defaultWorkers, readInParallel } from './parallel';
import { SourceError, readRegularFile, readSource } from './source';

export { InputError } from './input-error';
export { listInputs, type Input, type SkippedPath } from './inputs';
export { allOf, type ReadObserver } from './observer';
export { InputTally, type InputSummary } from './input-tally';
export type { FilterRecipe, ParallelOptions } from './parallel';

/** Default cap on one line or one JSON element: longer ones are reported malformed and skipped. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

// Streams (stdin, gzip) cost per chunk, so they are read in large chunks (bench/README.md "Measurements behind the
// code"). Plain files are read synchronously into one 64 KiB buffer instead (source.ts): no per-chunk cost, and
// the bytes stay in the CPU cache.
const CHUNK_BYTES = 1024 * 1024;

/**
 * `EKS_AUTHZ_AUDIT_FAST_PATH=off` parses every event (to compare or to rule the fast path out when chasing a
 * bug); read once.
 */
const FAST_PATH_DEFAULT = process.env['EKS_AUTHZ_AUDIT_FAST_PATH'] !== 'off';

export interface ReadOptions {
  /** What `-` reads (default process.stdin), so tests can inject a stream. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Longest line or JSON element kept, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
  /**
   * Skip the full parse of audit events that no rule wants when the sink allows it (RecordSink.auditFilter).
   * Default true (unless EKS_AUTHZ_AUDIT_FAST_PATH=off); false parses every event, for comparison.
   */
  readonly fastPath?: boolean;
  /**
   * Spread large JSON Lines files over worker threads (parallel.ts); only with the fast path. Absent: every
   * file is read on this thread.
   */
  readonly parallel?: ParallelOptions;
  /** Told about paths skipped, bytes read, the head of each file and inputs that broke part way. */
  readonly observer?: ReadObserver;
}

/**
 * Reads files, directories (recursively, sorted, without dot-files) and `-` (stdin) into the sink:
 * `sink.file(name)` once per file, then its records and malformed lines. Every path is checked before
 * anything is read. Throws InputError for a path that cannot be read, never for content.
 */
export async function readInputs(paths: readonly string[], sink: RecordSink, options: ReadOptions = {}): Promise<void> {
  const observer = options.observer ?? {};
  const inputs = await listInputs(paths, (s) => observer.skipped?.(s));
  observer.listed?.(inputs.length);
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const filter = (options.fastPath ?? FAST_PATH_DEFAULT) ? sink.auditFilter : undefined;
  // One for the whole scan: what it learns about callers (user segments) holds across files.
  const fastPath = filter ? new FastPath(filter) : undefined;
  const parallel = filter && options.parallel && worthThreads(inputs, options.parallel) ? options.parallel : undefined;
  // Started at the first file large enough, once for the whole scan (undefined after a failed start).
  let pool: Promise<ScanWorkers | undefined> | undefined;
  const workers = async (): Promise<ScanWorkers | undefined> => {
    pool ??= startWorkers(parallel!, filter!, max);
    return pool;
  };
  try {
    for (const input of inputs) {
      sink.file(input.name);
      const reader = new FileReader(input.name, sink, max, fastPath);
      const watched = observed(input.name, reader, observer);
      // Only a regular file is opened before it is read: opening a FIFO blocks until its writer comes, and
      // closing it sends the writer away, so a FIFO opened to be looked at would never be read.
      if (input.kind === 'file' && input.regular) {
        if (parallel && (await readLarge(input.name, reader, filter!, workers, parallel, max))) {
          observer.progress?.(sizeOf(input.name));
          observer.fileDone?.(input.name, headOf(input.name));
          continue;
        }
        if (await readRegularFile(input.name, watched)) continue;
      }
      await readStream(input, watched, options);
    }
  } finally {
    await (await pool)?.close();
  }
}

/** A gzip file, a FIFO, stdin: a stream read chunk by chunk. */
async function readStream(input: Input, reader: ByteReader, options: ReadOptions): Promise<void> {
  const source =
    input.kind === 'stdin'
      ? (options.stdin ?? process.stdin)
      : createReadStream(input.name, { highWaterMark: CHUNK_BYTES });
  try {
    await readSource(source as AsyncIterable<Buffer | string>, reader);
  } catch (err) {
    if (err instanceof SourceError) throw inputError(input.name, err.cause);
    throw err;
  }
}

/** Two threads or more, and enough bytes in regular files for their start and warm-up to pay off. */
function worthThreads(inputs: readonly Input[], parallel: ParallelOptions): boolean {
  if ((parallel.workers ?? defaultWorkers()) < 2) return false;
  const min = parallel.minBytes ?? DEFAULT_PARALLEL_MIN_BYTES;
  let total = 0;
  for (const input of inputs) {
    if (input.kind !== 'file' || !input.regular) continue;
    total += sizeOf(input.name);
    if (total >= min) return true;
  }
  return false;
}

/** The size of a regular file, 0 when it cannot be read (the read itself reports that, in its turn). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The first HEAD_BYTES of a regular file (empty when it cannot be read). */
function headOf(path: string): Buffer {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

function startWorkers(parallel: ParallelOptions, filter: AuditFilter, maxLineBytes: number): Promise<ScanWorkers | undefined> {
  return ScanWorkers.start(parallel.workers ?? defaultWorkers(), { maxLineBytes, recipe: parallel.recipe, wants: filter.wants.length });
}

function readLarge(
  path: string, reader: FileReader, filter: AuditFilter, workers: () => Promise<ScanWorkers | undefined>, parallel: ParallelOptions, maxLineBytes: number,
): Promise<boolean> {
  return readInParallel(path, reader, filter, workers, {
    minFileBytes: parallel.minFileBytes ?? DEFAULT_PARALLEL_MIN_FILE_BYTES, maxLineBytes,
    ...(parallel.segmentBytes ? { segmentBytes: parallel.segmentBytes } : {}),
  });
}
