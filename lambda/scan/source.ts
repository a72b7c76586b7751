import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { inputError } from './input-error';
import { MemoryGuard } from './memory-guard';
import type { ByteReader } from './observer';

/** An I/O error of the underlying stream (a path problem), told apart from a corrupt gzip (content). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

async function* buffers(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  } catch (err) {
    throw new SourceError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

async function* prefixed(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * Streams `source` into `reader`, gunzipping it when it starts with the gzip magic bytes 1f 8b (whatever
 * the name says: S3 exports are `.gz`, but so are renamed files, and stdin has no name). A corrupt gzip
 * stream is reported through the reader as a malformed line; an I/O error rejects with SourceError.
 */
export async function readSource(source: AsyncIterable<Buffer | string>, reader: ByteReader): Promise<void> {
  const it = buffers(source)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 2) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    headBytes += r.value.length;
  }
  const first = Buffer.concat(head, headBytes);
  const guard = new MemoryGuard();
  const push = (chunk: Buffer): void => {
    guard.read(chunk.length);
    reader.push(chunk);
  };
  if (first[0] !== 0x1f || first[1] !== 0x8b) {
    push(first);
    if (!ended) for await (const chunk of prefixed(Buffer.alloc(0), it)) push(chunk);
    reader.end();
    return;
  }
  const gunzip = createGunzip();
  // Errors surface through the iteration below; the callback only keeps pipeline from throwing elsewhere.
  pipeline(Readable.from(prefixed(first, it)), gunzip, () => {});
  try {
    for await (const chunk of gunzip) push(chunk as Buffer);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    reader.fail(`corrupt gzip data: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  reader.end();
}

/** 64 KiB: read and scanned while it is still in the CPU cache (1 MiB took 4x longer to read on 2 cores). */
export const FILE_CHUNK_BYTES = 64 * 1024;
/** Let timers and signals run between stretches of synchronous reading. */
const YIELD_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Reads a regular, uncompressed file into `reader` with synchronous reads into one reused buffer (streams
 * cost a promise and a fresh buffer per chunk). Returns false, having read nothing, for a gzip file or
 * anything that is not a regular file (a FIFO, a device): those go through readSource. An I/O error throws
 * InputError.
 */
export async function readRegularFile(path: string, reader: ByteReader): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw inputError(path, err);
  }
  try {
    const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
    const read = (): number => {
      try {
        return readSync(fd, buffer, 0, buffer.length, null);
      } catch (err) {
        throw inputError(path, err);
      }
    };
    if (!fstatSync(fd).isFile()) return false;
    let n = read();
    if (n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return false;
    let sinceYield = 0;
    const guard = new MemoryGuard();
    while (n > 0) {
      guard.read(n);
      reader.push(buffer.subarray(0, n));
      sinceYield += n;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      n = read();
    }
    reader.end();
    return true;
  } finally {
    closeSync(fd);
  }
}
