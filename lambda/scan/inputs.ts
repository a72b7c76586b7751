import { constants } from 'node:fs';
import { access, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from './input-error';

/**
 * One thing to read: a file (its name as shown to the user, and whether it is a regular file that may be opened
 * twice and read at offsets; a FIFO or a device is opened once and streamed), or stdin.
 */
export type Input =
  | { readonly kind: 'file'; readonly name: string; readonly regular: boolean }
  | { readonly kind: 'stdin'; readonly name: '-' };

/** A path met while walking that is not read, and why: said to the user, never silent. */
export interface SkippedPath {
  readonly path: string;
  readonly why: string;
}

/** Symbolic-link failures met while walking a directory: the link is skipped with a note, the scan goes on. */
const BROKEN_LINK: Readonly<Record<string, string>> = {
  ENOENT: 'broken symbolic link (its target does not exist)',
  ELOOP: 'symbolic link loop',
  ENOTDIR: 'broken symbolic link (a part of its target is not a directory)',
};

/**
 * Expands the paths given by the user into the files to read, checking every one BEFORE anything is
 * read: a typo fails fast (InputError, exit 2) with no partial output. Directories are walked
 * recursively in sorted order (code-unit order, the same on every machine), skipping dot-files and
 * dot-directories; symbolic links are followed, each directory visited once and each file read once
 * (two links to one file, or a file named twice, are one input). A broken link inside a directory is
 * skipped and reported through `skipped`; a broken link named by the user is an error like any missing path.
 */
export async function listInputs(paths: readonly string[], skipped: (s: SkippedPath) => void = () => {}): Promise<Input[]> {
  const walk: Walk = { out: [], seenDirs: new Set(), seenFiles: new Map(), skipped };
  for (const path of paths) {
    if (path === '-') {
      walk.out.push({ kind: 'stdin', name: '-' });
      continue;
    }
    await addPath(path, walk, true);
  }
  return walk.out;
}

interface Walk {
  readonly out: Input[];
  /** dev:ino of the directories walked. */
  readonly seenDirs: Set<string>;
  /** dev:ino of the files listed, and the name each was first listed under. */
  readonly seenFiles: Map<string, string>;
  readonly skipped: (s: SkippedPath) => void;
}

async function addPath(path: string, walk: Walk, given: boolean): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === undefined ? undefined : BROKEN_LINK[code];
    if (!given && why !== undefined && (await isSymlink(path))) {
      walk.skipped({ path, why });
      return;
    }
    throw inputError(path, err);
  }
  const id = `${st.dev}:${st.ino}`;
  if (st.isDirectory()) {
    if (walk.seenDirs.has(id)) return;
    walk.seenDirs.add(id);
    await walkDir(path, walk);
    return;
  }
  // A FIFO or a device named by the user is read like a file (`<(zcat a.gz)`); met in a directory, skipped.
  if (!given && !st.isFile()) return;
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw inputError(path, err);
  }
  if (st.isFile()) {
    const first = walk.seenFiles.get(id);
    if (first !== undefined) {
      walk.skipped({ path, why: `the same file as ${JSON.stringify(first)}, read once` });
      return;
    }
    walk.seenFiles.set(id, path);
  }
  walk.out.push({ kind: 'file', name: path, regular: st.isFile() });
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Markdown beside logs (a README in an export folder, samples/README.md) is documentation, not input:
 * skipped when walking a directory, read (and reported as malformed) only when named explicitly.
 */
export function isDocumentation(name: string): boolean {
  return /\.(md|markdown)$/i.test(name);
}

async function walkDir(dir: string, walk: Walk): Promise<void> {
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
    // Files too go through stat: two names (hard links, or a link beside its target) are one input.
    if (entry.isDirectory() || entry.isSymbolicLink() || entry.isFile()) await addPath(join(dir, entry.name), walk, false);
  }
}
