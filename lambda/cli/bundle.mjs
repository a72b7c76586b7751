// @ts-check
// The CLI bundled by esbuild, built on demand into node_modules/.cache and rebuilt whenever a source changes, so
// a clone never runs a stale build and nobody has to remember a build step. Only bin/eks-authz-audit.mjs imports it.
//
// Plain JavaScript typed with JSDoc (types for the tests in bundle.d.mts), not TypeScript: the launcher imports it
// before it knows whether tsx is needed at all, and Node 20 cannot load .ts by itself. Going through tsx here
// would pay the very start-up cost the bundle exists to save.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/** Sources that can end up in the bundle (tsconfig's resolveJsonModule lets code import .json). */
const SOURCE = /\.(?:ts|mts|js|mjs|json)$/;
/** A finished build's directory name: a bundle key. Anything else in the cache is left alone or is a temp dir. */
const KEY_DIR = /^[0-9a-f]{16}$/;
const TMP_PREFIX = '.tmp-';
/** A temp dir this old belongs to a build that crashed, not to one still running (a build takes seconds at most). */
const STALE_TMP_MS = 10 * 60_000;

/**
 * Says what the launcher did and why, on stderr, only when EKS_AUTHZ_AUDIT_DEBUG is set: a normal run
 * prints nothing of its own, whichever way it starts.
 * @param {string} message
 */
export function debug(message) {
  if (process.env['EKS_AUTHZ_AUDIT_DEBUG']) process.stderr.write(`eks-authz-audit: debug: ${message}\n`);
}

/**
 * The path of an up-to-date bundled CLI (`cli.mjs`), built first when needed; undefined when it cannot be
 * built (esbuild missing or failing, cache not writable), so the caller falls back to tsx.
 * @param {string} repoRoot the directory holding lambda/ and node_modules/
 * @param {{ cacheDir?: string }} [options] cacheDir: default `<repoRoot>/node_modules/.cache/eks-authz-audit`,
 *   the place other tools cache in (gitignored, and `npm ci` wipes it so a fresh install always rebuilds)
 * @returns {Promise<string | undefined>}
 */
export async function cliBundle(repoRoot, options = {}) {
  const cacheDir = options.cacheDir ?? join(repoRoot, 'node_modules', '.cache', 'eks-authz-audit');
  const esbuild = esbuildVersion();
  if (esbuild === undefined) {
    debug('esbuild is not installed');
    return undefined;
  }
  /** @type {string | undefined} */
  let tmp;
  try {
    const dir = join(cacheDir, bundleKey(repoRoot, esbuild));
    const cli = join(dir, 'cli.mjs');
    // A key directory only ever appears whole (renamed into place below), so its existence means a finished build.
    if (existsSync(cli)) return cli;
    const started = performance.now();
    mkdirSync(cacheDir, { recursive: true });
    tmp = mkdtempSync(join(cacheDir, TMP_PREFIX));
    // mkdtemp makes it private (0700); the cache is as readable as the clone it sits in.
    chmodSync(tmp, 0o755);
    await build(repoRoot, tmp);
    publish(tmp, dir);
    tmp = undefined;
    debug(`built ${dir} in ${Math.round(performance.now() - started)} ms`);
    removeOtherBuilds(cacheDir, dir);
    return cli;
  } catch (err) {
    debug(`cannot build the bundle: ${err instanceof Error ? err.message : String(err)}`);
    if (tmp !== undefined) remove(tmp);
    return undefined;
  }
}

/**
 * What the bundle is built from, as a cache key: every source file under lambda/ (path, size, mtime),
 * package-lock.json (the dependencies that get bundled), package.json (its version is bundled: --version),
 * tsconfig.json (esbuild reads it), the esbuild version
 * and Node's major version (the target). sha256, first 16 hex digits.
 * Stat, not read, and a hand-written walk rather than readdirSync's recursive option: both were faster on a
 * fresh process (bench/README.md "Measurements behind the code"); this runs on every start.
 * @param {string} repoRoot
 * @param {string} esbuildVersion
 * @returns {string}
 */
