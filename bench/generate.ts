/**
 * Generates a realistic EKS audit log (kube-apiserver-audit stream, one JSON event per line) of about a given
 * size, with the misconfigurations of incidents.ts planted at fixed fractions of it, and returns what a scan
 * must find: the exact findings (rule id, subject, count) and the exact stats. Deterministic for a seed.
 *
 *   npx tsx bench/generate.ts OUT.jsonl [--size 100MB] [--nodes 100] [--damaged]
 */
import { parseArgs } from 'node:util';
import { Rng, SECOND, micros } from '../tools/eks-events';
import { makeFleet } from './fleet';
import type { ExpectedFinding } from './log-writer';
import { Expectations, LogWriter } from './log-writer';
import type { Incident } from './incidents';
import { incidents } from './incidents';
import { oddLines } from './odd-lines';
import type { Ctx } from './traffic';
import { clusterSecond, nodeSecond } from './traffic';

export interface GenerateOptions {
  /** Approximate size: the file ends at the first whole second past it once every incident is over. */
  readonly bytes: number;
  /** Kubelets in the fleet (default 100). */
  readonly nodes?: number;
  readonly seed?: string;
  /**
   * Also plant CloudWatch-cut events, glued and garbage lines and traffic of newer rules (odd-lines.ts).
   * jq stops at the first invalid line, so the benchmark's file is not damaged; the fast-path test's is.
   */
  readonly damaged?: boolean;
}

export interface GeneratedLog {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
  /** What the scan's stats must say. */
  readonly auditEvents: number;
  readonly truncated: number;
  readonly malformed: number;
  /** Simulated time covered, in seconds. */
  readonly seconds: number;
  readonly expected: ExpectedFinding[];
}

export const START = micros('2026-11-27T00:00:00Z');

export function generateAuditLog(path: string, options: GenerateOptions): GeneratedLog {
  const fleet = makeFleet(options.nodes ?? 100);
  const out = new LogWriter(path);
  const expect = new Expectations();
  const ctx: Ctx = {
    rng: new Rng(options.seed ?? 'bench'), fleet, out, expect, damaged: options.damaged ?? false, now: START, revision: 48_000_000,
  };
  const pending: Incident[] = incidents();
  if (ctx.damaged) pending.push(oddLines);
  pending.sort((a, b) => a.at - b.at);
  const running: { incident: Incident; started: number }[] = [];
  let s = 0;
  try {
    while (out.bytes < options.bytes || pending.length > 0 || running.length > 0) {
      ctx.now = START + s * SECOND;
      while (pending.length > 0 && out.bytes >= pending[0]!.at * options.bytes) {
        const incident = pending.shift()!;
        incident.start(ctx);
        running.push({ incident, started: s });
      }
      for (const n of fleet.nodes) nodeSecond(ctx, n, s);
      clusterSecond(ctx, s);
      for (let i = 0; i < running.length; i++) {
        const { incident, started } = running[i]!;
        const elapsed = s - started;
        if (elapsed < incident.seconds) {
          incident.second?.(ctx, elapsed);
          continue;
        }
        incident.end?.(ctx);
        running.splice(i--, 1);
      }
      s++;
    }
  } finally {
    out.close();
  }
  return {
    path, bytes: out.bytes, lines: out.lines, auditEvents: out.auditEvents, truncated: out.truncated, malformed: out.malformed,
    seconds: s, expected: expect.list(),
  };
}

/** `100MB`, `1GB`, `512KiB`, `2e9`: bytes (decimal units, binary with `i`). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]?)(i?)b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${JSON.stringify(text)} (e.g. 100MB, 1GB, 2GiB)`);
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const bytes = Number(m[1]) * (m[3] ? 1024 : 1000) ** power;
  if (!Number.isFinite(bytes) || bytes < 1) throw new Error(`not a size: ${JSON.stringify(text)}`);
  return Math.round(bytes);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { size: { type: 'string', default: '100MB' }, nodes: { type: 'string', default: '100' }, damaged: { type: 'boolean', default: false } },
  });
  const path = positionals[0];
  if (!path) throw new Error('usage: npx tsx bench/generate.ts OUT.jsonl [--size 100MB] [--nodes 100] [--damaged]');
  const started = performance.now();
  const log = generateAuditLog(path, { bytes: parseSize(values.size), nodes: Number(values.nodes), damaged: values.damaged });
  const { expected, ...rest } = log;
  process.stdout.write(`${JSON.stringify({ ...rest, ms: Math.round(performance.now() - started), expected }, null, 2)}\n`);
}
