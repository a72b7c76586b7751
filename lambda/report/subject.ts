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
  /** One-off reports: the incidents the findings make. */
  readonly incidents?: number;
  /** Scheduled runs: what changed (the subject names it instead of counting findings). */
  readonly changes?: SubjectChanges;
}

export interface SubjectChanges {
  readonly new: number;
  readonly escalated: number;
  readonly reminder: number;
  readonly resolved: number;
  /** Highest severity of the new, escalated and reminded incidents; undefined when only resolved ones. */
  readonly highest: Severity | undefined;
  /** What the one alerted open incident is about, e.g. `12 nodes NotReady` (shortened to fit). */
  readonly detail?: string;
}

/** The cluster name keeps at least this many characters before the detail is shortened. */
const MIN_NAME = 12;

/**
 * Scheduled runs: `[HIGH] eks-authz-audit prod: 1 new incident (12 nodes NotReady)`,
 * `[RESOLVED] eks-authz-audit prod: 1 incident resolved`, `[INCOMPLETE] ...: audit incomplete, nothing new`.
 * One-off reports: `[HIGH] eks-authz-audit prod: 2 incidents (14 findings)`; without incidents counted,
 * `3 findings`; `, audit incomplete` when it was. The cluster name (then the detail) is what gets
 * shortened: the severity and the counts are what a reader triages on.
 */
export function buildSubject(facts: SubjectFacts): string {
  const c = facts.changes;
  const changed = c ? c.new + c.escalated + c.reminder + c.resolved : 0;
  let tag: string;
  let suffix: string;
  let detail = '';
  if (c && changed > 0) {
    tag = c.highest ? c.highest.toUpperCase() : 'RESOLVED';
    suffix = `: ${changeWords(c)}`;
    if (c.new + c.escalated + c.reminder === 1 && c.detail) detail = asciiPrintable(c.detail);
  } else if (c) {
    tag = 'INCOMPLETE';
    suffix = ': audit incomplete, nothing new';
  } else {
    tag = facts.highest ? facts.highest.toUpperCase() : 'INCOMPLETE';
    if (facts.findings > 0 && facts.incidents !== undefined) suffix = `: ${count(facts.incidents, 'incident')} (${count(facts.findings, 'finding')})`;
    else if (facts.findings > 0) suffix = `: ${count(facts.findings, 'finding')}`;
    else suffix = facts.complete ? ': no findings' : ': audit incomplete, no findings';
  }
  const incomplete = !facts.complete && (c ? changed > 0 : facts.findings > 0) ? ', audit incomplete' : '';
  const prefix = `[${tag}] ${PRODUCT} `;
  let name = asciiPrintable(facts.cluster) || '(unnamed)';
  if (detail) {
    const room = MAX_SUBJECT_LENGTH - prefix.length - suffix.length - incomplete.length - 3 - Math.min(name.length, MIN_NAME);
    detail = shorten(detail, room);
  }
  const tail = `${suffix}${detail ? ` (${detail})` : ''}${incomplete}`;
  const room = MAX_SUBJECT_LENGTH - prefix.length - tail.length;
  if (name.length > room) name = `${name.slice(0, Math.max(0, room - 3)).trimEnd()}...`;
  return asciiPrintable(`${prefix}${name}${tail}`).slice(0, MAX_SUBJECT_LENGTH);
}

function changeWords(c: SubjectChanges): string {
  const kinds = [c.new, c.escalated, c.reminder, c.resolved].filter((x) => x > 0).length;
  if (kinds === 1) {
    if (c.new) return count(c.new, 'new incident');
    if (c.escalated) return `${count(c.escalated, 'incident')} escalated`;
    if (c.reminder) return `${count(c.reminder, 'incident')} still open`;
    return `${count(c.resolved, 'incident')} resolved`;
  }
  const parts: string[] = [];
  if (c.new) parts.push(count(c.new, 'new incident'));
  if (c.escalated) parts.push(`${c.escalated} escalated`);
  if (c.reminder) parts.push(`${c.reminder} still open`);
  if (c.resolved) parts.push(`${c.resolved} resolved`);
  return parts.join(', ');
}

function count(x: number, word: string): string {
  return `${x} ${word}${x === 1 ? '' : 's'}`;
}

function shorten(text: string, room: number): string {
  if (text.length <= room) return text;
  return room <= 3 ? '' : `${text.slice(0, room - 3).trimEnd()}...`;
}
