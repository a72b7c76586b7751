import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleAlertText } from './sample-alert';

const SAMPLE = join(import.meta.dirname, '..', '..', 'docs', 'sample-alert.txt');

/**
 * The README's sample must show what the publisher really sends. The rules' prose (message, fix,
 * evidence wording) is allowed to move on without failing this test; the layout this publisher owns
 * is not. Regenerate with: npx tsx test/sns/write-sample-alert.ts
 */
const LAYOUT = /^(Subject: |eks-authz-audit: |Window: |Query \(|=== \d+ of |Cause: |Changed by: |  Before: |  After: |Impact: |Nodes: |Incident: |Fix:|Findings \(|  - \[|Evidence \()/;

describe('docs/sample-alert.txt', () => {
  it('has the layout of a NEW alert: one incident of two nodes of misconfiguration 1, its root cause, one fix', () => {
    // Prepare
    const expected = sampleAlertText().split('\n').filter((l) => LAYOUT.test(l));
    // Act
    const actual = readFileSync(SAMPLE, 'utf8').split('\n').filter((l) => LAYOUT.test(l));
    // Assess
    expect(actual).toEqual(expected);
    expect(actual[0]).toBe('Subject: [HIGH] eks-authz-audit prod: 1 new incident (2 nodes NotReady)');
    expect(actual.filter((l) => l.startsWith('  - [')).map((l) => l.split(' ')[4]).sort()).toEqual([
      'node-identity-unrecognized', 'node-lease-forbidden', 'node-lease-forbidden',
    ]);
    expect(actual.filter((l) => l.startsWith('Changed by: '))).toHaveLength(1);
    expect(actual.filter((l) => l === 'Fix:')).toHaveLength(1);
  });
});
