import { Engine } from '../engine/engine';
import { atLeast, parseSeverity, type Severity } from '../model/severity';
import { RULES } from '../rules/registry';
import type { RuleSettings } from '../model/rule-settings';
import { ConfigError, show } from '../settings/errors';
import { parseSettingFlags, settingFlagHelp, settingFlagOptions } from '../settings/flags';
import { InputError, InputTally, allOf, readInputs } from '../scan/index';
import { toReport } from '../report/json';
import { renderText } from '../report/text';
import { EXIT, UsageError, parseFlags, type CliIO } from './io';
import { useColor } from './color';
import { SUPPRESSIONS_FLAG_HELP, readSuppressionsFile } from './suppressions-file';
import type { Suppression } from '../model/suppression';
import { Progress } from './progress';
import { inputNotes, nothingReadMessage } from './scan-notes';
import { checkHtmlTarget, renderHtmlPage, scanNotes } from './html-output';

export const SCAN_USAGE = `Usage: eks-authz-audit scan [options] PATH...

Scan exported or self-managed Kubernetes audit logs, kube-apiserver and aws-iam-authenticator logs
for node-authorization problems. PATH is a file, a directory (read recursively) or - for stdin;
.gz files are read transparently; the format is detected from the content of each file.

Options:
  --format text|json|html
                         output format (default: text); html is one self-contained page with
                         the incidents, their timelines and a filterable table: redirect it to a file
  --cluster NAME         cluster name for the findings and their fingerprints (default: local)
  --min-severity S       leave out findings below S: info|low|medium|high|critical (default: info)
  --fail-on S            exit 1 when a finding reaches severity S, shown or not (default: never); exit 2
                         when an input broke part way (a truncated .gz)
  --allow-empty          exit 0 when the inputs hold no log record (default: exit 2, nothing was judged)
  ${SUPPRESSIONS_FLAG_HELP}
${settingFlagHelp(25)}
  -h, --help             show this help

Burst thresholds count within the input: all the files of one scan are one window.
`;

export interface ScanOptions {
  readonly format: 'text' | 'json' | 'html';
  readonly cluster: string;
  readonly minSeverity: Severity;
  readonly failOn: Severity | undefined;
  /** A scan that read no record passes (exit 0) instead of failing with exit 2. */
  readonly allowEmpty: boolean;
  /** Thresholds given on the command line; the engine fills in the defaults. */
  readonly settings: Partial<RuleSettings>;
  readonly paths: readonly string[];
  /** From --suppressions FILE, checked. */
  readonly suppressions: readonly Suppression[];
}

