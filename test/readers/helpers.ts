import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { readInputs } from '../../lambda/scan/index';
import { CollectingSink } from './collect';

const fixtures = fileURLToPath(new URL('../fixtures/readers/', import.meta.url));

/** A fixture written for these tests (test/fixtures/readers). */
export const fixture = (name: string): string => join(fixtures, name);

/** readInputs into a fresh collecting sink. */
export async function read(paths: string[], options?: Parameters<typeof readInputs>[2]): Promise<CollectingSink> {
  const sink = new CollectingSink();
  await readInputs(paths, sink, options);
  return sink;
}

/** A temporary directory for the calling test file, removed after it; `write` puts files in it. */
export function useTmpDir(): { dir: () => string; write: (name: string, content: string | Buffer) => Promise<string> } {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'readers-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  return {
    dir: () => tmp,
    async write(name, content) {
      const path = join(tmp, name);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
      return path;
    },
  };
}
