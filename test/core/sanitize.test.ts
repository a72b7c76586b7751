import { describe, expect, it } from 'vitest';
import { clean, cleanMultiline, cleanOpt } from '../../lambda/model/sanitize';

describe('clean', () => {
  it('replaces control characters, line breaks and bidi overrides with spaces', () => {
    expect(clean('a\u001b[31mb\nc\r\u2028d\u202ee\u0085f')).toBe('a [31mb c  d e f');
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
