import type { AuditEvent, AuditUser, ObjectRef, ResponseStatus } from '../model/records';

/**
 * Salvage of audit events that CloudWatch cut (events over its size limit lose their tail, often ending in
 * `[Truncated...]`, and no longer parse). Other tools drop them; a cut lease 403 is still a lease 403.
 *
 * The text is walked as JSON structure, not searched with regexes: keys repeat at different depths
 * (`name` is in objectRef and in requestObject.metadata), so only the structure says which is which.
 * The walk keeps every value that was complete before the cut and stops at the first byte that is not
 * valid JSON. A string or number that runs into the cut is dropped: its end is unknown.
 */

const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

type Container = Record<string, unknown> | unknown[];

interface Frame {
  readonly container: Container;
  /** The key whose value comes next (objects only). */
  key: string | undefined;
  /** What the next token must be. */
  expect: 'key' | 'colon' | 'value' | 'comma';
}

/** The partial value tree and the containers whose closing bracket was seen. */
export interface PartialJson {
  readonly value: unknown;
  readonly complete: ReadonlySet<object>;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A `__proto__` key must stay data: plain assignment would change the object's prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Reads the JSON string opening at `i`: [value, end] or undefined when it is cut or badly escaped. */
function readString(text: string, i: number): [string, number] | undefined {
  let j = i + 1;
  let escaped = false;
  for (;;) {
    if (j >= text.length) return undefined;
    const c = text.charCodeAt(j);
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      j += 2;
    } else j++;
  }
  if (!escaped) return [text.slice(i + 1, j), j + 1];
  try {
    return [JSON.parse(text.slice(i, j + 1)) as string, j + 1];
  } catch {
    return undefined;
  }
}

/** A byte that may follow a number or literal: anything else means the token was cut or is garbage. */
function endsToken(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Reads a number or literal at `i`; undefined when it is invalid or not followed by a delimiter (`"code":2`
 * cut from 200 and followed by `[Truncated...]` must not read as 2).
 */
function readScalar(text: string, i: number): [unknown, number] | undefined {
  let value: unknown;
  let end: number;
  if (text.startsWith('true', i)) [value, end] = [true, i + 4];
  else if (text.startsWith('false', i)) [value, end] = [false, i + 5];
  else if (text.startsWith('null', i)) [value, end] = [null, i + 4];
  else {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return undefined;
    [value, end] = [Number(m[0]), NUMBER.lastIndex];
  }
  return endsToken(text.charCodeAt(end)) ? [value, end] : undefined;
}

/** Parses as much of `text` as is valid JSON. Never throws. */
export function parsePartialJson(text: string): PartialJson {
  const complete = new Set<object>();
  const stack: Frame[] = [];
  let root: unknown;
  let i = skipWs(text, 0);

  const place = (value: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (Array.isArray(top.container)) top.container.push(value);
    else setKey(top.container, top.key ?? '', value);
    if (top) top.expect = 'comma';
  };

  while (i < text.length) {
    const top = stack[stack.length - 1];
    const c = text.charCodeAt(i);
    if (top && top.expect === 'comma') {
      if (c === 44 /* , */) {
        top.expect = Array.isArray(top.container) ? 'value' : 'key';
        i = skipWs(text, i + 1);
        continue;
      }
      if (c !== (Array.isArray(top.container) ? 93 : 125)) break;
    }
    if (top && (c === 93 /* ] */ || c === 125 /* } */)) {
      // Closing is valid after a value, or right after the opening bracket.
      const isArray = Array.isArray(top.container);
      if (c !== (isArray ? 93 : 125)) break;
      const empty = isArray ? (top.container as unknown[]).length === 0 : Object.keys(top.container).length === 0;
      if (top.expect !== 'comma' && !(empty && top.expect === (isArray ? 'value' : 'key'))) break;
      complete.add(top.container);
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) parent.expect = 'comma';
      i = skipWs(text, i + 1);
      if (stack.length === 0) break;
      continue;
    }
    if (top && top.expect === 'key') {
      if (c !== 34) break;
      const s = readString(text, i);
      if (!s) break;
      top.key = s[0];
      top.expect = 'colon';
      i = skipWs(text, s[1]);
      continue;
    }
    if (top && top.expect === 'colon') {
      if (c !== 58 /* : */) break;
      top.expect = 'value';
      i = skipWs(text, i + 1);
      continue;
    }
    // A value.
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (stack.length >= MAX_DEPTH) break;
      const container: Container = c === 123 ? {} : [];
      place(container);
      stack.push({ container, key: undefined, expect: c === 123 ? 'key' : 'value' });
      i = skipWs(text, i + 1);
      continue;
    }
    const scalar = c === 34 ? readString(text, i) : readScalar(text, i);
    if (!scalar) break;
    place(scalar[0]);
    i = skipWs(text, scalar[1]);
    if (stack.length === 0) break;
  }
  return { value: root, complete };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Copies the string fields `keys` of `from` into `to` (when present and strings). */
