import { describe, expect, it } from 'vitest';
import { MAX_EVIDENCE } from '../../lambda/model/limits';
import type { Finding } from '../../lambda/model/findings';
import { cleanFinding } from '../../lambda/report/clean-finding';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'r', severity: 'high', title: 't', cluster: 'c', subject: { node: 'n' }, count: 3, firstSeen: null, lastSeen: null,
    message: 'm', remediation: 'x', fingerprint: 'f', evidence: [], ...over,
  };
}

describe('cleanFinding', () => {
  it('leaves a clean finding as it is', () => {
    const f = finding({ evidence: [{ truncated: true, code: 403, verb: 'get', source: 's' }], firstSeen: '2026-01-01T00:00:00Z' });
    expect(cleanFinding(f)).toEqual(f);
  });

  it('caps lengths, evidence samples and subject entries, and repairs numbers', () => {
    // Prepare
    const subject = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const evidence = Array.from({ length: 9 }, () => ({ truncated: false, message: 'e'.repeat(5000), code: Number.NaN }));
    // Act
    const f = cleanFinding(finding({ title: 't'.repeat(500), message: 'm'.repeat(9000), subject, evidence, count: Number.POSITIVE_INFINITY }));
    // Assess
    expect(f.title).toHaveLength(200);
    expect(f.title.endsWith('…')).toBe(true);
    expect(f.message).toHaveLength(2000);
    expect(Object.keys(f.subject)).toHaveLength(16);
    expect(f.subject['k0']).toHaveLength(256);
    expect(f.evidence).toHaveLength(MAX_EVIDENCE);
    expect(f.evidence[0]).toEqual({ truncated: false, message: `${'e'.repeat(399)}…` });
    expect(f.count).toBe(0);
  });

  it('never leaves a lone surrogate, from the input or from cutting an emoji at the length cap', () => {
    // Prepare: 150 emoji are 300 UTF-16 units; the 200-unit cap cuts the 100th in half.
    const f = finding({ title: '😀'.repeat(150), message: 'a\ud800b\udc00c', subject: { k: '\udbff' } });
    // Act
    const out = cleanFinding(f);
    // Assess
    expect(out.title).toBe(`${'😀'.repeat(99)}\ufffd…`);
    expect(out.message).toBe('a\ufffdb\ufffdc');
    expect(out.subject).toEqual({ k: '\ufffd' });
  });
});
