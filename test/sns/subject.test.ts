import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../lambda/model/severity';
import { asciiPrintable, buildSubject, MAX_SUBJECT_LENGTH } from '../../lambda/report/subject';

/** SNS: fewer than 100 characters, no line breaks or control characters; older docs: ASCII, starting with a letter, number or punctuation. */
const VALID = /^[\x21-\x7e][\x20-\x7e]{0,98}$/;

describe('buildSubject', () => {
  it('names severity, product, cluster and count', () => {
    expect(buildSubject({ highest: 'high', cluster: 'prod', findings: 3, complete: true })).toBe('[HIGH] eks-authz-audit prod: 3 findings');
    expect(buildSubject({ highest: 'medium', cluster: 'prod', findings: 1, complete: true })).toBe('[MEDIUM] eks-authz-audit prod: 1 finding');
    expect(buildSubject({ highest: 'critical', cluster: 'prod', findings: 2, complete: false })).toBe(
      '[CRITICAL] eks-authz-audit prod: 2 findings, audit incomplete',
    );
    expect(buildSubject({ highest: undefined, cluster: 'prod', findings: 0, complete: false })).toBe(
      '[INCOMPLETE] eks-authz-audit prod: audit incomplete, no findings',
    );
  });

  it('shortens a 300-character cluster name, never the severity or the count', () => {
    // Prepare
    const cluster = 'c'.repeat(300);
    // Act
    const subject = buildSubject({ highest: 'critical', cluster, findings: 123_456, complete: false });
    // Assess
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
    expect(subject).toBe(`[CRITICAL] eks-authz-audit ${'c'.repeat(34)}...: 123456 findings, audit incomplete`);
    expect(subject).toMatch(VALID);
  });

  it('drops non-ASCII and turns control characters into spaces', () => {
    expect(buildSubject({ highest: 'high', cluster: 'prød-集群-😀', findings: 1, complete: true })).toBe('[HIGH] eks-authz-audit prd--: 1 finding');
    expect(buildSubject({ highest: 'high', cluster: 'prod\r\nBcc: x@example.com\u0000\u001b[2J', findings: 1, complete: true })).toBe(
      '[HIGH] eks-authz-audit prod Bcc: x@example.com [2J: 1 finding',
    );
    expect(buildSubject({ highest: 'high', cluster: '\u202e\u2028集群', findings: 1, complete: true })).toBe('[HIGH] eks-authz-audit (unnamed): 1 finding');
  });

  it('is valid for SNS whatever the cluster name and count (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.constantFrom(undefined, ...SEVERITIES),
        fc.nat({ max: 10_000_000 }),
        fc.boolean(),
        (cluster, highest, findings, complete) => {
          const subject = buildSubject({ highest, cluster, findings: highest ? Math.max(1, findings) : 0, complete: highest ? complete : false });
          expect(subject).toMatch(VALID);
          expect(subject.startsWith('[')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('asciiPrintable', () => {
  it('keeps printable ASCII and collapses spaces', () => {
    expect(asciiPrintable('  a\t\tb\u00a0c~ ')).toBe('a b c~');
  });
});
