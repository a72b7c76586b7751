import type { FlagRecord } from '../../model/records';
import type { ServerNeeds } from '../../model/rule';
import type { StartProgram } from './flag-program';
import { startProgram } from './flag-program';

/**
 * kube-apiserver prints every flag (defaults included) as a `FLAG: --name="value"` line each time it starts.
 * A managed control plane shows its authorization and admission set-up nowhere else, so the apiserver-* rules
 * rebuild each start from these lines and judge one start at a time.
 */

/** The flags the apiserver-* rules read. `admission-control` is the deprecated form of enable-admission-plugins. */
export const WATCHED_FLAGS = [
  'admission-control',
  'authorization-config',
  'authorization-mode',
  'disable-admission-plugins',
  'enable-admission-plugins',
] as const;
/** The flags kept of each start: the watched ones, and what the kubelet rules read (its config file, anonymous auth). */
export const KEPT_FLAGS = [...WATCHED_FLAGS, 'anonymous-auth', 'config'] as const;
export type WatchedFlag = (typeof KEPT_FLAGS)[number];
const WATCHED: ReadonlySet<string> = new Set(KEPT_FLAGS);

/**
 * The FLAG lines carry klog timestamps, so every line is its own row: keep the stream to tell instances apart.
 * The line is grouped by through a parsed copy (`flagLine`), not @message itself: other rules read other lines of
 * the same streams (the node rules' NODE DENY lines), and a @message key would give each of those a row too.
 */
export const APISERVER_FLAG_NEEDS: ServerNeeds = {
  stream: 'apiserver',
  filter: `@message like /FLAG: --(${WATCHED_FLAGS.join('|')})=/`,
  parse: [`@message /^(?<flagLine>.*FLAG: --(${WATCHED_FLAGS.join('|')})=.*)$/`],
  keys: ['@logStream', 'flagLine'],
};

/**
 * An instance prints all its flags within milliseconds. A longer silence on the same stream, or a flag seen
 * twice, means a new start.
 */
const MAX_GAP_MS = 10_000;

/** The kept flags of one start of a program (first line of each). */
export interface FlagStart {
  readonly flags: ReadonlyMap<WatchedFlag, FlagRecord>;
  /** Earliest time of its lines, ISO 8601, when any line could be placed in time. */
  readonly time?: string;
  /** Which program printed the dump, and how that was told (see flag-program.ts). */
  readonly program: StartProgram;
}

interface OpenStart {
  readonly firstLine: FlagRecord;
  readonly names: Set<string>;
  readonly flags: Map<WatchedFlag, FlagRecord>;
  first?: number;
  last?: number;
  time?: string;
}

function flagTime(r: FlagRecord): string | undefined {
  return r.time ?? r.aggregate?.firstSeen ?? r.origin.timestamp;
}

/**
 * Groups FLAG lines into starts: same file, log stream and framing (host, program, pod, container), consecutive,
 * no flag repeated, no long gap.
 */
export class FlagStartTracker {
  private readonly open = new Map<string, OpenStart>();

  constructor(private readonly onStart: (start: FlagStart) => void) {}

  add(r: FlagRecord): void {
    const o = r.origin;
    const key = [o.file, o.logStream, o.host, o.program, o.pod, o.container].map((v) => v ?? '').join('\u0000');
    const name = r.flag.replace(/^-+/, '');
    const time = flagTime(r);
    const parsed = time === undefined ? NaN : Date.parse(time);
    const ms = Number.isNaN(parsed) ? undefined : parsed;
    let cur = this.open.get(key);
    if (cur && (cur.names.has(name) || (ms !== undefined && cur.last !== undefined && Math.abs(ms - cur.last) > MAX_GAP_MS))) {
      this.close(cur);
      cur = undefined;
    }
    if (!cur) {
      cur = { firstLine: r, names: new Set(), flags: new Map() };
      this.open.set(key, cur);
    }
    cur.names.add(name);
    if (WATCHED.has(name)) cur.flags.set(name as WatchedFlag, r);
    if (ms !== undefined) {
      cur.last = ms;
      if (cur.first === undefined || ms < cur.first) {
        cur.first = ms;
        cur.time = time;
      }
    }
  }

  /** Closes every open start. Call once, after the last record. */
  flush(): void {
    for (const cur of this.open.values()) this.close(cur);
    this.open.clear();
  }

  private close(cur: OpenStart): void {
    // A dump without any watched flag (the kubelet's --config alone) is nothing the rules judge.
    if (!WATCHED_FLAGS.some((f) => cur.flags.has(f))) return;
    const program = startProgram(cur.firstLine.origin, cur.names);
    this.onStart(cur.time === undefined ? { flags: cur.flags, program } : { flags: cur.flags, time: cur.time, program });
  }
}

/** `[Node,RBAC]`, `Node,RBAC` or `"[Node,RBAC]"` -> ['Node', 'RBAC']; `[]` -> []. */
export function flagList(value: string): string[] {
  let v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function showList(list: readonly string[]): string {
  return `[${list.join(',')}]`;
}

/** What one start says about authorization and admission; undefined = the line was not in the input. */
export interface StartConfig {
  readonly modes?: string[];
  /** The --authorization-config file, '' when the flag was printed empty (not used). */
  readonly authorizationConfig?: string;
  readonly enable?: string[];
  readonly disable?: string[];
  readonly admissionControl?: string[];
}

export function startConfig(s: FlagStart): StartConfig {
  const list = (f: WatchedFlag) => {
    const r = s.flags.get(f);
    return r ? flagList(r.value) : undefined;
  };
  const authz = s.flags.get('authorization-config');
  return {
    modes: list('authorization-mode'),
    authorizationConfig: authz ? authz.value.replace(/^"(.*)"$/, '$1').trim() : undefined,
    enable: list('enable-admission-plugins'),
    disable: list('disable-admission-plugins'),
    admissionControl: list('admission-control'),
  };
}

/**
 * The mode list, when it can be judged: printed, non-empty, and not replaced by --authorization-config
 * (which makes --authorization-mode print `[]`, so an empty list proves nothing).
 */
export function judgeableModes(c: StartConfig): string[] | undefined {
  if (c.authorizationConfig || !c.modes || c.modes.length === 0) return undefined;
  return c.modes;
}
