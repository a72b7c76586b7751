import type { ReadObserver } from '../scan/index';
import type { OutputStream } from './io';

/** Quiet for the first second: a scan that ends sooner needs no progress. */
const START_AFTER_MS = 1000;
const REDRAW_EVERY_MS = 250;

/**
 * Progress of a scan on a terminal: bytes and files done, and the rate, redrawn in place on stderr, cleared at the
 * end. Only for a terminal (a redirected stderr gets nothing) and only once a scan has run for a second.
 * Drawn as bytes arrive, not from a timer: the reading is synchronous and would hold a timer back anyway.
 */
export class Progress implements ReadObserver {
  private files = 0;
  private done = 0;
  private bytes = 0;
  private lastDraw = 0;
  private drawn = false;
  private readonly started: number;

  constructor(
    private readonly stream: OutputStream,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** A Progress when `stream` is a terminal that can redraw a line, else undefined. */
  static on(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): Progress | undefined {
    return stream.isTTY === true && env['TERM'] !== 'dumb' ? new Progress(stream) : undefined;
  }

  listed(files: number): void {
    this.files = files;
  }

  progress(bytes: number): void {
    this.bytes += bytes;
    this.draw();
  }

  fileDone(): void {
    this.done++;
    this.draw();
  }

  /** Clears the line, if one was drawn: the report that follows starts on a clean line. */
  end(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }

  private draw(): void {
    const now = this.now();
    const elapsed = now - this.started;
    if (elapsed < START_AFTER_MS || now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    const rate = this.bytes / (elapsed / 1000);
    this.stream.write(`\r\u001b[Kscanning: ${size(this.bytes)}, ${this.done} of ${this.files} file(s) done, ${size(rate)}/s`);
  }
}

/** Bytes for people: 1.5 GB, 230 MB, 12 KB. */
export function size(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[u]}`;
}
