import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleEntryPoints, cliBundle } from '../../lambda/cli/bundle.mjs';
import { clean } from '../../lambda/model/sanitize';

const REPO = join(import.meta.dirname, '..', '..');
const LAUNCHER = join(REPO, 'bin', 'eks-authz-audit.mjs');
const DEBUG_LINE = 'eks-authz-audit: debug: ';

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** `node ...args` in the repository, with the launcher's switches only as given. */
function node(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  delete base['EKS_AUTHZ_AUDIT_BUNDLE'];
  delete base['EKS_AUTHZ_AUDIT_DEBUG'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const withoutDebug = (stderr: string): string => stderr.split('\n').filter((l) => !l.startsWith(DEBUG_LINE)).join('\n');

/** The reference: the same launcher made to compile the sources with tsx, saying so. */
async function throughTsx(args: readonly string[]): Promise<Run> {
  const run = await node([LAUNCHER, ...args], { EKS_AUTHZ_AUDIT_BUNDLE: 'off', EKS_AUTHZ_AUDIT_DEBUG: '1' });
  expect(run.stderr).toContain(`${DEBUG_LINE}running through tsx (EKS_AUTHZ_AUDIT_BUNDLE=off)\n`);
  expect(run.stderr).not.toContain(`${DEBUG_LINE}running /`);
  return { ...run, stderr: withoutDebug(run.stderr) };
}

const work = mkdtempSync(join(tmpdir(), 'eks-authz-audit-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cliBundle', () => {
  // A copy of the sources, so touching one does not touch the real tree; the real dependencies.
  const repo = join(work, 'repo');
  const cache = join(work, 'cache');
  let first = '';
  let racer: string | undefined;

  beforeAll(async () => {
    cpSync(join(REPO, 'lambda'), join(repo, 'lambda'), { recursive: true });
    for (const file of ['package-lock.json', 'package.json', 'tsconfig.json']) cpSync(join(REPO, file), join(repo, file));
    symlinkSync(join(REPO, 'node_modules'), join(repo, 'node_modules'), 'dir');
    // The real scan-worker.ts is someone else's and still changing: a worker-like entry of our own stands in,
    // sharing a module with the CLI so that it needs a chunk beside it.
    writeFileSync(
      join(repo, 'lambda', 'scan', 'scan-worker.ts'),
      [
        "import { parentPort } from 'node:worker_threads';",
        "import { clean } from '../model/sanitize';",
        "parentPort?.on('message', (text: unknown) => parentPort?.postMessage(clean(text)));",
      ].join('\n'),
    );
    // Two CLIs starting at once on a cold cache: both build, one rename wins.
    const [a, b] = await Promise.all([cliBundle(repo, { cacheDir: cache }), cliBundle(repo, { cacheDir: cache })]);
    if (a === undefined) throw new Error('the first build failed: run with EKS_AUTHZ_AUDIT_DEBUG=1 to see why');
    first = a;
    racer = b;
  }, 60_000);

  it('gives two builds racing each other the same finished directory, and leaves no temp dir', () => {
    // Assess
    expect(racer).toBe(first);
    expect(basename(first)).toBe('cli.mjs');
    expect(basename(dirname(first))).toMatch(/^[0-9a-f]{16}$/);
    expect(readdirSync(cache)).toEqual([basename(dirname(first))]);
  });

  it('reuses the build while no source changes', async () => {
    // Prepare
    const before = statSync(first);
    const dirBefore = statSync(dirname(first));

    // Act
    const again = await cliBundle(repo, { cacheDir: cache });

    // Assess
    expect(again).toBe(first);
    const after = statSync(first);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(statSync(dirname(first)).mtimeMs).toBe(dirBefore.mtimeMs);
  });

  it('writes the two entries and their chunks side by side, so import.meta.url finds scan-worker.mjs', async () => {
    // Prepare
    const dir = dirname(first);
    const entries = readdirSync(dir, { withFileTypes: true });

    // Act: start the worker the way code in the bundle does, relative to cli.mjs
    const worker = new Worker(new URL('./scan-worker.mjs', pathToFileURL(first)));
    const reply = new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    worker.postMessage('a\u001b[31mb\nc');
    const answer = await reply;
    await worker.terminate();

    // Assess
    expect(entries.every((e) => e.isFile())).toBe(true);
    const names = entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['cli.mjs', 'cli.mjs.map', 'scan-worker.mjs', 'scan-worker.mjs.map']));
    expect(names.filter((n) => n.startsWith('chunk-') && n.endsWith('.mjs')).length).toBeGreaterThan(0);
    expect(answer).toBe(clean('a\u001b[31mb\nc'));
  });

  it('runs like the tsx path, including the lazily loaded AWS SDK chunk (bundled CommonJS calls require)', async () => {
    // Act
    const [rules, rulesTsx, audit, auditTsx] = await Promise.all([
      node([first, 'rules', '--format', 'json']),
      throughTsx(['rules', '--format', 'json']),
      node([first, 'audit', '--cluster', 'demo']),
      throughTsx(['audit', '--cluster', 'demo']),
    ]);

    // Assess
    expect(rules).toEqual(rulesTsx);
    expect(rules.code).toBe(0);
    expect(JSON.parse(rules.stdout).rules.length).toBeGreaterThan(10);
    expect(audit).toEqual(auditTsx);
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain('eks-authz-audit audit: give --since DURATION');
  });

  it('rebuilds into a new directory when a source file is touched, and removes the old build', async () => {
    // Prepare
    const source = join(repo, 'lambda', 'model', 'records.ts');
    const later = new Date(statSync(source).mtimeMs + 5_000);
    utimesSync(source, later, later);

    // Act
    const rebuilt = await cliBundle(repo, { cacheDir: cache });

    // Assess
    expect(rebuilt).toBeDefined();
    expect(rebuilt).not.toBe(first);
    expect(existsSync(rebuilt ?? '')).toBe(true);
    expect(readdirSync(cache)).toEqual([basename(dirname(rebuilt ?? ''))]);
  });
});

describe('cliBundle when it cannot build', () => {
  it('returns undefined quietly when the cache cannot be created, and says why when debugging', async () => {
    // Prepare: a cache "directory" under a regular file (chmod would not stop root)
    const blocker = join(work, 'not-a-dir');
    writeFileSync(blocker, '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('EKS_AUTHZ_AUDIT_DEBUG', '');

    try {
      // Act
      const quiet = await cliBundle(REPO, { cacheDir: join(blocker, 'cache') });
      const quietWrites = stderr.mock.calls.length;
      vi.stubEnv('EKS_AUTHZ_AUDIT_DEBUG', '1');
      const loud = await cliBundle(REPO, { cacheDir: join(blocker, 'cache') });

      // Assess
      expect(quiet).toBeUndefined();
      expect(quietWrites).toBe(0);
      expect(loud).toBeUndefined();
      expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^eks-authz-audit: debug: cannot build the bundle: ENOTDIR/)]);
    } finally {
      stderr.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('returns undefined and leaves no temp dir when esbuild fails', async () => {
    // Prepare
    const broken = join(work, 'broken');
    mkdirSync(join(broken, 'lambda', 'cli'), { recursive: true });
    writeFileSync(join(broken, 'lambda', 'cli', 'entry.ts'), 'export const = ;\n');
    const cache = join(work, 'broken-cache');

    // Act
    const result = await cliBundle(broken, { cacheDir: cache });

    // Assess
    expect(result).toBeUndefined();
    expect(readdirSync(cache)).toEqual([]);
  });

  it('leaves scan-worker out of the entry points until its source exists', () => {
    // Prepare
    const bare = join(work, 'bare');

    // Act
    const entries = bundleEntryPoints(bare);

    // Assess
    expect(entries).toEqual({ cli: join(bare, 'lambda', 'cli', 'entry.ts') });
  });
});

describe('bin/eks-authz-audit.mjs', () => {
  it('scans the samples through the bundle with the output of the tsx path', async () => {
    // Act
    const [debugged, plain, tsx] = await Promise.all([
      node([LAUNCHER, 'scan', 'samples'], { EKS_AUTHZ_AUDIT_DEBUG: '1' }),
      node([LAUNCHER, 'scan', 'samples']),
      throughTsx(['scan', 'samples']),
    ]);

    // Assess
    const cache = join(REPO, 'node_modules', '.cache', 'eks-authz-audit');
    expect(debugged.stderr).toMatch(new RegExp(`${DEBUG_LINE}running ${cache}/[0-9a-f]{16}/cli\\.mjs\\n`));
    expect(plain).toEqual(tsx);
    expect(plain.stdout).toContain('CRITICAL kube-apiserver authorization mode includes AlwaysAllow');
  });
});
