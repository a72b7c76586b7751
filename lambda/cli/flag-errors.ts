import { parseArgs, type ParseArgsConfig } from 'node:util';
import { clean } from '../model/sanitize';

/**
 * A command-line mistake in this tool's words, for the error node:util parseArgs threw on `config`: the option or
 * argument at fault, quoted, and what to do. Node's own text names its internals and, for an unknown option,
 * prints an unbalanced quote.
 */
export function flagError(config: ParseArgsConfig, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const options = config.options ?? {};
  const { tokens } = parseArgs({ ...config, strict: false, allowPositionals: true, tokens: true });
  const q = (s: string): string => JSON.stringify(clean(s, 100));
  for (const t of tokens) {
    if (t.kind === 'positional' && code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      return `unexpected argument ${q(t.value)}: this command takes options only`;
    }
    if (t.kind !== 'option') continue;
    const known = options[t.name];
    if (!known) {
      if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') continue;
      const like = closest(t.name, Object.keys(options));
      const dash = config.allowPositionals ? '; an argument that starts with "-" goes after "--"' : '';
      return `unknown option ${q(t.rawName)}${like ? ` (did you mean --${like}?)` : ''}${dash}`;
    }
    if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') continue;
    if (known.type === 'boolean' && t.inlineValue) return `${t.rawName} takes no value (got ${q(t.value ?? '')})`;
    if (known.type === 'string' && t.value === undefined) return `${t.rawName} needs a value`;
    if (known.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      return `${t.rawName} needs a value, and ${q(t.value)} looks like an option; for a value that starts with "-", write ${t.rawName}=VALUE`;
    }
  }
  return 'the command line could not be read';
}

/** The option most like `name` (a typo, a prefix), if one is close enough to suggest. */
function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of names) {
    const d = candidate.startsWith(name) && name.length >= 3 ? 1 : distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
