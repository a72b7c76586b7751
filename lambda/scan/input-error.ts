/**
 * A path that cannot be read (missing, not permitted, an I/O error). The only error the readers throw on
 * purpose: content never throws. The CLI prints the message and exits 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    /** The path as the user gave it (or as found under a directory they gave). */
    readonly path: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read ${JSON.stringify(path)}: ${why}`, options);
  }
}

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** An InputError for `path` saying why `err` happened, with `err` kept as the cause. */
export function inputError(path: string, err: unknown): InputError {
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? WHY[code] : undefined;
  const why = known ?? (err instanceof Error ? err.message : String(err));
  return new InputError(path, why, { cause: err });
}