export function bundleKey(repoRoot, esbuildVersion) {
  const files = sourceFiles(join(repoRoot, 'lambda'));
  // Sorted: readdir's order is the file system's, and the key must not depend on it.
  files.sort();
  files.push(join(repoRoot, 'package-lock.json'), join(repoRoot, 'package.json'), join(repoRoot, 'tsconfig.json'));
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\nnode ${process.versions.node.split('.')[0]}\n`);
  for (const file of files) {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat?.isFile()) hash.update(`${relative(repoRoot, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * @param {string} dir
 * @param {string[]} [into]
 * @returns {string[]} the paths of the source files under dir, recursively
 */
function sourceFiles(dir, into = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, into);
    else if (SOURCE.test(entry.name)) into.push(path);
  }
  return into;
}

/**
 * The bundle's entry points, by output name: `cli` (lambda/cli/entry.ts, the program bin runs) and, once it
 * exists, `scan-worker` (lambda/scan/scan-worker.ts), which code in the bundle starts as
 * `new URL('./scan-worker.mjs', import.meta.url)`.
 * @param {string} repoRoot
 * @returns {Record<string, string>}
 */
export function bundleEntryPoints(repoRoot) {
  /** @type {Record<string, string>} */
  const entries = { cli: join(repoRoot, 'lambda', 'cli', 'entry.ts') };
  const worker = join(repoRoot, 'lambda', 'scan', 'scan-worker.ts');
  if (existsSync(worker)) entries['scan-worker'] = worker;
  return entries;
}

/** @returns {string | undefined} the version of the esbuild this module would import, without importing it */
function esbuildVersion() {
  try {
    const pkg = createRequire(import.meta.url).resolve('esbuild/package.json');
    return String(JSON.parse(readFileSync(pkg, 'utf8')).version);
  } catch {
    return undefined;
  }
}

/** Builds in flight in this process (only tests run more than one). */
let running = 0;

/**
 * @param {string} repoRoot
 * @param {string} outdir
 */
async function build(repoRoot, outdir) {
  const esbuild = await import('esbuild');
  running += 1;
  try {
    await esbuild.build({
      entryPoints: bundleEntryPoints(repoRoot),
      absWorkingDir: repoRoot,
      outdir,
      entryNames: '[name]',
      // Chunks stay in outdir itself (the default chunkNames has no folder), so import.meta.url in any chunk
      // resolves './scan-worker.mjs' next to cli.mjs.
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // The AWS SDK, which only `audit` loads, lands in its own chunks, so a local scan does not load it.
      splitting: true,
      // No start-up cost: Node reads the maps only when source maps are enabled (the launcher does that under
      // EKS_AUTHZ_AUDIT_DEBUG, for stacks with TypeScript lines).
      sourcemap: 'linked',
      // Bundled CommonJS dependencies (parts of the AWS SDK among them) call require.
      banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
      logLevel: 'silent',
    });
  } finally {
    // Its service process would otherwise idle beside the whole scan. One service serves every build in this
    // process, so only the last build to finish stops it.
    running -= 1;
    if (running === 0) await esbuild.stop();
  }
}

/**
 * Moves a finished build into place in one rename, so no reader ever sees half a bundle. When another process
 * renamed its own build there first, that one is as good: use it and drop ours.
 * @param {string} tmp
 * @param {string} dir
 */
function publish(tmp, dir) {
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (!existsSync(join(dir, 'cli.mjs'))) throw err;
    remove(tmp);
  }
}

/**
 * Best effort: builds of older sources, and temp dirs of builds that crashed (not of builds still running, which
 * rename theirs away any moment). A failure here costs disk, not this run.
 * @param {string} cacheDir
 * @param {string} keep
 */
function removeOtherBuilds(cacheDir, keep) {
  try {
    for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
      const path = join(cacheDir, entry.name);
      if (path === keep || !entry.isDirectory()) continue;
      const crashed = entry.name.startsWith(TMP_PREFIX) && Date.now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_TMP_MS;
      if (KEY_DIR.test(entry.name) || crashed) remove(path);
    }
  } catch (err) {
    debug(`could not list ${cacheDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** @param {string} path */
function remove(path) {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (err) {
    debug(`could not remove ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