function copyStrings<T extends object>(to: T, from: Record<string, unknown>, keys: readonly (keyof T & string)[]): void {
  for (const k of keys) {
    const v = from[k];
    if (typeof v === 'string') (to as Record<string, unknown>)[k] = v;
  }
}

const TOP_STRINGS = [
  'kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'userAgent',
  'requestReceivedTimestamp', 'stageTimestamp',
] as const;
const OBJECT_REF_STRINGS = ['resource', 'namespace', 'name', 'subresource', 'apiGroup', 'apiVersion'] as const;

function salvageUser(u: unknown): AuditUser | undefined {
  if (!isObject(u)) return undefined;
  const user: AuditUser = {};
  copyStrings(user, u, ['username', 'uid']);
  const groups = strings(u['groups']);
  if (groups) user.groups = groups;
  const extra = u['extra'];
  if (isObject(extra)) {
    const arn = strings(extra['canonicalArn']);
    if (arn && arn.length > 0) user.extra = { canonicalArn: arn };
  }
  return user;
}

/**
 * The fields the rules read, from a cut audit event, or undefined when it is not one or when neither
 * the user nor the verb survived (too little to judge anything).
 */
export function salvageAuditEvent(text: string): AuditEvent | undefined {
  const { value, complete } = parsePartialJson(text);
  if (!isObject(value)) return undefined;
  const event: AuditEvent = {};
  copyStrings(event, value, TOP_STRINGS);
  const user = salvageUser(value['user']);
  if (user) event.user = user;
  const ips = strings(value['sourceIPs']);
  if (ips) event.sourceIPs = ips;
  const ref = value['objectRef'];
  if (isObject(ref)) {
    const objectRef: ObjectRef = {};
    copyStrings(objectRef, ref, OBJECT_REF_STRINGS);
    event.objectRef = objectRef;
  }
  const rs = value['responseStatus'];
  if (isObject(rs)) {
    const status: ResponseStatus = {};
    if (typeof rs['code'] === 'number') status.code = rs['code'];
    copyStrings(status, rs, ['status', 'reason', 'message']);
    event.responseStatus = status;
  }
  const annotations = value['annotations'];
  if (isObject(annotations)) {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(annotations)) if (typeof v === 'string') setKey(kept, k, v);
    event.annotations = kept;
  }
  // A half-read object would look like a request that lacked the cut fields: keep whole ones only.
  for (const key of ['requestObject', 'responseObject'] as const) {
    const body = value[key];
    if (!isObject(body) && !Array.isArray(body)) {
      if (body !== undefined) event[key] = body;
    } else if (complete.has(body)) event[key] = body;
  }
  const username = event.user?.username;
  if (typeof event.verb !== 'string' && typeof username !== 'string') return undefined;
  return event;
}
