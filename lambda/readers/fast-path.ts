import type { AuditFilter } from '../model/records';
import { GO_EVENT_PREFIX, HeadGlance, SEGMENT_FIELDS } from './audit-head';
import { UserSegments } from './user-segments';

/** What the line splitter asks before it decodes a line (see FastPath). */
export interface LineFilter {
  /** The latin1 text of the next bytes whose lines will be offered (a chunk, or a line joined across chunks). */
  text(text: string): void;
  /** True when line [start, end) of the last text was fully handled, so it needs no decoding. */
  line(text: string, start: number, end: number, bytes: Buffer): boolean;
}

/**
 * The fast path of JSON Lines input: a line that is an audit event as the API server writes it (Go's exact
 * opening bytes, a closing brace, and no second event in it) and that no consumer wants is counted through
 * the sink's AuditFilter without being decoded or parsed. Everything else takes the full path.
 *
 * A predicate that read only the caller's segment (user, source IPs, user agent) gives the same answer for
 * every line with that segment, so its answer is kept on the segment: on a kubelet's lease renewal only the
 * predicates about the status code and the object are asked again.
 *
 * The differences from the full path, all about lines the API server never writes: a line that passes these
 * checks, whose head reads as expected but whose tail is corrupt (invalid JSON after responseStatus) is
 * counted as an audit event where the full parse would salvage it as truncated or report it malformed; so is
 * an event with something other than an audit event glued after it (a lost newline before a non-event line);
 * and such a line is trusted to hold Go's keys in Go's order (a head field repeated after the bodies would be
 * missed). CloudWatch's cut ends in `[Truncated...]` (no closing brace), and a lost newline between two events
 * leaves a second event's opening bytes in the line: both take the full path.
 */
export class FastPath implements LineFilter {
  private readonly head = new HeadGlance(new UserSegments());
  private current = '';
  /** Where Go's opening bytes next occur in the current text at or after the last line asked about (-1: none). */
  private nextEvent = -1;

  constructor(private readonly filter: AuditFilter) {}

  text(text: string): void {
    this.current = text;
    this.nextEvent = text.indexOf(GO_EVENT_PREFIX);
  }

  line(text: string, start: number, end: number, bytes: Buffer): boolean {
    // One search per line, for the opening bytes of the next event: it tells whether this line starts with
    // them, and whether a second event hides in it (one line's search is the next line's answer).
    while (this.nextEvent >= 0 && this.nextEvent < start) this.nextEvent = this.current.indexOf(GO_EVENT_PREFIX, this.nextEvent + 1);
    if (this.nextEvent !== start || text.charCodeAt(end - 1) !== 125) return false;
    this.nextEvent = this.current.indexOf(GO_EVENT_PREFIX, start + 1);
    if ((this.nextEvent >= 0 && this.nextEvent < end) || end - start <= GO_EVENT_PREFIX.length) return false;
    const { head, filter } = this;
    head.reset(text, start, end, bytes);
    const segment = head.segment();
    if (!segment) return false;
    const { wants } = filter;
    for (let i = 0; i < wants.length; i++) {
      let answer = segment.answers[i];
      if (answer === undefined) {
        head.read = 0;
        try {
          answer = wants[i]!(head);
        } catch {
          // The full parse runs the rule, and the engine reports it if onAudit throws too.
          return false;
        }
        if (head.bailed) return false;
        if ((head.read & ~SEGMENT_FIELDS) === 0) segment.answers[i] = answer;
      }
      if (answer) return false;
    }
    let kept = segment.kept;
    if (!kept) {
      head.read = 0;
      kept = { value: filter.keep(head) };
      if (head.bailed) return false;
      if ((head.read & ~SEGMENT_FIELDS) === 0) segment.kept = kept;
    }
    // The identity spots the same event read twice, whichever path reads each copy.
    const identity = head.identity();
    if (head.bailed) return false;
    filter.skipped(kept.value, identity);
    return true;
  }
}
