import { describe, expect, it } from 'vitest';
import { JsonDocumentScanner } from '../../lambda/readers/json-document';

type Seen = (string | number | object)[];

function scan(chunks: readonly string[], max = 10_000): { seen: Seen[]; handoff: string | undefined } {
  const seen: Seen[] = [];
  let handoff: string | undefined;
  const scanner = new JsonDocumentScanner(
    {
      element: (kind, text, line, doc) => seen.push(['element', kind, JSON.parse(text) as object, line, doc]),
      document: (text, line) => seen.push(['document', text, line]),
      cutDocument: (text, line) => seen.push(['cut', text, line]),
      malformed: (line, reason) => seen.push(['malformed', line, reason]),
    },
    max,
  );
  for (const c of chunks) {
    const buf = Buffer.from(c);
    if (handoff !== undefined) {
      handoff += c;
      continue;
    }
    const at = scanner.push(buf);
    if (at >= 0) handoff = buf.subarray(at).toString();
  }
  if (handoff === undefined) scanner.end();
  return { seen, handoff };
}

/** The same text cut into single bytes (strings of one UTF-16 unit here: the tests use ASCII). */
function bytewise(text: string): string[] {
  return [...text];
}

describe('JsonDocumentScanner', () => {
  it('cuts out each element of a top-level array with the line it starts on', () => {
    // Prepare
    const text = '[\n  {"@message": {"a": "x\\"]"}},\n  {"@message": "b"}\n]\n';

    // Act
    const { seen } = scan([text]);

    // Assess
    expect(seen).toEqual([
      ['element', 'export', { '@message': { a: 'x"]' } }, 2, {}],
      ['element', 'export', { '@message': 'b' }, 3, {}],
    ]);
  });

  it('finds the wrapper array of a top-level object and the fields before it', () => {
    // Prepare
    const text = JSON.stringify(
      { messageType: 'DATA_MESSAGE', logStream: 's-1', subscriptionFilters: ['f'], logEvents: [{ id: '1', message: 'm1' }, { id: '2', message: 'm2' }], after: 1 },
      null,
      2,
    );

    // Act
    const { seen } = scan([text]);

    // Assess
    const doc = { messageType: 'DATA_MESSAGE', logStream: 's-1', subscriptionFilters: ['f'] };
    expect(seen).toEqual([
      ['element', 'logEvents', { id: '1', message: 'm1' }, 8, doc],
      ['element', 'logEvents', { id: '2', message: 'm2' }, 12, doc],
    ]);
  });

  it('gives the same result however the input is chunked, escapes and keys included', () => {
    // Prepare
    const text = '{"st\\"x":"a\\\\","results":[[{"field":"@message","value":"q\\\\\\"]"}],[]],"status":"Complete"}\n[1, "two"]';
    const expected = scan([text]);

    // Act
    const bytes = scan(bytewise(text));
    const halves = [...Array(text.length).keys()].map((i) => scan([text.slice(0, i), text.slice(i)]));

    // Assess
    expect(expected.seen).toEqual([
      ['element', 'results', [{ field: '@message', value: 'q\\"]' }], 1, { 'st"x': 'a\\' }],
      ['element', 'results', [], 1, { 'st"x': 'a\\' }],
      ['element', 'export', 1, 2, {}],
      ['element', 'export', 'two', 2, {}],
    ]);
    expect(bytes).toEqual(expected);
    for (const h of halves) expect(h).toEqual(expected);
  });

  it('hands a top-level object that is not a wrapper over whole', () => {
    // Prepare
    const text = '{\n  "kind": "Event",\n  "items": [1],\n  "verb": "get"\n}\n{"queryId": "q"}';

    // Act
    const { seen } = scan(bytewise(text));

    // Assess
    expect(seen).toEqual([
      ['document', '{\n  "kind": "Event",\n  "items": [1],\n  "verb": "get"\n}', 1],
      ['document', '{"queryId": "q"}', 6],
    ]);
  });

  it('reads items only in an audit EventList', () => {
    // Act
    const { seen } = scan(['{"kind":"EventList","items":[{"kind":"Event"}]}']);

    // Assess
    expect(seen).toEqual([['element', 'items', { kind: 'Event' }, 1, { kind: 'EventList' }]]);
  });

  it('reports an element over the cap and goes on', () => {
    // Act
    const { seen } = scan(['[\n"', 'x'.repeat(50), '",\n"ok"\n]'], 20);

    // Assess
    expect(seen).toEqual([
      ['malformed', 2, 'JSON element longer than 20 bytes'],
      ['element', 'export', 'ok', 3, {}],
    ]);
  });

  it('reports a document that ends inside an element, or early', () => {
    // Act
    const inElement = scan(['[{"a":1},\n{"b":']);
    const early = scan(['{"events":[{"a":1}']);
    const cut = scan(['{\n "kind": "Event", "verb": "g']);

    // Assess
    expect(inElement.seen).toEqual([['element', 'export', { a: 1 }, 1, {}], ['malformed', 2, 'JSON document ends inside this element']]);
    expect(early.seen).toEqual([['element', 'events', { a: 1 }, 1, {}], ['malformed', 1, 'JSON document ends early']]);
    expect(cut.seen).toEqual([['cut', '{\n "kind": "Event", "verb": "g', 1]]);
  });

  it('reports a non-wrapper object over the cap', () => {
    // Act
    const { seen } = scan(['{"a":"', 'x'.repeat(50), '"}'], 20);

    // Assess
    expect(seen).toEqual([['malformed', 1, 'JSON document over 20 bytes is not a CloudWatch export']]);
  });

  it('hands over at the first byte that cannot start a document', () => {
    // Act
    const { seen, handoff } = scan(['[1]\n', 'I0101 00:00:00.000000 1 a.go:1] text\n']);

    // Assess
    expect(seen).toEqual([['element', 'export', 1, 1, {}]]);
    expect(handoff).toBe('I0101 00:00:00.000000 1 a.go:1] text\n');
  });
});
