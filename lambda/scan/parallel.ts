import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { AuditFilter } from '../model/records';
import type { FileReader } from '../readers/file-reader';
import { formatOf } from '../readers/file-reader';
import { inputError } from './input-error';
import { FILE_CHUNK_BYTES } from './source';
import type { FilterRecipe, WorkerData, WorkerReply, WorkerTask } from './parallel-protocol';
import type { SegmentResult } from './segment';

export type { FilterRecipe } from './parallel-protocol';

/** How a scan may spread a large JSON Lines file over worker threads (see readInParallel). */
export interface ParallelOptions {
  /** What the workers rebuild the fast path from: the same as the sink's engine was built with. */
  readonly recipe: FilterRecipe;
  /** Worker threads (default: the available parallelism, at most 4); fewer than 2 means read sequentially. */
  readonly workers?: number;
  /**
   * Threads only when the scan's regular files add up to this many bytes: each worker pays its own start and
   * JIT warm-up, once per scan (the pool serves every file).
   */
  readonly minBytes?: number;
  /** Files smaller than this stay on the main thread (a few messages would cost more than they save). */
  readonly minFileBytes?: number;
  /** Bytes per segment handed to a worker. */
  readonly segmentBytes?: number;
}

/**
 * A worker starts on cold code and reaches full speed only after a few hundred MB, so below about that much input
 * one warm thread wins (bench/README.md "Measurements behind the code").
 */
export const DEFAULT_PARALLEL_MIN_BYTES = 256 * 1024 * 1024;
export const DEFAULT_PARALLEL_MIN_FILE_BYTES = 1024 * 1024;
const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
/** Segments a worker holds at once: enough to keep it busy while its last result travels. */
const AHEAD_PER_WORKER = 2;

/**
 * A worker allocates fast (a string per 64 KiB chunk, small objects per line) and V8 grows its young generation
 * to match, per thread: peak RSS then grew with the input. Capped at 8 MB it stays flat at the same speed; 4 MB
 * was no smaller and slower (bench/README.md). Large strings (a long line) live outside the young generation, so
 * this caps no input.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 } as const;

/**
 * One: no threads unless asked for (ParallelOptions.workers, EKS_AUTHZ_AUDIT_WORKERS). Threads always cost memory,
 * and on denial-heavy input (every line a 403 the fast path hands back for a full parse) they were slower and up to
 * three times larger on 2 cores (issue 12, bench/README.md). The default must never be slower or larger than one
 * thread, and which kind of input a scan holds is only known once it is read.
 */
export function defaultWorkers(): number {
  return 1;
}

function runningFromSource(): boolean {
  return import.meta.url.endsWith('.ts');
}

/**
 * Worker threads that read segments of JSON Lines files through the fast path, so that a large file is read
 * at the speed of several cores. The main thread keeps everything that has order or state: it applies each
 * segment's result in file order (the full path for the lines the fast path left, with their line numbers in
 * the file; the counts of the events it took), so the sink sees what a sequential read would have given it.
 */
