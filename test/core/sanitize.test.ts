import { describe, expect, it } from 'vitest';
import { clean, cleanMultiline, cleanOpt } from '../../lambda/model/sanitize';

describe('clean', () => {
  it('replaces control characters and line breaks with spaces', () => {
    expect(clean('a\u001b[31mb\nc\r\u2028d\u0085f')).toBe('a [31mb c  d f');
  });
  it('shows zero-width characters, bidi marks and overrides, and tag characters escaped, so look-alikes differ', () => {
    // Two usernames that print the same unless the invisible characters show.
    expect(clean('system:node:\u200bip-10-0-1-2')).toBe('system:node:\\u200bip-10-0-1-2');
    expect(clean('a\u200cb\u200dc\u2060d\ufeffe\u00adf')).toBe('a\\u200cb\\u200dc\\u2060d\\ufeffe\\u00adf');
    expect(clean('x\u200ey\u200fz\u061c')).toBe('x\\u200ey\\u200fz\\u061c');
    expect(clean('admin\u202egnp.exe\u2066\u2069')).toBe('admin\\u202egnp.exe\\u2066\\u2069');
    // Tag characters spell hidden ASCII ("hi" here), astral: escaped whole, never as two halves.
    expect(clean('ok\u{e0068}\u{e0069}')).toBe('ok\\u{e0068}\\u{e0069}');
    expect(cleanMultiline('fix\n\u200b')).toBe('fix\n\\u200b');
    // Visible characters, emoji and accents included, are untouched.
    expect(clean('café 😀 ümlaut')).toBe('café 😀 ümlaut');
  });
  it('never runs code a log put where text was expected', () => {
    expect(clean({ toString: 1 })).toBe('{"toString":1}');
    expect(clean(['a', 1])).toBe('["a",1]');
  });
  it('caps the length with an ellipsis', () => {
    expect(clean('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
  it('never leaves a lone surrogate, even when the cap splits a pair', () => {
    expect(clean('ab\ud83d\ude00', 3)).toBe('ab…');
    expect(clean('a\ud83db')).toBe('a\ufffdb');
    expect(clean('\ud83d\ude00')).toBe('\ud83d\ude00');
  });
  it('stringifies non-strings and maps null/undefined to empty', () => {
    expect(clean(403)).toBe('403');
    expect(clean(undefined)).toBe('');
    expect(cleanOpt('')).toBeUndefined();
    expect(cleanOpt('x')).toBe('x');
  });
});

describe('cleanMultiline', () => {
  it('keeps line feeds for rule-written text but drops carriage returns and escapes', () => {
    expect(cleanMultiline('fix:\r\n  - rolearn: x\u001b[0m')).toBe('fix: \n  - rolearn: x [0m');
  });
});
