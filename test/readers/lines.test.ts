import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../lambda/readers/lines';

type Seen = [string, number] | ['TOO LONG', number];

function split(chunks: readonly (string | Buffer)[], max = 1000, end = true): Seen[] {
  const seen: Seen[] = [];
  const splitter = new LineSplitter((text, line) => seen.push([text, line]), (line) => seen.push(['TOO LONG', line]), max);
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : c);
  if (end) splitter.end();
  return seen;
}

/** Every way of cutting `text` in two and three pieces. */
function cuts(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= text.length; i++) {
    for (let j = i; j <= text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

describe('LineSplitter', () => {
  it('numbers lines from 1, keeps blank ones, strips CR before LF and keeps the last unterminated line', () => {
    // Act
    const seen = split(['a\r\n\nb\rc\nlast']);

    // Assess
    expect(seen).toEqual([['a', 1], ['', 2], ['b\rc', 3], ['last', 4]]);
  });

  it('gives the same lines however the bytes are chunked', () => {
    // Prepare
    const text = 'one\r\ntwo\n\nthré€\nfour';
    const expected = split([text]);

    // Act + Assess
    for (const pieces of cuts(text)) expect(split(pieces)).toEqual(expected);
  });

  it('decodes a multi-byte character split across chunks', () => {
    // Prepare
    const bytes = Buffer.from('é€\n');

    // Act
    const seen = split([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)]);

    // Assess
    expect(seen).toEqual([['é€', 1]]);
  });

  it('reports a line over the cap once and goes on with the next line, in one chunk or many', () => {
    // Prepare
    const text = `short\n${'x'.repeat(25)}\nafter\n`;

    // Act
    const whole = split([text], 10);
    const bytewise = split([...text], 10);

    // Assess
    expect(whole).toEqual([['short', 1], ['TOO LONG', 2], ['after', 3]]);
    expect(bytewise).toEqual(whole);
  });

  it('accepts a line of exactly the cap', () => {
    // Act
    const seen = split(['0123456789\n', '01234', '56789'], 10);

    // Assess
    expect(seen).toEqual([['0123456789', 1], ['0123456789', 2]]);
  });

  it('drops a held partial line on discard and reports where it stopped', () => {
    // Prepare
    const seen: Seen[] = [];
    const splitter = new LineSplitter((t, l) => seen.push([t, l]), (l) => seen.push(['TOO LONG', l]), 100, 5);

    // Act
    splitter.push(Buffer.from('a\nb\npartial'));
    splitter.discard();
    splitter.end();

    // Assess
    expect(seen).toEqual([['a', 5], ['b', 6]]);
    expect(splitter.line).toBe(7);
  });
});