export class ScanWorkers {
  private job: { onReply: (reply: WorkerReply) => void; onFailure: (err: Error) => void } | undefined;

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => this.job?.onReply(reply));
      worker.on('error', (err) => this.job?.onFailure(err));
      worker.on('exit', (code) => this.job?.onFailure(new Error(`scan worker exited (code ${code})`)));
    }
  }

  /** Starts `count` workers; undefined (and none left running) when one cannot start. */
  static async start(count: number, data: WorkerData): Promise<ScanWorkers | undefined> {
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) workers.push(new Worker(workerUrl(), { workerData: data, resourceLimits: WORKER_LIMITS }));
      await Promise.all(workers.map(ready));
      return new ScanWorkers(workers);
    } catch (err) {
      debug(`scan workers could not start, reading sequentially: ${err instanceof Error ? err.message : String(err)}`);
      await Promise.all(workers.map((w) => w.terminate()));
      return undefined;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    this.job = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Reads [0, size) of `path` in segments and applies every result to `reader` and `filter` in file order.
   * Rejects with InputError when a worker cannot read the file, or with the worker's error (a bug).
   */
  read(path: string, size: number, segmentBytes: number, reader: FileReader, filter: AuditFilter): Promise<void> {
    const total = Math.max(1, Math.ceil(size / segmentBytes));
    const waiting = new Map<number, SegmentResult>();
    const busy = new Map<Worker, number>(this.workers.map((w) => [w, 0]));
    const owner = new Map<number, Worker>();
    let sent = 0;
    let applied = 0;
    let lineBase = 0;
    // Segments sent but not yet applied: bounded, so a worker that races ahead of a slow one (a segment of
    // lines left for the main thread, a very long line) cannot pile up results in memory.
    const window = this.workers.length * AHEAD_PER_WORKER;
    const pump = (): void => {
      for (const worker of this.workers) {
        while (sent < total && sent - applied < window && busy.get(worker)! < AHEAD_PER_WORKER) {
          const start = sent * segmentBytes;
          const task: WorkerTask = { path, size, segment: { id: sent, start, end: Math.min(size, start + segmentBytes) } };
          owner.set(sent, worker);
          busy.set(worker, busy.get(worker)! + 1);
          worker.postMessage(task);
          sent++;
        }
      }
    };
    return new Promise<void>((resolve, reject) => {
      const fail = (err: unknown): void => {
        this.job = undefined;
        reject(err);
      };
      this.job = {
        onFailure: fail,
        onReply: (reply) => {
          if (reply.kind === 'error') {
            const err = Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
            return fail(reply.code ? inputError(path, err) : new Error(`scan worker failed on ${path}: ${reply.message}`));
          }
          if (reply.kind !== 'result') return;
          const { result } = reply;
          const worker = owner.get(result.id)!;
          owner.delete(result.id);
          busy.set(worker, busy.get(worker)! - 1);
          waiting.set(result.id, result);
          try {
            for (let next = waiting.get(applied); next; next = waiting.get(applied)) {
              waiting.delete(applied);
              lineBase = applySegment(next, lineBase, reader, filter);
              applied++;
            }
          } catch (err) {
            return fail(err);
          }
          if (applied === total) {
            this.job = undefined;
            resolve();
          } else pump();
        },
      };
      pump();
    });
  }
}

/**
 * Gives the sink what a sequential read of the segment would have: its leftover lines through the reader, with
 * their numbers in the file (`lineBase` lines precede the segment), and its fast-path counts. Returns the
 * line base of the next segment.
 */
export function applySegment(r: SegmentResult, lineBase: number, reader: FileReader, filter: AuditFilter): number {
  for (let i = 0; i < r.numbers.length; i++) {
    const text = r.texts[i] as string | null;
    const line = lineBase + r.numbers[i]!;
    if (text === null) reader.tooLong(line);
    else reader.line(text, line);
  }
  for (const [kept, identities] of Object.entries(r.skipped)) {
    const role = kept === '' ? undefined : kept;
    for (const identity of identities) filter.skipped(role, identity < 0 ? undefined : identity);
  }
  return lineBase + r.lines;
}

/**
 * Reads `path` through `workers` when it is a regular, uncompressed JSON Lines file of at least `minFileBytes`;
 * returns false having read nothing otherwise (the caller reads it sequentially).
 */
export async function readInParallel(
  path: string,
  reader: FileReader,
  filter: AuditFilter,
  workers: () => Promise<ScanWorkers | undefined>,
  options: { readonly minFileBytes: number; readonly segmentBytes?: number; readonly maxLineBytes: number },
): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw inputError(path, err);
  }
  let size: number;
  const head = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
  let n: number;
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size < options.minFileBytes) return false;
    size = st.size;
    n = readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw inputError(path, err);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return false;
  // Only lines split into independent pieces (a JSON document, a CloudWatch export, is read as a whole), and
  // only lines of JSON pay for the threads: the fast path takes nothing else (klog, S3 export prefixes).
  const format = formatOf(head.subarray(0, n), n === size, options.maxLineBytes);
  if (format?.mode !== 'lines' || head[format.first] !== 0x7b) return false;
  const pool = await workers();
  if (!pool) return false;
  debug(`${path}: ${size} bytes read by ${pool.size} worker threads`);
  await pool.read(path, size, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, reader, filter);
  return true;
}

function ready(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      cleanup();
      if (reply.kind === 'ready') resolve();
      else reject(new Error(reply.kind === 'error' ? reply.message : `unexpected ${reply.kind} before ready`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`scan worker exited (code ${code}) before it was ready`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * The worker's file: beside the bundled CLI (scan-worker.mjs) when this code runs from the bundle, else the
 * TypeScript source started through a loader of its own.
 */
function workerUrl(): URL {
  return runningFromSource()
    ? new URL('./scan-worker-boot.mjs', import.meta.url)
    : new URL('./scan-worker.mjs', import.meta.url);
}

function debug(message: string): void {
  if (process.env['EKS_AUTHZ_AUDIT_DEBUG']) process.stderr.write(`eks-authz-audit: ${message}\n`);
}
