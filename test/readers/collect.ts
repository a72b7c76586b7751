import type { LogRecord, MalformedLine, RecordSink } from '../../lambda/model/records';

/** Everything a reader pushed, in order: what the tests assert on. */
export type Pushed =
  | { readonly type: 'file'; readonly name: string }
  | { readonly type: 'record'; readonly record: LogRecord }
  | { readonly type: 'malformed'; readonly line: MalformedLine };

export class CollectingSink implements RecordSink {
  readonly pushed: Pushed[] = [];

  file(name: string): void {
    this.pushed.push({ type: 'file', name });
  }

  record(record: LogRecord): void {
    this.pushed.push({ type: 'record', record });
  }

  malformed(line: MalformedLine): void {
    this.pushed.push({ type: 'malformed', line });
  }

  get files(): string[] {
    return this.pushed.flatMap((p) => (p.type === 'file' ? [p.name] : []));
  }

  get records(): LogRecord[] {
    return this.pushed.flatMap((p) => (p.type === 'record' ? [p.record] : []));
  }

  get malformedLines(): MalformedLine[] {
    return this.pushed.flatMap((p) => (p.type === 'malformed' ? [p.line] : []));
  }

  /** `kind@line` for records and `malformed@line` for malformed lines, in order: a compact shape to compare. */
  get outline(): string[] {
    return this.pushed.flatMap((p) =>
      p.type === 'record' ? [`${p.record.kind}@${p.record.origin.line}`] : p.type === 'malformed' ? [`malformed@${p.line.line}`] : [],
    );
  }
}
