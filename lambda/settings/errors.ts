/** One problem with one configuration value: which key (context key, prop path, variable or flag) and why. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: unknown;
  readonly problem: string;
}

/**
 * Configuration that cannot be used, wherever it came from (CDK context, construct props, the function's
 * environment, CLI flags). Carries every problem found, so one run names them all; the message lists them
 * one a line, each as `Invalid <key>: <value> <problem>`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(key: string, value: unknown, problem: string);
  constructor(problems: readonly ConfigProblem[]);
  constructor(keyOrProblems: string | readonly ConfigProblem[], value?: unknown, problem?: string) {
    const problems = typeof keyOrProblems === 'string' ? [{ key: keyOrProblems, value, problem: problem ?? '' }] : keyOrProblems;
    super(problems.map(describeProblem).join('\n'));
    this.problems = problems;
  }

  /** The first problem's key, for callers that name one. */
  get key(): string {
    return this.problems[0]?.key ?? '';
  }
}

export function describeProblem(p: ConfigProblem): string {
  return p.value === UNKNOWN_KEY ? `Unknown ${p.key}: ${p.problem}` : `Invalid ${p.key}: ${show(p.value)} ${p.problem}`;
}

/** Marks a problem that is about a key itself (an unknown context key), not its value. */
export const UNKNOWN_KEY: unique symbol = Symbol('unknown key');

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs each check, collecting ConfigErrors instead of stopping at the first; throws one ConfigError
 * with all their problems at the end. Other errors pass through.
 */
export class ProblemCollector {
  private readonly problems: ConfigProblem[] = [];

  add(problem: ConfigProblem): void {
    this.problems.push(problem);
  }

  /** The check's result, or undefined when it threw a ConfigError (kept for later). */
  try<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.problems.push(...err.problems);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
