import { parseArgs, type ParseArgsConfig } from 'node:util';
import { flagError } from './flag-errors';

/** What a CLI command may touch, injected so tests can run commands in-process. */
export interface CliIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** Exit codes: a contract (README "CLI"). */
export const EXIT = {
  OK: 0,
  /** A finding reached --fail-on. */
  FINDINGS: 1,
  /** Usage error or unreadable input. */
  USAGE: 2,
} as const;

/** A usage error: the message is printed and the CLI exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function processIO(): CliIO {
  return { stdout: untilClosed(process.stdout), stderr: untilClosed(process.stderr), stdin: process.stdin, env: process.env };
}

/**
 * `eks-authz-audit rules | head -1`: once the reader has gone (EPIPE), further output is dropped instead of
 * crashing on an unhandled 'error' event, so the command ends quietly with its own exit code: the reader chose to
 * stop reading, which is neither a failure of the scan nor a finding.
 */
export function untilClosed(stream: NodeJS.WriteStream): OutputStream {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return {
    write: (chunk: string) => !closed && !stream.destroyed && stream.write(chunk),
    get isTTY() {
      return stream.isTTY === true;
    },
  };
}

/** node:util parseArgs with its errors turned into usage errors (exit 2). Callers pass strict: true. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(flagError(config, err));
  }
}
