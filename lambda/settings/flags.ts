import type { RuleSettings } from '../model/rule-settings';
import { ConfigError, ProblemCollector } from './errors';
import { THRESHOLD_SETTINGS } from './table';

/**
 * The CLI flags of the settings that have one (the rule thresholds), shared by `scan` and `audit`, so a
 * threshold set for the Lambda can be set the same way on a laptop.
 */
const FLAGGED = THRESHOLD_SETTINGS.filter((s) => s.flag !== undefined);

/** For parseFlags: every setting flag takes a value. */
export function settingFlagOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(FLAGGED.map((s) => [s.flag!, { type: 'string' as const }]));
}

/** The help lines of the setting flags: descriptions start at column `width` and wrap before column 100. */
export function settingFlagHelp(width = 26): string {
  return FLAGGED.map((s) => {
    const head = `  --${s.flag} N`;
    const lines = wrap(`${s.doc} (default: ${s.format(s.default!)})`, 100 - width);
    const pad = ' '.repeat(width);
    const first = head.length < width ? `${head.padEnd(width)}${lines.shift()}` : head;
    return [first, ...lines.map((l) => pad + l)].join('\n');
  }).join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The thresholds given as flags (parseFlags' values), checked as the Lambda checks its variables. */
export function parseSettingFlags(values: Readonly<Record<string, unknown>>): Partial<RuleSettings> {
  const problems = new ProblemCollector();
  const out: Record<string, number> = {};
  for (const setting of FLAGGED) {
    const raw = values[setting.flag!];
    if (raw === undefined) continue;
    const value = problems.try(() => setting.parse(raw, `--${setting.flag}`));
    if (value !== undefined) out[setting.name] = value;
  }
  problems.throwIfAny();
  return out;
}

export { ConfigError };
