import { describe, expect, it } from 'vitest';
import { FormatDetector, formatOf } from '../../lambda/readers/format-detector';

const MAX = 16 * 1024 * 1024;
const EVENT = '{"kind":"Event","auditID":"a1","verb":"get"}\n';

/** Pushes `bytes` in chunks of `size` and returns the format and the bytes looked at. */
function detectChunked(bytes: Buffer, size: number, max = MAX): { format: ReturnType<typeof formatOf>; examined: number; held: number } {
  const detector = new FormatDetector(max);
  let format;
  for (let at = 0; at < bytes.length && !format; at += size) format = detector.push(bytes.subarray(at, at + size));
  format ??= detector.end();
  return { format, examined: detector.examined, held: detector.buffer().length };
}

describe('format detection', () => {
  it('looks at each leading blank byte once, however the input is chunked (16 MB of newlines)', () => {
    // Prepare: what took 7.5 s when every chunk re-joined and re-scanned the bytes before it.
    const blanks = 16 * 1024 * 1024 - 1024;
    const input = Buffer.concat([Buffer.alloc(blanks, 10), Buffer.from(EVENT)]);

    // Act
    const { format, examined, held } = detectChunked(input, 64 * 1024);

    // Assess: one pass over the blanks and the first line, nothing more.
    expect(format).toEqual({ mode: 'lines', from: 0, first: blanks });
    expect(examined).toBeLessThanOrEqual(blanks + EVENT.length);
    expect(held).toBe(input.length);
  });

  it('looks at a long first line once while waiting for its end', () => {
    // Prepare: a pretty-printed document whose first line is long, in small chunks.
    const first = `{"kind":"EventList","items":[${'{"a":1},'.repeat(100_000)}`;
    const input = Buffer.from(`${first}\n{"b":2}]}\n`);

    // Act
    const { format, examined } = detectChunked(input, 4096);

    // Assess
    expect(format).toEqual({ mode: 'document', from: 0, first: 0 });
    expect(examined).toBeLessThanOrEqual(first.length + 1);
  });

  it.each([
    ['JSON Lines', EVENT + EVENT],
    ['a top-level array', '\n\n  [{"@message": "x"}]'],
    ['a pretty-printed object', '{\n  "kind": "Event"\n}\n'],
    ['a cut audit event', '{"kind":"Event","auditID":"a1","verb":"get","user":{"user'],
    ['klog', 'I0101 00:00:00.000000 1 flags.go:64] FLAG: --v="2"\n'],
    ['a byte order mark', `\ufeff${EVENT}`],
    ['blanks only', '\n \r\n\t\n'],
    ['nothing', ''],
    ['one byte', '['],
  ])('decides %s as it would on the whole input, chunk by chunk', (_name, text) => {
    // Prepare
    const input = Buffer.from(text);
    const whole = formatOf(input, true, MAX);

    // Act
    const byByte = detectChunked(input, 1);
    const byThree = detectChunked(input, 3);

    // Assess
    expect(byByte.format).toEqual(whole);
    expect(byThree.format).toEqual(whole);
  });

  it('gives up waiting at the line cap', () => {
    // Prepare
    const blanks = Buffer.alloc(2048, 32);
    const open = Buffer.from(`{"x":"${'y'.repeat(2048)}`);

    // Act / Assess
    expect(detectChunked(blanks, 512, 1024).format).toEqual({ mode: 'lines', from: 0, first: 1536 });
    expect(detectChunked(open, 512, 1024).format).toEqual({ mode: 'document', from: 0, first: 0 });
  });
});
