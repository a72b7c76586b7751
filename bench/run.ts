/**
 * `npm run bench [-- --size 1GB[,100MB,2GB] --runs 3 --nodes 100 --skip-full --keep --json FILE]`: generates a
 * realistic EKS audit log in a temporary directory and times, on the same file, the CLI's `scan --format json`
 * end to end (as shipped: the cached bundle with worker threads; on one thread; from source through tsx; and
 * with the fast path off), jq's
 * `select(.responseStatus.code >= 400)` when jq is installed, and `grep -c '"code":403'`. Prints a table per
 * size (median wall time of the runs, MB/s, events/s, peak RSS, ratios to jq and grep, load average) and
 * checks that every scan found exactly what the generator planted: exits 1 when one did not. The directory
 * (about the size of the largest file) is removed at the end, unless --keep.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { checkScan } from './check';
import type { GeneratedLog } from './generate';
import { generateAuditLog, parseSize } from './generate';
import type { Command, Measured } from './measure';
import { measure, onPath } from './measure';
import { report } from './report';
import { benchHostile, hostileReport } from './hostile';

const REPO = resolve(import.meta.dirname, '..');
/** The launcher's switch to TypeScript through tsx instead of its cached bundle. */
const FROM_SOURCE = { EKS_AUTHZ_AUDIT_BUNDLE: 'off' } as const;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1GB' },
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '100' },
    keep: { type: 'boolean', default: false },
    'skip-full': { type: 'boolean', default: false },
    json: { type: 'string' },
    // Events in each hostile input (bench/hostile.ts); 0 leaves them out.
    hostile: { type: 'string', default: '1000000' },
  },
});
const sizes = values.size.split(',').map(parseSize);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: "${values.runs}" is not a positive whole number`);

const dir = mkdtempSync(join(tmpdir(), 'eks-authz-audit-bench-'));
const cleanUp = (): void => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

export interface SizeResult {
  readonly log: Omit<GeneratedLog, 'expected'>;
  readonly generateSeconds: number;
  readonly measured: Measured[];
  readonly problems: string[];
  readonly load: { readonly before: number[]; readonly after: number[] };
}

async function main(): Promise<number> {
  const cli = join(REPO, 'bin', 'eks-authz-audit.mjs');
  const empty = emptyFile();
  // The first run after a change to lambda/ builds the cached bundle: done here, so no timed run pays for it.
  const warm = spawnSync(process.execPath, [cli, 'scan', '--allow-empty', '--format', 'json', empty], { stdio: 'ignore' });
  if (warm.status !== 0) throw new Error(`the CLI failed on an empty file (exit ${warm.status ?? warm.signal})`);
  const startup = [
    measure({ name: 'as shipped (bundle)', argv: [process.execPath, cli, 'scan', '--allow-empty', '--format', 'json', empty], stdoutFile: join(dir, 'startup.json') }, runs, dir),
    measure(
      { name: 'from source (tsx)', argv: [process.execPath, cli, 'scan', '--allow-empty', '--format', 'json', empty], stdoutFile: join(dir, 'startup.json'), env: FROM_SOURCE },
      runs, dir,
    ),
  ];
  const results: SizeResult[] = [];
  let failed = false;
  for (const bytes of sizes) {
    const started = performance.now();
    const log = generateAuditLog(join(dir, 'kube-apiserver-audit.jsonl'), { bytes, nodes: Number(values.nodes) });
    const generateSeconds = (performance.now() - started) / 1000;
    const before = loadavg();
    let scans = 0;
    const scan = (name: string, argv: string[], env?: Record<string, string>): Command => ({
      name, argv: [process.execPath, cli, ...argv, 'scan', '--format', 'json', log.path], stdoutFile: join(dir, `scan-${scans++}.json`), isScan: true,
      ...(env ? { env } : {}),
    });
    const commands: Command[] = [
      scan('scan (CLI as shipped: bundle, one thread)', []),
      scan('scan, two worker threads (opt-in)', [], { EKS_AUTHZ_AUDIT_WORKERS: '2' }),
      scan('scan from source (tsx)', [], FROM_SOURCE),
    ];
    if (!values['skip-full']) commands.push(scan('scan, fast path off', [], { EKS_AUTHZ_AUDIT_FAST_PATH: 'off' }));
    if (onPath('jq')) commands.push({ name: "jq -c 'select(.responseStatus.code >= 400)'", argv: ['jq', '-c', 'select(.responseStatus.code >= 400)', log.path], stdoutFile: join(dir, 'jq.out') });
    commands.push({ name: `grep -c '"code":403'`, argv: ['grep', '-c', '"code":403', log.path], stdoutFile: join(dir, 'grep.out'), okCodes: [0, 1] });
    const measured: Measured[] = [];
    for (const command of commands) {
      measured.push(measure(command, runs, dir));
      process.stderr.write(`  ${log.bytes} bytes: ${command.name}: done\n`);
    }
    // A faster scan that misses something must not look good: every scan's output is checked.
    const problems = commands
      .filter((c) => c.isScan)
      .flatMap((c) => checkScan(log, JSON.parse(readFileSync(c.stdoutFile, 'utf8'))).map((p) => `${c.name}: ${p}`));
    failed ||= problems.length > 0;
    const { expected: _expected, ...summary } = log;
    results.push({ log: summary, generateSeconds, measured, problems, load: { before, after: loadavg() } });
    rmSync(log.path, { force: true });
  }
  process.stdout.write(report(results, startup, runs));
  const hostileCount = Number(values.hostile);
  const hostile = hostileCount > 0 ? benchHostile(dir, cli, runs, hostileCount) : [];
  if (hostile.length > 0) process.stdout.write(hostileReport(hostile));
  failed ||= hostile.some((h) => h.problems.length > 0);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ startup, results, hostile }, null, 2)}\n`);
  return failed ? 1 : 0;
}

function emptyFile(): string {
  const path = join(dir, 'empty.jsonl');
  writeFileSync(path, '');
  return path;
}

try {
  process.exitCode = await main();
} finally {
  cleanUp();
}
