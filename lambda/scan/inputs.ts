import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from './input-error';

/** One thing to read: a file (its name as shown to the user and its path), or stdin. */
export type Input = { readonly kind: 'file'; readonly name: string } | { readonly kind: 'stdin'; readonly name: '-' };

/**
 * Expands the paths given by the user into the files to read, checking every one BEFORE anything is
 * read: a typo fails fast (InputError, exit 2) with no partial output. Directories are walked
 * recursively in sorted order (code-unit order, the same on every machine), skipping dot-files and
 * dot-directories; symbolic links are followed, each directory visited once.
 */
export async function listInputs(paths: readonly string[]): Promise<Input[]> {
  const out: Input[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ kind: 'stdin', name: '-' });
      continue;
    }
    await addPath(path, out, new Set(), true);
  }
  return out;
}

async function addPath(path: string, out: Input[], seen: Set<string>, given: boolean): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw inputError(path, err);
  }
  if (st.isDirectory()) {
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    await walk(path, out, seen);
    return;
  }
  // A FIFO or a device named by the user is read like a file (`<(zcat a.gz)`); met in a directory, skipped.
  if (!given && !st.isFile()) return;
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw inputError(path, err);
  }
  out.push({ kind: 'file', name: path });
}

/**
 * Markdown beside logs (a README in an export folder, samples/README.md) is documentation, not input:
 * skipped when walking a directory, read (and reported as malformed) only when named explicitly.
 */
export function isDocumentation(name: string): boolean {
  return /\.(md|markdown)$/i.test(name);
}

async function walk(dir: string, out: Input[], seen: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw inputError(dir, err);
  }
  const names = entries
    .filter((e) => !e.name.startsWith('.') && !isDocumentation(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of names) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() || entry.isSymbolicLink()) await addPath(path, out, seen, false);
    else if (entry.isFile()) {
      try {
        await access(path, constants.R_OK);
      } catch (err) {
        throw inputError(path, err);
      }
      out.push({ kind: 'file', name: path });
    }
  }
}
