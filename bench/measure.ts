import { spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** One command to time: what a person would type, with where its output goes. */
export interface Command {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Standard output goes to this file. Never /dev/null: GNU grep (since 2.27) notices output to /dev/null and
   * stops at the first match, so a discarded `grep -c` times an early exit, not a read of the file.
   */
  readonly stdoutFile: string;
  /** The output is a scan's JSON, to be checked against what was planted. */
  readonly isScan?: boolean;
  /** Exit codes that mean success (grep -c exits 1 when it counts nothing). */
  readonly okCodes?: readonly number[];
}

export interface Run {
  readonly wallSeconds: number;
  /** Peak resident set size in MB, when it could be measured. */
  readonly peakRssMB: number | undefined;
}

export interface Measured {
  readonly name: string;
  readonly runs: Run[];
  readonly medianSeconds: number;
  readonly maxRssMB: number | undefined;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `command` `runs` times and reports the median wall time and the peak RSS. RSS comes from GNU time
 * (`/usr/bin/time -f %M`) when it is installed; otherwise a node child reports its own maxRSS through a
 * preloaded module, and other programs go without.
 */
export function measure(command: Command, runs: number, scratch: string): Measured {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(command, scratch));
  const sorted = results.map((r) => r.wallSeconds).sort((a, b) => a - b);
  const rss = results.map((r) => r.peakRssMB).filter((x): x is number => x !== undefined);
  return {
    name: command.name,
    runs: results,
    medianSeconds: sorted[Math.floor(sorted.length / 2)]!,
    maxRssMB: rss.length ? Math.max(...rss) : undefined,
  };
}

function runOnce(command: Command, scratch: string): Run {
  const timeFile = join(scratch, 'time.out');
  const rssFile = join(scratch, 'rss.out');
  rmSync(timeFile, { force: true });
  rmSync(rssFile, { force: true });
  const gnuTime = existsSync(GNU_TIME);
  const [program, ...args] = command.argv;
  const isNode = program === process.execPath;
  const argv = gnuTime
    ? [GNU_TIME, '-f', '%M', '-o', timeFile, ...command.argv]
    : isNode
      ? [program, '--import', reporterUrl(), ...args]
      : [...command.argv];
  const out = openSync(command.stdoutFile, 'w');
  const started = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1), {
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, ...command.env, BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  closeSync(out);
  const ok = command.okCodes ?? [0];
  if (result.error || !ok.includes(result.status ?? -1)) {
    throw new Error(`${command.name} failed (exit ${result.status ?? result.signal}): ${result.error?.message ?? result.stderr.toString().slice(0, 2000)}`);
  }
  let peakRssMB: number | undefined;
  if (gnuTime && existsSync(timeFile)) {
    const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) peakRssMB = kb / 1024;
  } else if (existsSync(rssFile)) {
    peakRssMB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  }
  return { wallSeconds, peakRssMB };
}

/** A data: URL module that writes process.resourceUsage().maxRSS (KiB) to $BENCH_RSS_FILE at exit. */
function reporterUrl(): string {
  const source =
    "import { writeFileSync } from 'node:fs';" +
    "process.on('exit', () => { if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });";
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** Whether a program is on the PATH (jq is optional). */
export function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}
