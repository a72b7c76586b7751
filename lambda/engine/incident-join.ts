import type { Finding } from '../model/findings';
import type { JoinedFinding, Rule } from '../model/rule';

/** A finding with what the engine merged for it: the grouping joins on facts the finding's JSON leaves out. */
export interface FindingEntry extends JoinedFinding {
  readonly rule: Rule;
  readonly finding: Finding;
}

/** A subject key, else a fact key; empty counts as absent. */
export function lookup(f: JoinedFinding, key: string): string | undefined {
  const v = f.subject[key] ?? f.facts[key];
  return v === undefined || v === '' ? undefined : v;
}
