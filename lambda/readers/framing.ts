import { isMultiComponent, knownProgram, programOfPod } from '../model/program';
import { parseKlogHeader } from './text';

/**
 * What people put in front of a log message when they collect it, and what that framing says about who printed
 * it. The message itself (klog, logrus or JSON) is read by message.ts; this finds where it starts.
 *
 * Framings read (each may follow another, up to MAX_LAYERS):
 * - journald, `journalctl` short formats: `Dec 12 11:44:22 host kubelet[123]: `, the month in any locale
 *   (`12月 12 ...`, `déc. 12 ...`), with or without fractions of a second, or ISO (`-o short-iso`);
 * - minikube's problem summary, which puts `- ` before each line it quotes;
 * - multi-pod log tailers: `kubectl logs --prefix` (`[pod/NAME/CONTAINER] `), kubetail (`[POD] `,
 *   `[POD CONTAINER] `) and stern (`POD CONTAINER `, only when a message header follows);
 * - a container runtime's log file (CRI): `2024-05-19T06:10:35.743Z stderr F `.
 * Anything else in front of a klog or logrus header is an unknown prefix: the header is found within the first
 * MAX_PREFIX characters and the prefix is searched for a program name.
 */
export interface Framing {
  /** Offset of the message (its klog header, logrus `time=`/`level=`, or `{`). */
  readonly at: number;
  readonly program?: string;
  readonly programFrom?: 'journald' | 'container' | 'prefix';
  readonly host?: string;
  readonly pod?: string;
  readonly container?: string;
}

/** Framings peeled off one line at most: journald inside a tailer inside minikube's summary is three. */
const MAX_LAYERS = 4;
/** How far into a line an unknown prefix may reach: prefixes are short, and the search must stay cheap. */
export const MAX_PREFIX = 256;

// Month in any locale: a short word, `12月`, `12월`, `déc.`; the day may be space-padded.
const JOURNALD_SHORT = /\S{1,12} {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{1,9})? (\S+) ([^\s:[]+)(?:\[(\d+)\])?: /y;
const JOURNALD_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? (\S+) ([^\s:[]+)(?:\[(\d+)\])?: /y;
const KUBECTL_PREFIX = /\[pod\/([^/\]\s]+)\/([^\]\s]+)\] /y;
const KUBETAIL_PREFIX = /\[([^\]\s]+)(?: ([^\]\s]+))?\] /y;
const STERN_PREFIX = /([^\s[\]]+) ([^\s[\]]+) /y;
const CRI_PREFIX = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) (?:stdout|stderr) [PF] /y;
// What is left of a CRI line once a file reader took its timestamp (an S3-export-like prefix).
const CRI_STREAM = /(?:stdout|stderr) [PF] /y;
// A klog header anywhere (checked in full by parseKlogHeader), a logrus line's first key, `name[pid]:`.
const KLOG_START = /[IWEF]\d{4} \d\d:\d\d:\d\d\.\d/g;
const IDENT_PID = /([A-Za-z][\w.-]*)\[\d+\]:?$/;

/** True when a message this reader knows starts at `p`. */
export function messageStartsAt(text: string, p: number): boolean {
  const c = text.charCodeAt(p);
  if (c === 123 /* { */) return true;
  if (c === 116 /* t */ || c === 108 /* l */) return text.startsWith('time=', p) || text.startsWith('level=', p);
  return parseKlogHeader(text, p) !== undefined;
}

interface Found {
  program?: string;
  programFrom?: 'journald' | 'container' | 'prefix';
  host?: string;
  pod?: string;
  container?: string;
}

/**
 * The framing in front of the message in `text` from `start`, or undefined when no message was found behind
 * one. Called only for lines that are not a bare message.
 */
export function frameOf(text: string, start: number): Framing | undefined {
  const found: Found = {};
  let p = start;
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const next = peel(text, p, found);
    if (next < 0) break;
    p = skipSpaces(text, next);
    if (messageStartsAt(text, p)) return framing(p, found);
  }
  const at = findMessage(text, p);
  if (at < 0) return undefined;
  if (found.program === undefined) nameFromPrefix(text.slice(p, at), found);
  return framing(at, found);
}

function framing(at: number, f: Found): Framing {
  return { at, ...f };
}

function skipSpaces(text: string, p: number): number {
  while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
  return p;
}