export function parseScanArgs(argv: readonly string[]): ScanOptions | 'help' {
  const parsed = parseFlags({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      cluster: { type: 'string', default: 'local' },
      'min-severity': { type: 'string', default: 'info' },
      'fail-on': { type: 'string' },
      'allow-empty': { type: 'boolean', default: false },
      suppressions: { type: 'string' },
      ...settingFlagOptions(),
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.format !== 'text' && v.format !== 'json' && v.format !== 'html') {
    throw new UsageError(`--format: "${v.format}" is not a format (expected text, json or html)`);
  }
  const cluster = (v.cluster ?? 'local').trim();
  if (!cluster) throw new UsageError('--cluster: the name must not be empty');
  const severity = (value: string, flag: string): Severity => {
    try {
      return parseSeverity(value, flag);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  const settings = thresholdFlags(v);
  if (parsed.positionals.length === 0) throw new UsageError('scan needs at least one PATH (a file, a directory, or - for stdin)');
  return {
    format: v.format,
    cluster,
    minSeverity: severity(v['min-severity'] ?? 'info', '--min-severity'),
    failOn: v['fail-on'] === undefined ? undefined : severity(v['fail-on'], '--fail-on'),
    allowEmpty: v['allow-empty'] === true,
    settings,
    paths: parsed.positionals,
    suppressions: readSuppressionsFile(v.suppressions),
  };
}

/** The threshold flags given, checked as the Lambda checks its variables (lambda/settings). */
export function thresholdFlags(values: Readonly<Record<string, unknown>>): Partial<RuleSettings> {
  try {
    return parseSettingFlags(values);
  } catch (err) {
    // The flag first, as every usage error names it: `--denied-burst: "0" is not ...`.
    if (err instanceof ConfigError) throw new UsageError(err.problems.map((p) => `${p.key}: ${show(p.value)} ${p.problem}`).join('\n'));
    throw err;
  }
}

export async function scanCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseScanArgs(argv);
  if (options === 'help') {
    io.stdout.write(SCAN_USAGE);
    return EXIT.OK;
  }
  if (options.format === 'html') checkHtmlTarget(io.stdout);
  const workers = workersFrom(io.env);
  // Every finding is made, so that --fail-on judges those --min-severity hides; the hiding is done here.
  const engine = new Engine(RULES, {
    cluster: options.cluster, settings: options.settings, timelines: options.format === 'html',
    ...(options.suppressions.length ? { suppressions: options.suppressions } : {}),
  });
  const tally = new InputTally(() => engine.stats.records);
  const progress = Progress.on(io.stderr, io.env);
  try {
    // Large JSON Lines files are spread over worker threads that rebuild the same fast path from the same
    // cluster and settings (the engine's rules are the registry's).
    const recipe = { cluster: options.cluster, settings: options.settings };
    await readInputs(options.paths, tally.watch(engine), {
      stdin: io.stdin, observer: allOf(tally, progress), parallel: { recipe, ...(workers !== undefined ? { workers } : {}) },
    });
  } catch (err) {
    if (err instanceof InputError) {
      progress?.end();
      io.stderr.write(`eks-authz-audit: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  } finally {
    progress?.end();
  }
  const all = engine.finish();
  const inputs = tally.summary();
  if (all.stats.records === 0 && !options.allowEmpty) {
    io.stderr.write(nothingReadMessage(options.paths, inputs, all));
    return EXIT.USAGE;
  }
  const result = {
    ...all,
    findings: all.findings.filter((f) => atLeast(f.severity, options.minSeverity)),
    incidents: all.incidents.filter((i) => atLeast(i.severity, options.minSeverity)),
  };
  const notes = inputNotes(inputs, all.stats, all.findings.length - result.findings.length, options.minSeverity);
  if (options.format === 'json') {
    io.stdout.write(`${JSON.stringify({ ...toReport(result), inputs }, null, 2)}\n`);
    if (result.stats.malformed > 0) {
      const first = result.malformedSamples.map((m) => `${m.file}:${m.line}`).join(', ');
      io.stderr.write(`eks-authz-audit: ${result.stats.malformed} malformed line(s) skipped (first: ${first})\n`);
    }
    for (const note of notes) io.stderr.write(`eks-authz-audit: ${note}\n`);
  } else if (options.format === 'html') {
    io.stdout.write(renderHtmlPage({
      cluster: options.cluster,
      source: `scan of ${options.paths.join(', ')}`,
      generatedAt: new Date().toISOString(),
      findings: result.findings,
      incidents: result.incidents,
      ...(result.timelines ? { timelines: result.timelines } : {}),
      stats: result.stats,
      notes: [...scanNotes(result), ...notes.map((n) => n.replace(/^Note: /, ''))],
    }));
  } else {
    io.stdout.write(renderText(result, { color: useColor(io.stdout, io.env), width: 100, notes }));
  }
  const fail = options.failOn;
  if (fail && all.findings.some((f) => atLeast(f.severity, fail))) return EXIT.FINDINGS;
  return fail && inputs.brokenCount > 0 ? EXIT.USAGE : EXIT.OK;
}

/**
 * `EKS_AUTHZ_AUDIT_WORKERS=N`: worker threads for large files (0 or 1 reads on one thread; unset: one per core,
 * at most 4). For benchmarks and for ruling threads out when chasing a bug.
 */
function workersFrom(env: CliIO['env']): number | undefined {
  const value = env['EKS_AUTHZ_AUDIT_WORKERS'];
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,3}$/.test(value)) throw new UsageError(`EKS_AUTHZ_AUDIT_WORKERS: "${value}" is not a whole number of threads`);
  return Number(value);
}
