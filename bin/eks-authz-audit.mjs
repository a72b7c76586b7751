#!/usr/bin/env node
// CLI launcher. The runtime code is TypeScript under lambda/, and a clone works right after `npm ci` with no build
// step: the first run bundles it with esbuild into node_modules/.cache, later runs import that bundle (a fraction
// of tsx's start-up: bench/README.md "Measurements behind the code") until a source changes, which rebuilds it
// (lambda/cli/bundle.mjs). When the bundle cannot be built or loaded, tsx compiles the same program
// (lambda/cli/entry.ts) on the fly. EKS_AUTHZ_AUDIT_BUNDLE=off forces tsx; EKS_AUTHZ_AUDIT_DEBUG=1 says on stderr
// which way it ran and why.
import { fileURLToPath, pathToFileURL } from 'node:url';
// Plain JavaScript, so that deciding costs no TypeScript compiler: see the head of that file.
import { cliBundle, debug } from '../lambda/cli/bundle.mjs';

const off = process.env.EKS_AUTHZ_AUDIT_BUNDLE === 'off';
const bundle = off ? undefined : await cliBundle(fileURLToPath(new URL('..', import.meta.url)));
if (!(bundle !== undefined && (await runBundle(bundle)))) {
  debug(`running through tsx${off ? ' (EKS_AUTHZ_AUDIT_BUNDLE=off)' : ''}`);
  const { register } = await import('tsx/esm/api');
  register();
  await import('../lambda/cli/entry.ts');
}

/**
 * Runs the bundled CLI; false if it did not load (a chunk deleted from the cache, say). The program catches its
 * own errors, so a rejected import means none of it ran yet and tsx can still run it.
 * @param {string} cli
 */
async function runBundle(cli) {
  // Reading the bundle's source maps costs start-up (bench/README.md), so TypeScript lines in stacks only when
  // debugging. Node reads a module's map as it loads it: this must come before the import.
  if (process.env.EKS_AUTHZ_AUDIT_DEBUG) process.setSourceMapsEnabled(true);
  try {
    debug(`running ${cli}`);
    await import(pathToFileURL(cli).href);
    return true;
  } catch (err) {
    debug(`cannot load the bundle: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
