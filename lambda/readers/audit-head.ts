import { IdentityHash } from '../model/audit-identity';
import type { AuditHead, AuditUser, ObjectRef, ResponseStatus } from '../model/records';
import type { LineText } from './json-text';
import { UNREADABLE, isKeyAt, keyAt, stringAt, stringEnd } from './json-text';
import { ObjectRefGlance } from './object-ref-glance';
import type { Segment, UserSegments } from './user-segments';

/** Go's encoding/json starts every audit.k8s.io/v1 Event it prints with exactly these bytes. */
export const GO_EVENT_PREFIX = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"';

/** The string fields Go prints between the prefix and the user, in its order. */
const PREFIX_FIELDS: readonly string[] = ['level', 'auditID', 'stage', 'requestURI', 'verb'];
/** Keys Go prints after responseStatus: if one comes first, the event has no objectRef or no responseStatus. */
const AFTER_STATUS = new Set(['requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);
const USER_KEY = ',"user":';
const OBJECT_REF_KEY = ',"objectRef":{';
const STATUS_KEY = ',"responseStatus":';
const COMMON_STATUS = ',"responseStatus":{"metadata":{},"code":';
const COMMON_BODY = '{"metadata":{},"code":';
/** The two timestamps Go prints, together, after the bodies and before the annotations. */
const RECEIVED_KEY = ',"requestReceivedTimestamp":"';
const STAGE_KEY = ',"stageTimestamp":"';
const ANNOTATIONS_KEY = ',"annotations":{';
const AUDIT_ID_KEY = ',"auditID":"';
const STAGE_FIELD_KEY = ',"stage":"';
/** One hasher for every line (identity() is synchronous). */
const IDENTITY = new IdentityHash();

/**
 * `{"metadata":{},"code":` at `at` (with `skip` characters of `"status":"Success",` before `"code"`), told by
 * its punctuation and letters: the line is known to be Go's.
 */
function isCommonBody(text: string, at: number, skip: number): boolean {
  return (
    text.charCodeAt(at) === 123 && text.charCodeAt(at + 2) === 109 /* m */ && text.charCodeAt(at + 12) === 123 &&
    text.charCodeAt(at + 13) === 125 && text.charCodeAt(at + skip + 16) === 99 /* c */ && text.charCodeAt(at + skip + COMMON_BODY.length - 1) === 58
  );
}

/** What a successful delete or eviction gets after the empty metadata: `"status":"Success",`. */
const SUCCESS = '"status":"Success",';

/** One frozen object per status code (and Success): predicates only read it, and lines share a handful. */
const STATUSES = new Map<number, ResponseStatus>();
function statusOf(code: number, success: boolean): ResponseStatus {
  const key = success ? -code : code;
  let status = STATUSES.get(key);
  if (!status) STATUSES.set(key, (status = Object.freeze(success ? { status: 'Success', code } : { code })));
  return status;
}

/** Bits of HeadGlance.read: which parts of the line a predicate looked at. */
const PREFIX_READ = 1;
const SEGMENT_READ = 2;
const OBJECT_REF_READ = 4;
const STATUS_READ = 8;
/** The fields that come from the caller's segment (user, impersonatedUser, sourceIPs, userAgent). */
export const SEGMENT_FIELDS = SEGMENT_READ;

/**
 * A look at the head of one audit event line, read lazily: each field is found when a wants() predicate
 * first asks for it, and only as far as it asks (most lines are decided by the user segment, cached per
 * caller, and the status code). Shapes other than Go's usual ones are not guessed at: the glance gives up
 * (`bailed`) and the caller parses the line in full. The line starts with GO_EVENT_PREFIX and ends with `}`.
 * One instance serves every line (reset()): predicates must not keep it.
 */
export class HeadGlance implements AuditHead, LineText {
  text = '';
  bytes: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  /** The line is not shaped as expected: what the glance returned may be wrong, parse the line in full. */
  bailed = false;
  /** The parts read since it was last set to 0 (a bit each: prefix fields, segment, objectRef, status). */
  read = 0;
  private userOpen = -2;
  private seg: Segment | undefined | null = null;
  private segEnd = -1;
  private hasRef: boolean | null = null;
  private readonly ref: ObjectRefGlance;
  private status: ResponseStatus | undefined | null = null;
  /** Where `,"requestReceivedTimestamp":"` starts when the status read found it right after responseStatus, else -1. */
  private receivedAt = -1;
  private strings: (string | undefined)[] | undefined;

  constructor(private readonly segments: UserSegments) {
    this.ref = new ObjectRefGlance(this, () => this.bail());
  }

  reset(text: string, start: number, end: number, bytes: Buffer): void {
    this.text = text;
    this.start = start;
    this.end = end;
    this.bytes = bytes;
    this.bailed = false;
    this.userOpen = -2;
    this.seg = null;
    this.hasRef = null;
    this.status = null;
    this.receivedAt = -1;
    this.strings = undefined;
  }

  get kind(): string {
    return 'Event';
  }
  get apiVersion(): string {
    return 'audit.k8s.io/v1';
  }
  get level(): string | undefined {
    return this.prefixField(0);
  }
  get auditID(): string | undefined {
    return this.prefixField(1);
  }
  get stage(): string | undefined {
    return this.prefixField(2);
  }
  get requestURI(): string | undefined {
    return this.prefixField(3);
  }
  get verb(): string | undefined {
    return this.prefixField(4);
  }
  get user(): AuditUser | undefined {
    this.read |= SEGMENT_READ;
    return this.segment()?.user;
  }
  get impersonatedUser(): AuditUser | undefined {
    this.read |= SEGMENT_READ;
    return this.segment()?.impersonatedUser;
  }
  get sourceIPs(): string[] | undefined {
    this.read |= SEGMENT_READ;
    return this.segment()?.sourceIPs;
  }
  get userAgent(): string | undefined {
    this.read |= SEGMENT_READ;
    return this.segment()?.userAgent;
  }

  get objectRef(): ObjectRef | undefined {
    this.read |= OBJECT_REF_READ;
    if (this.hasRef === null) {
      this.hasRef = false;
      const at = this.segment() ? this.segEnd : -1;
      const { text } = this;
      if (at < 0) return undefined;
      if (isKeyAt(text, at, 'objectRef') && text.charCodeAt(at + OBJECT_REF_KEY.length - 1) === 123) {
        this.ref.reset(at + OBJECT_REF_KEY.length - 1);
        this.hasRef = true;
      } else if (!this.laterKey(at, true)) this.bail();
    }
    return this.hasRef ? this.ref : undefined;
  }

  get responseStatus(): ResponseStatus | undefined {
    this.read |= STATUS_READ;
    if (this.status !== null) return this.status;
    this.status = undefined;
    const at = this.objectRef ? this.ref.end() : this.segEnd;
    if (at < 0 || this.bailed) return this.bail();
    const { text } = this;
    // `{"metadata":{},"code":200}` is what nearly every request gets; anything else (a failure's message and
    // details) is left to the full parse.
    if (!isKeyAt(text, at, 'responseStatus')) {
      // No responseStatus at all (a RequestReceived event) only if a key Go prints later comes next.
      if (!this.laterKey(at, false)) this.bail();
      return undefined;
    }
    // `{"metadata":{},` then the code, or `"status":"Success",` then the code.
    const body = at + STATUS_KEY.length;
    const success = text.charCodeAt(body + 16) === 115 /* s */ && text.slice(body + 15, body + 15 + SUCCESS.length) === SUCCESS;
    if (!isCommonBody(text, body, success ? SUCCESS.length : 0)) return this.bail();
    let i = at + COMMON_STATUS.length + (success ? SUCCESS.length : 0);
    const first = i;
    let code = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57 && i - first < 4; c = text.charCodeAt(++i)) code = code * 10 + c - 48;
    if (i === first || text.charCodeAt(i) !== 125 || !this.laterKey(i + 1, false)) return this.bail();
    // No body between the status and the timestamps (most events): identity() need not search for them.
    if (text.startsWith(RECEIVED_KEY, i + 1)) this.receivedAt = i + 1;
    return (this.status = statusOf(code, success));
  }

  /**
   * At `at` comes the end of the event, or a key Go prints after responseStatus (or responseStatus itself,
   * when `orStatus`): what may follow the segment, objectRef or responseStatus.
   */
  private laterKey(at: number, orStatus: boolean): boolean {
    const { text } = this;
    if (text.charCodeAt(at) === 125) return at === this.end - 1;
    if (isKeyAt(text, at, 'requestReceivedTimestamp') || isKeyAt(text, at, 'requestObject')) return true;
    const key = keyAt(this, at)?.key;
    return key !== undefined && (AFTER_STATUS.has(key) || (orStatus && key === 'responseStatus'));
  }

  /**
   * The event's identity (model/audit-identity.ts), exactly as the full parse computes it, or undefined when its
   * auditID is empty; hashed in place from the line's text. auditID and stage are the two fields Go prints right
   * after level; the timestamps come after the bodies, where Go prints them: right after the responseStatus the
   * status read found (most events), else the last `,"requestReceivedTimestamp":"` of the line; either followed by
   * `,"stageTimestamp":"` and then the end of the event or the annotations. A body before them cannot be taken for
   * them (it comes first); annotations after them cannot (the event would not end right after them). Any other
   * shape, and any value that is not plain printable ASCII (an escape, which the full parse would decode), bails:
   * the full parse decides.
   */
  identity(): number | undefined {
    const { text, start, end } = this;
    const levelClose = stringEnd(this, start + GO_EVENT_PREFIX.length - 1);
    if (levelClose < 0 || !text.startsWith(AUDIT_ID_KEY, levelClose + 1)) return this.bail();
    const idOpen = levelClose + 1 + AUDIT_ID_KEY.length;
    const idClose = stringEnd(this, idOpen - 1);
    if (idClose < 0 || !text.startsWith(STAGE_FIELD_KEY, idClose + 1)) return this.bail();
    const stageOpen = idClose + 1 + STAGE_FIELD_KEY.length;
    const stageClose = stringEnd(this, stageOpen - 1);
    const received = this.receivedAt >= 0 ? this.receivedAt : text.lastIndexOf(RECEIVED_KEY, end);
    if (stageClose < 0 || received <= stageClose) return this.bail();
    const receivedOpen = received + RECEIVED_KEY.length;
    const receivedClose = stringEnd(this, receivedOpen - 1);
    if (receivedClose < 0 || !text.startsWith(STAGE_KEY, receivedClose + 1)) return this.bail();
    const stagedOpen = receivedClose + 1 + STAGE_KEY.length;
    const stagedClose = stringEnd(this, stagedOpen - 1);
    if (stagedClose < 0 || !(stagedClose + 2 === end || text.startsWith(ANNOTATIONS_KEY, stagedClose + 1))) return this.bail();
    if (idClose === idOpen) return undefined;
    const hash = IDENTITY.reset();
    const plain =
      hash.addPlain(text, idOpen, idClose) && hash.addPlain(text, stageOpen, stageClose) && hash.addPlain(text, stagedOpen, stagedClose);
    return plain ? hash.value() : this.bail();
  }

  /** The caller's segment (user ... userAgent), parsed or recognised; undefined (bailed) when unreadable. */
  segment(): Segment | undefined {
    if (this.seg !== null) return this.seg;
    const open = this.userObject();
    this.seg = open < 0 ? undefined : this.segments.read(this, open);
    this.segEnd = this.seg ? this.segments.end : -1;
    if (!this.seg) this.bail();
    return this.seg;
  }

  /**
   * Where the user object opens: the first `{` after the prefix that follows `,"user":`. A `{` inside the
   * request URI cannot be preceded by `,"user":` (its quotes would be escaped).
   */
  private userObject(): number {
    if (this.userOpen !== -2) return this.userOpen;
    const { text, start, end } = this;
    let at = text.indexOf('{', start + GO_EVENT_PREFIX.length);
    while (at >= 0 && at < end && !text.startsWith(USER_KEY, at - USER_KEY.length)) at = text.indexOf('{', at + 1);
    return (this.userOpen = at >= 0 && at < end ? at : -1);
  }

  /** level ... verb: walked once, when the first of them is asked for. */
  private prefixField(i: number): string | undefined {
    this.read |= PREFIX_READ;
    this.strings ??= this.walkPrefix();
    return this.strings[i];
  }

  private walkPrefix(): (string | undefined)[] {
    const values: (string | undefined)[] = [];
    const user = this.userObject();
    let key = 'level';
    let at = this.start + GO_EVENT_PREFIX.length - 1;
    while (at !== user) {
      const index = PREFIX_FIELDS.indexOf(key);
      const close = stringEnd(this, at);
      const value = index < 0 || close < 0 ? UNREADABLE : stringAt(this, at, close);
      const next = value === UNREADABLE ? undefined : keyAt(this, close + 1);
      if (!next || user < 0 || (next.key === 'user' && next.value !== user)) {
        this.bail();
        return [];
      }
      values[index] = value as string;
      key = next.key;
      at = next.value;
    }
    return values;
  }

  private bail(): undefined {
    this.bailed = true;
    return undefined;
  }
}
