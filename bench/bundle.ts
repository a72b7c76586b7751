import { build } from 'esbuild';

/**
 * The proposal measured next to the shipped CLI: the same entry (lambda/cli/main.ts) bundled by esbuild into
 * one ESM file, so starting it costs no TypeScript transpiling and no module resolution. Built into the
 * benchmark's temporary directory; nothing in the repository changes.
 */
const ENTRY = [
  "import { main } from './lambda/cli/main.ts';",
  "import { processIO } from './lambda/cli/io.ts';",
  'process.exitCode = await main(process.argv.slice(2), processIO());',
].join('\n');

export async function bundleCli(repo: string, outfile: string): Promise<void> {
  await build({
    stdin: { contents: ENTRY, resolveDir: repo, sourcefile: 'bench-cli-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    // Bundled CommonJS dependencies (the AWS SDK) call require.
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  });
}
