/** What a scenario module gives the generator: its files and the words for samples/README.md. */
export interface SampleFile {
  /** Path under samples/, with forward slashes. */
  readonly path: string;
  readonly content: string | Buffer;
}

export interface ExpectedFinding {
  readonly ruleId: string;
  /** Why this scenario triggers it. */
  readonly because: string;
}

export interface Scenario {
  /** The folder under samples/. */
  readonly dir: string;
  readonly title: string;
  /** One paragraph: what is going on and what is wrong. */
  readonly story: string;
  /** Findings above info the scan must produce; the healthy scenario has none. */
  readonly expected: readonly ExpectedFinding[];
  /** Info findings it also produces (listed so nobody mistakes them for noise). */
  readonly info: readonly ExpectedFinding[];
  /** The files and their formats, for the README. */
  readonly formats: string;
  files(): SampleFile[];
}

/** Audit events one per line, as the kube-apiserver-audit streams hold them. */
export function jsonLines(items: readonly unknown[]): string {
  let out = '';
  for (const item of items) out += typeof item === 'string' ? `${item}\n` : `${JSON.stringify(item)}\n`;
  return out;
}

export function textLines(lines: readonly string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
