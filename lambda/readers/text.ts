/**
 * The text formats of the control plane: klog (kube-apiserver and friends, optionally behind a journald
 * prefix) and logrus key=value (aws-iam-authenticator). Pure string functions, no records: message.ts
 * decides what each line becomes.
 */

/** A klog header: `I1001 04:09:41.141998      10 flags.go:64] `. */
export interface KlogHeader {
  /** I, W, E or F. */
  readonly severity: string;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Fraction of the second as printed (klog prints microseconds). */
  readonly fraction: string;
  /** Offset of the message after `] `. */
  readonly messageStart: number;
}

const KLOG = /[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)\s+\d+ \S+:\d+\] /y;

// `Apr 12 02:23:51 server kube-apiserver[2401]: ` (journalctl short format; the day is space-padded).
const JOURNALD = /[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d \S+ [^\s:[]+(?:\[\d+\])?: /y;

function isKlogSeverity(c: number): boolean {
  return c === 73 /* I */ || c === 87 /* W */ || c === 69 /* E */ || c === 70 /* F */;
}

/** The klog header at `start`, or undefined. A charCode check rejects most other lines before the regex runs. */
export function parseKlogHeader(line: string, start = 0): KlogHeader | undefined {
  if (!isKlogSeverity(line.charCodeAt(start)) || line.charCodeAt(start + 5) !== 32) return undefined;
  KLOG.lastIndex = start;
  const m = KLOG.exec(line);
  if (!m) return undefined;
  return {
    severity: line.charAt(start),
    month: Number(m[1]),
    day: Number(m[2]),
    hour: Number(m[3]),
    minute: Number(m[4]),
    second: Number(m[5]),
    fraction: m[6] ?? '',
    messageStart: KLOG.lastIndex,
  };
}

/** Length of a journald `Mon DD HH:MM:SS host unit[pid]: ` prefix at the start of `line`, or 0. */
export function journaldPrefixLength(line: string): number {
  const c = line.charCodeAt(0);
  if (c < 65 || c > 90 || line.charCodeAt(3) !== 32) return 0;
  JOURNALD.lastIndex = 0;
  return JOURNALD.exec(line) ? JOURNALD.lastIndex : 0;
}

/** A parsed `FLAG: --name="value"` message (klog flags.go). */
export interface Flag {
  readonly name: string;
  readonly value: string;
}

/** Reads `FLAG: --name="value"` at `start`; the value is Go-unquoted (`%q`), or kept raw if it is not quoted. */
export function parseFlag(line: string, start: number): Flag | undefined {
  if (!line.startsWith('FLAG: --', start)) return undefined;
  const nameStart = start + 8;
  const eq = line.indexOf('=', nameStart);
  if (eq <= nameStart) return undefined;
  const name = line.slice(nameStart, eq);
  if (/\s/.test(name)) return undefined;
  const raw = line.slice(eq + 1).trimEnd();
  const value = raw.startsWith('"') ? (goUnquote(raw) ?? raw) : raw;
  return { name, value };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

/**
 * Undoes Go's strconv.Quote (what `%q` and logrus print): `"a \"b\"\n"` -> `a "b"` + newline.
 * Returns undefined when `quoted` is not one well-formed Go string literal.
 */
export function goUnquote(quoted: string): string | undefined {
  const n = quoted.length;
  if (n < 2 || quoted.charCodeAt(0) !== 34 || quoted.charCodeAt(n - 1) !== 34) return undefined;
  const body = quoted.slice(1, -1);
  if (!body.includes('\\')) return body.includes('"') ? undefined : body;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body.charAt(i);
    if (ch === '"') return undefined;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = body.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const octal = e >= '0' && e <= '7';
    const start = octal ? i + 1 : i + 2;
    const count = octal ? 3 : e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (count === 0) return undefined;
    const digits = body.slice(start, start + count);
    if (digits.length !== count || !(octal ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/).test(digits)) return undefined;
    const code = parseInt(digits, octal ? 8 : 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    out += String.fromCodePoint(code);
    i = start + count;
  }
  return out;
}

/** End (exclusive) of the Go-quoted string opening at `start`, or -1 when it never closes. */
function quotedEnd(line: string, start: number): number {
  let i = start + 1;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return -1;
}

/**
 * Parses a logrus text line `time="..." level=info msg="access granted" arn="..." groups="[system:nodes]"`
 * into its key=value pairs (quoted values unescaped). Undefined unless the whole line is key=value pairs
 * with a `level` or a `msg`: a line that only looks similar is not an authenticator line.
 */
export function parseLogrus(line: string): Record<string, string> | undefined {
  const entries: [string, string][] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c === 61 /* = */ || c === 32 || c === 9 || c === 34) break;
      i++;
    }
    if (i === keyStart || line.charCodeAt(i) !== 61) return undefined;
    const key = line.slice(keyStart, i);
    i++;
    let value: string;
    if (line.charCodeAt(i) === 34) {
      const end = quotedEnd(line, i);
      if (end < 0) return undefined;
      const raw = line.slice(i, end);
      value = goUnquote(raw) ?? raw.slice(1, -1);
      i = end;
      const next = line.charCodeAt(i);
      if (i < n && next !== 32 && next !== 9) return undefined;
    } else {
      const valueStart = i;
      while (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
      value = line.slice(valueStart, i);
    }
    entries.push([key, value]);
  }
  // fromEntries defines own properties, so a `__proto__=x` key is kept as data, not as a prototype.
  const fields = Object.fromEntries(entries) as Record<string, string>;
  return Object.hasOwn(fields, 'level') || Object.hasOwn(fields, 'msg') ? fields : undefined;
}