/** Peels one framing at `p`: the offset after it, or -1. */
function peel(text: string, p: number, found: Found): number {
  const c = text.charCodeAt(p);
  if (c === 45 /* - */ && text.charCodeAt(p + 1) === 32) return p + 2;
  if (c === 91 /* [ */) return tailerBrackets(text, p, found);
  let m = sticky(JOURNALD_ISO, text, p) ?? sticky(CRI_PREFIX, text, p);
  if (m && m.regex === CRI_PREFIX) return m.end;
  const cri = sticky(CRI_STREAM, text, p);
  if (cri) return cri.end;
  m ??= sticky(JOURNALD_SHORT, text, p);
  if (m) {
    const [, host, ident] = m.match;
    if (host !== undefined) found.host = host;
    if (ident !== undefined) {
      const program = knownProgram(ident);
      // A later, nearer framing (a container) says more than the host's journald identifier (containerd).
      found.program = program ?? ident;
      found.programFrom = 'journald';
    }
    return m.end;
  }
  const stern = sticky(STERN_PREFIX, text, p);
  if (stern && messageStartsAt(text, skipSpaces(text, stern.end))) {
    container(found, stern.match[1]!, stern.match[2]);
    return stern.end;
  }
  return -1;
}

function tailerBrackets(text: string, p: number, found: Found): number {
  const kubectl = sticky(KUBECTL_PREFIX, text, p);
  if (kubectl) {
    container(found, kubectl.match[1]!, kubectl.match[2]);
    return kubectl.end;
  }
  const kubetail = sticky(KUBETAIL_PREFIX, text, p);
  if (!kubetail) return -1;
  container(found, kubetail.match[1]!, kubetail.match[2]);
  return kubetail.end;
}

/** A pod and container from a tailer: the container names the program, else a static pod's name does. */
function container(found: Found, pod: string, name: string | undefined): void {
  found.pod = pod;
  if (name !== undefined) found.container = name;
  const program = (name !== undefined ? knownProgram(name) : undefined) ?? programOfPod(pod);
  if (program) {
    found.program = program;
    found.programFrom = 'container';
  } else if (name !== undefined && isMultiComponent(name)) {
    found.program = name;
    found.programFrom = 'container';
  }
}

function sticky(regex: RegExp, text: string, p: number): { regex: RegExp; match: RegExpExecArray; end: number } | undefined {
  regex.lastIndex = p;
  const match = regex.exec(text);
  return match ? { regex, match, end: regex.lastIndex } : undefined;
}

/**
 * Offset of a klog header or a logrus line that starts a word within MAX_PREFIX characters of `p`, or -1.
 * Bounded: one regex pass and two searches over at most MAX_PREFIX characters.
 */
function findMessage(text: string, p: number): number {
  const window = text.slice(p, p + MAX_PREFIX + 40);
  KLOG_START.lastIndex = 0;
  let best = -1;
  for (let m = KLOG_START.exec(window); m && m.index <= MAX_PREFIX; m = KLOG_START.exec(window)) {
    if (startsWord(window, m.index) && parseKlogHeader(text, p + m.index)) {
      best = m.index;
      break;
    }
  }
  for (const key of [' time="', ' level=']) {
    const i = window.indexOf(key);
    if (i >= 0 && i + 1 <= MAX_PREFIX && (best < 0 || i + 1 < best)) best = i + 1;
  }
  return best < 0 ? -1 : p + best;
}

function startsWord(s: string, i: number): boolean {
  if (i === 0) return true;
  const c = s.charCodeAt(i - 1);
  return c === 32 || c === 9 || c === 93 /* ] */ || c === 58 /* : */ || c === 124 /* | */;
}

/** The program an unknown prefix names: `name[pid]:`, a program's name, or a static pod's name, as a word. */
function nameFromPrefix(prefix: string, found: Found): void {
  const words = prefix.split(/[\s|]+/).filter((w) => w !== '');
  for (const raw of words) {
    const word = raw.replace(/^[[(]+|[\]):,]+$/g, '');
    const ident = IDENT_PID.exec(raw)?.[1];
    const program = knownProgram(ident ?? word) ?? programOfPod(word);
    if (program) {
      found.program = program;
      found.programFrom = 'prefix';
      return;
    }
    if (ident !== undefined && isMultiComponent(ident)) {
      found.program = ident;
      found.programFrom = 'prefix';
      return;
    }
  }
}
