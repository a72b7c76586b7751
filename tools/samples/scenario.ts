/** What a scenario module gives the generator: its files and the words for samples/README.md. */
import type { IncidentCause } from '../../lambda/model/incident';

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

/** An incident the scan reports for the scenario: one cause and the findings it groups. */
export interface ExpectedIncident {
  readonly kind: IncidentCause['kind'];
  /**
   * Which cause, as the engine groups by it: the role ARN (`node-role`), the node name (`node-credential`), the
   * configuration's flags as the incident's cause quotes them (`apiserver-config`), the RBAC reason of the allowing
   * decision (`rbac-grant`), the finding's subject values separated by spaces (`finding`).
   */
  readonly key: string;
  /** The cause in a few words, for the README. */
  readonly cause: string;
  /** Rule ids of its findings, a rule id once per finding (three lease findings: the id three times). */
  readonly findings: readonly string[];
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
  /** The incidents the scan groups all its findings (info ones included) into, most severe first. */
  readonly incidents: readonly ExpectedIncident[];
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
