import type { Severity } from '../model/severity';

/**
 * The SNS Publish API reference: a Subject has "no line breaks or control characters, and [is] less
 * than 100 characters long"; earlier editions also required ASCII text that begins with a letter,
 * number or punctuation mark. Meeting the stricter of the two keeps Publish from rejecting a run's
 * only alert because of a cluster name.
 */
export const MAX_SUBJECT_LENGTH = 99;

const PRODUCT = 'eks-authz-audit';

/**
 * Keeps printable ASCII only (U+0020..U+007E): control characters and other white space become a
 * space (so `a\nb` stays two words), anything else non-ASCII is dropped, runs of spaces collapse.
 */
export function asciiPrintable(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\s]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

export interface SubjectFacts {
  /** Highest severity among the findings, undefined when there are none. */
  readonly highest: Severity | undefined;
  readonly cluster: string;
  /** Findings at or above the threshold, shown or summarised. */
  readonly findings: number;
  readonly complete: boolean;
}

/**
 * `[HIGH] eks-authz-audit prod: 3 findings`, `..., audit incomplete`, or for an incomplete audit
 * without findings `[INCOMPLETE] eks-authz-audit prod: audit incomplete, no findings`.
 * The cluster name is what gets shortened: the severity and the count are what a reader triages on.
 */
export function buildSubject(facts: SubjectFacts): string {
  const tag = facts.highest ? facts.highest.toUpperCase() : 'INCOMPLETE';
  const prefix = `[${tag}] ${PRODUCT} `;
  let suffix: string;
  if (facts.findings > 0) {
    suffix = `: ${facts.findings} finding${facts.findings === 1 ? '' : 's'}`;
    if (!facts.complete) suffix += ', audit incomplete';
  } else {
    suffix = facts.complete ? ': no findings' : ': audit incomplete, no findings';
  }
  const room = MAX_SUBJECT_LENGTH - prefix.length - suffix.length;
  let name = asciiPrintable(facts.cluster) || '(unnamed)';
  if (name.length > room) name = `${name.slice(0, Math.max(0, room - 3)).trimEnd()}...`;
  return asciiPrintable(`${prefix}${name}${suffix}`).slice(0, MAX_SUBJECT_LENGTH);
}
