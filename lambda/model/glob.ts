/**
 * Glob matching for suppressions, without regular expressions built from user text: `*` matches any run of
 * characters (none included), `?` exactly one, `\` makes the next character literal. Greedy two-pointer
 * matching with one backtrack point (the last `*`): O(pattern x text) at worst, never exponential.
 */

type Token = { kind: 'star' } | { kind: 'one' } | { kind: 'char'; char: string };

/** Why a pattern is not a glob this matcher accepts, or undefined when it is fine. */
export function globProblem(pattern: string): string | undefined {
  if (pattern === '') return 'is empty (use "*" to match anything)';
  if (pattern.length > 1024) return 'is longer than 1024 characters';
  if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) return 'ends in a lone "\\" (escape a backslash as "\\\\")';
  const unescaped = /(^|[^\\])(\\\\)*[[\]{}]/.exec(pattern);
  if (unescaped) return 'uses [...] or {...}, which are not supported (only * and ?; escape a literal bracket with \\)';
  return undefined;
}

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) out.push({ kind: 'char', char: pattern[++i]! });
    else if (c === '*') {
      // Consecutive stars match what one does.
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') out.push({ kind: 'one' });
    else out.push({ kind: 'char', char: c });
  }
  return out;
}

/** A compiled glob: compile once per suppression, match many subjects. */
export class Glob {
  private readonly tokens: Token[];

  constructor(readonly pattern: string) {
    this.tokens = tokens(pattern);
  }

  matches(text: string): boolean {
    // Code points, so `?` matches one character even outside the BMP.
    const s = [...text];
    const p = this.tokens;
    let si = 0;
    let pi = 0;
    let starP = -1;
    let starS = 0;
    while (si < s.length) {
      const t = p[pi];
      if (t && (t.kind === 'one' || (t.kind === 'char' && t.char === s[si]))) {
        si++;
        pi++;
      } else if (t?.kind === 'star') {
        starP = pi++;
        starS = si;
      } else if (starP >= 0) {
        // Let the last star take one more character and retry from there.
        pi = starP + 1;
        si = ++starS;
      } else return false;
    }
    while (p[pi]?.kind === 'star') pi++;
    return pi === p.length;
  }
}
