import type { Measured } from './measure';
import type { SizeResult } from './run';

/** The issue's targets (issue 5 section 2), on this 2-core machine. */
export const TARGETS = { jqRatio: 1 / 10, grepRatio: 4, rssMB: 150 } as const;

const mb = (bytes: number): string => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`);
const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A Markdown table per size, the targets checked, the load average, and what the check of findings said. */
export function report(results: readonly SizeResult[], startup: readonly Measured[], runs: number): string {
  const lines: string[] = [];
  const started = startup.map((m) => `${m.name} ${m.medianSeconds.toFixed(2)} s (peak RSS ${rss(m)} MB)`).join(', ');
  lines.push(`Medians of ${runs} run(s). CLI start-up on an empty file: ${started}.`, '');
  for (const r of results) {
    const { log } = r;
    const jq = r.measured.find((m) => m.name.startsWith('jq'));
    const grep = r.measured.find((m) => m.name.startsWith('grep'));
    lines.push(
      `### ${mb(log.bytes)}: ${num(log.auditEvents)} audit events (${num(log.seconds / 3600, 1)} h of a 100-node cluster), generated in ${r.generateSeconds.toFixed(1)} s`,
      '',
      '| command | wall (s) | MB/s | events/s | peak RSS (MB) | vs jq | vs grep |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const m of r.measured) {
      const s = m.medianSeconds;
      lines.push(
        `| ${m.name} | ${s.toFixed(2)} | ${num(log.bytes / 1e6 / s)} | ${m.name.startsWith('scan') ? num(log.auditEvents / s) : ''} | ${rss(m)} | ` +
          `${jq ? ratio(s, jq.medianSeconds) : 'n/a'} | ${grep ? ratio(s, grep.medianSeconds) : 'n/a'} |`,
      );
    }
    lines.push('', `Load average (1, 5, 15 min): before ${load(r.load.before)}, after ${load(r.load.after)}.`);
    for (const m of r.measured.filter((x) => x.name.startsWith('scan') && !x.name.includes('off'))) {
      const checks = [
        jq ? verdict(`<= 1/10 of jq`, m.medianSeconds <= jq.medianSeconds * TARGETS.jqRatio) : 'jq not installed',
        grep ? verdict(`<= 4x grep`, m.medianSeconds <= grep.medianSeconds * TARGETS.grepRatio) : '',
        m.maxRssMB === undefined ? 'RSS not measured' : verdict(`RSS < ${TARGETS.rssMB} MB`, m.maxRssMB < TARGETS.rssMB),
      ];
      lines.push(`Targets, ${m.name}: ${checks.filter(Boolean).join('; ')}.`);
    }
    lines.push(r.problems.length ? `FINDINGS WRONG:\n${r.problems.map((p) => `- ${p}`).join('\n')}` : 'Findings: exactly the planted ones, with the planted counts and stats, in every scan.', '');
  }
  return `${lines.join('\n')}\n`;
}

function rss(m: Measured): string {
  return m.maxRssMB === undefined ? 'n/a' : num(m.maxRssMB);
}

function ratio(a: number, b: number): string {
  return a >= b ? `${(a / b).toFixed(1)}x` : `1/${(b / a).toFixed(1)}`;
}

function load(l: readonly number[]): string {
  return l.map((x) => x.toFixed(2)).join(', ');
}

function verdict(what: string, ok: boolean): string {
  return `${what} ${ok ? 'met' : 'NOT met'}`;
}
