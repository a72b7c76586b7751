import { shellArg } from '../../model/quote';
import type { FlagRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import type { IncidentJoin, RuleRun } from '../../model/rule';
import type { FlagStart, StartConfig } from './apiserver-flag-starts';
import { FlagStartTracker, showList, startConfig } from './apiserver-flag-starts';
import { originText } from '../../model/audit';
import { clean } from '../../model/sanitize';

/** Shared run and wording for the apiserver-* rules: each judges one kube-apiserver start at a time. */

export function flagEvidence(records: readonly FlagRecord[], time: string | undefined): Evidence {
  const first = records[0];
  const ev: Evidence = {
    truncated: false,
    message: clean(records.map((r) => `FLAG: --${r.flag}="${r.value}"`).join(' '), 400),
  };
  if (first) ev.source = clean(originText(first), 300);
  if (time) ev.time = clean(time, 40);
  return ev;
}

/** What a flag rule says about one start: the finding's subject and the lines that prove it. */
export interface StartVerdict {
  readonly subject: Record<string, string>;
  readonly lines: readonly FlagRecord[];
  readonly facts?: Record<string, string>;
}

interface Tally {
  subject: Record<string, string>;
  count: number;
  firstMs: number;
  first?: string;
  lastMs: number;
  last?: string;
  evidence: Evidence;
  facts?: Record<string, string>;
}

/**
 * Shared run for flag rules: only the starts of `program` are judged (see flag-program.ts); starts are judged as they close and folded per subject, so memory stays bounded
 * by distinct configurations however many restarts the input holds. count = starts that showed it.
 */
export function flagRuleRun(
  judge: (start: FlagStart, config: StartConfig) => StartVerdict | undefined,
  /**
   * The program whose dumps the rule judges (another program's flag of the same name means something else), or
   * `any` for a rule that looks at every dump.
   */
  program: 'kube-apiserver' | 'kubelet' | 'any' = 'kube-apiserver',
): RuleRun {
  const tallies = new Map<string, Tally>();
  const tracker = new FlagStartTracker((start) => {
    if (program !== 'any' && start.program.name !== program) return;
    const verdict = judge(start, startConfig(start));
    if (!verdict) return;
    const key = JSON.stringify(Object.entries(verdict.subject).sort());
    const ms = start.time === undefined ? NaN : Date.parse(start.time);
    let t = tallies.get(key);
    if (!t) {
      t = {
        subject: verdict.subject, count: 0, firstMs: Infinity, lastMs: -Infinity, evidence: flagEvidence(verdict.lines, start.time),
        facts: { ...configurationFacts(start), ...verdict.facts },
      };
      tallies.set(key, t);
    }
    t.count++;
    if (!Number.isNaN(ms) && ms < t.firstMs) [t.firstMs, t.first] = [ms, start.time];
    if (!Number.isNaN(ms) && ms > t.lastMs) [t.lastMs, t.last] = [ms, start.time];
  });
  return {
    onFlag(record) {
      tracker.add(record);
    },
    finish(emit) {
      tracker.flush();
      for (const t of tallies.values()) {
        emit({
          subject: t.subject, count: t.count, evidence: t.evidence,
          ...(t.first ? { firstSeen: t.first, time: t.first } : {}),
          ...(t.last ? { lastSeen: t.last } : {}),
          ...(t.facts ? { facts: t.facts } : {}),
        });
      }
    },
  };
}

/**
 * The start's configuration, which the flag findings of one configuration share (Rule.incident joins them on
 * `configuration`), and the lists the incident's one fix is built from.
 */
function configurationFacts(start: FlagStart): Record<string, string> {
  // Flags printed empty ("", []) are defaults nobody set: leaving them out keeps the key and the words short.
  const shown = [...start.flags.entries()]
    .filter(([, r]) => !/^"?(\[\])?"?$/.test(r.value.trim()))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, r]) => `--${name}=${r.value}`)
    .join(' ');
  const c = startConfig(start);
  const facts: Record<string, string> = { configuration: shown };
  if (c.modes) facts['authorizationMode'] = showList(c.modes);
  const plugins = c.enable ?? c.admissionControl;
  if (plugins) facts['admissionPlugins'] = showList(plugins);
  return facts;
}

/** "3 kube-apiserver start(s) between A and B" for a finding's message. */
export function startsPhrase(g: { count: number; firstSeen: string | null; lastSeen: string | null }): string {
  const n = `${g.count} kube-apiserver start${g.count === 1 ? '' : 's'}`;
  if (!g.firstSeen) return `${n} (times unknown: klog headers carry no year)`;
  return g.firstSeen === g.lastSeen || !g.lastSeen ? `${n} at ${g.firstSeen}` : `${n} between ${g.firstSeen} and ${g.lastSeen}`;
}

/** The flag findings of one kube-apiserver configuration are one incident. */
export const APISERVER_CONFIG_INCIDENT: IncidentJoin = { cause: 'apiserver-config', by: 'configuration' };

/** Control-plane flags are AWS's on EKS: what a user can actually do about a bad one. */
export const MANAGED_FIX =
  'On EKS the control-plane flags are managed by AWS and cannot be changed by you: check that these logs really come from this EKS cluster (not a self-managed one) and open an AWS Support case. On a self-managed control plane, ';

/** The mode list to run with instead: Node and RBAC first, the other modes kept, AlwaysAllow dropped. */
export function recommendedModes(shown: string): string {
  const others = shown.replace(/^\[|\]$/g, '').split(',').filter((m) => m && m !== 'Node' && m !== 'RBAC' && m !== 'AlwaysAllow');
  // The other modes come from the log line: the whole value is one shell word, quoted if it needs to be.
  return shellArg(['Node', 'RBAC', ...others].join(','));
}
