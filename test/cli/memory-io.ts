import { Readable } from 'node:stream';
import type { CliIO } from '../../lambda/cli/io';

/** A CliIO that keeps what the CLI writes, for tests: read it back with out() and err(). */
export interface MemoryIO extends CliIO {
  out(): string;
  err(): string;
}

export function memoryIO(o: { stdin?: string; stdoutTTY?: boolean; stderrTTY?: boolean; env?: Record<string, string> } = {}): MemoryIO {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: o.stdoutTTY ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: o.stderrTTY ?? false },
    stdin: Readable.from([o.stdin ?? '']),
    env: o.env ?? {},
    out: () => out,
    err: () => err,
  };
}
