import type { AuditFilter } from '../core/records';
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
 * opening bytes, a closing brace, and no sign of two events run together) and that no consumer wants is
 * counted through the sink's AuditFilter without being decoded or parsed. Everything else takes the full path.
 *
 * A predicate that read only the caller's segment (user, source IPs, user agent) gives the same answer for
 * every line with that segment, so its answer is kept on the segment: on a kubelet's lease renewal only the
 * predicates about the status code and the object are asked again.
 *
 * The differences from the full path, both about lines the API server never writes: a line that passes
 * these checks, whose head reads as expected but whose tail is corrupt (invalid JSON after responseStatus,
 * with no `}{` or `]{` in it), is counted as an audit event where the full parse would salvage it as
 * truncated or report it malformed; and such a line is trusted to hold Go's keys in Go's order (a head field
 * repeated after the bodies would be missed). CloudWatch's cut ends in `[Truncated...]` (no closing brace)
 * and a lost newline leaves `}{` or, after a cut event, `]{`: both take the full path.
 */
export class FastPath implements LineFilter {
  private readonly head = new HeadGlance(new UserSegments());
  private current = '';
  /** Next index of `}{` / `]{` in the current text at or after the last line asked about, -1 if none. */
  private glue = -1;
  private cutGlue = -1;

  constructor(private readonly filter: AuditFilter) {}

  text(text: string): void {
    this.current = text;
    this.glue = text.indexOf('}{');
    this.cutGlue = text.indexOf(']{');
  }

  line(text: string, start: number, end: number, bytes: Buffer): boolean {
    const prefixEnd = start + GO_EVENT_PREFIX.length;
    if (prefixEnd >= end || text.charCodeAt(end - 1) !== 125 || text.slice(start, prefixEnd) !== GO_EVENT_PREFIX) return false;
    if (this.glued(start, end)) return false;
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
    filter.skipped(kept.value);
    return true;
  }

  /** Two events on one line: a lost newline. Found per text, then walked along with the lines. */
  private glued(start: number, end: number): boolean {
    const text = this.current;
    while (this.glue >= 0 && this.glue < start) this.glue = text.indexOf('}{', this.glue + 1);
    while (this.cutGlue >= 0 && this.cutGlue < start) this.cutGlue = text.indexOf(']{', this.cutGlue + 1);
    return (this.glue >= 0 && this.glue < end) || (this.cutGlue >= 0 && this.cutGlue < end);
  }
}
