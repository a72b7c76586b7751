/**
 * Test helpers for the authenticator and burst rules: aws-iam-authenticator logrus lines written the way
 * pkg/server/server.go logs them (time, level and msg first, then the other keys sorted, values quoted only
 * when needed), read back by the real reader, and scans through the real Engine with settings.
 * Values are made up; shapes follow the real lines in shared/fixtures/real (read, never copied).
 */
import type { AuditEvent, LogRecord, RecordSink } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import type { Rule } from '../../lambda/model/rule';
import type { RuleSettings } from '../../lambda/model/rule-settings';
import { Engine } from '../../lambda/engine/engine';
import { readMessage } from '../../lambda/readers/message';
import { record } from './helpers';

export const ACCOUNT = '111122223333';
export const ROLE = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const KARPENTER_ROLE = ROLE('KarpenterNodeRole-prod');
export const PLAIN_ROLE = ROLE('ci-runner');
export const INSTANCE = 'i-0a1b2c3d4e5f60718';

/** `time=` of a line `n` seconds after 10:00:00 on 2026-11-27, as logrus prints it. */
export function at(n: number): string {
  return new Date(Date.UTC(2026, 10, 27, 10, 0, 0) + n * 1000).toISOString().replace('.000Z', 'Z');
}

let second = 0;

/** A fresh time for each line, one second apart, so lines differ as real ones do. */
function nextTime(): string {
  return at(++second);
}

function quote(v: string): string {
  return v !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : JSON.stringify(v);
}

/** A logrus text line: time, level, msg, then the fields with sorted keys. */
export function logrus(level: string, msg: string, fields: Record<string, string>, time = nextTime()): string {
  let line = `time="${time}" level=${level} msg=${quote(msg)}`;
  for (const key of Object.keys(fields).sort()) line += ` ${key}=${quote(fields[key] ?? '')}`;
  return line;
}

const REQUEST = { client: '127.0.0.1:43440', method: 'POST', path: '/authenticate' };

/** `access denied` for a mapped-nowhere identity. `arn` absent models a refused token (no identity). */
export function denied(arn: string | undefined, error = 'ARN is not mapped', time = nextTime()): string {
  return logrus('warning', 'access denied', { ...REQUEST, ...(arn ? { arn } : {}), error }, time);
}

/** `STS response`: the session ARN and name of the caller, logged before the verdict. */
export function stsResponse(roleArn: string, session: string): string {
  const [, partition, account, role] = /^arn:([^:]+):iam::(\d+):role\/(.+)$/.exec(roleArn) ?? [];
  return logrus('info', 'STS response', {
    ...REQUEST, accesskeyid: 'ASIAEXAMPLEKEY000001', accountid: account ?? ACCOUNT,
    arn: `arn:${partition}:sts::${account}:assumed-role/${role}/${session}`, session, userid: `AROAEXAMPLEROLEID0001:${session}`,
  });
}

/** `access granted` with the mapping the authenticator applied; groups print as Go prints a []string. */
export function granted(arn: string, username: string, groups: readonly string[]): string {
  return logrus('info', 'access granted', {
    ...REQUEST, arn, groups: `[${groups.join(' ')}]`, stsendpoint: 'sts.eu-west-1.amazonaws.com',
    uid: `aws-iam-authenticator:${ACCOUNT}:AROAEXAMPLEROLEID0001`, username,
  });
}

/** n copies of a line builder's output (each with its own time). */
export function times(n: number, line: () => string): string[] {
  return Array.from({ length: n }, line);
}

export type Input = string | AuditEvent | LogRecord;

/**
 * Scans through the real Engine: strings are read by the real reader (as the CLI reads a file), events
 * become records, records go in as they are.
 */
export function scanWith(rules: readonly Rule[], input: readonly Input[], settings: Partial<RuleSettings> = {}, cluster = 'prod'): ScanResult {
  const engine = new Engine(rules, { cluster, settings });
  const sink: RecordSink = engine;
  sink.file('test');
  input.forEach((x, i) => {
    if (typeof x === 'string') readMessage(x, { file: 'authenticator.log', line: i + 1 }, sink);
    else if ('kind' in x && (x.kind === 'audit' || x.kind === 'authenticator' || x.kind === 'apiserver-flag' || x.kind === 'apiserver-line')) sink.record(x as LogRecord);
    else sink.record(record(x as AuditEvent, { line: i + 1 }));
  });
  return engine.finish();
}
