/**
 * Test helpers for the configuration rules (aws-auth-*, apiserver-*): records built the way the readers build
 * them, and a scan through the real Engine. Values are made up; shapes follow the real EKS logs in
 * shared/fixtures/real, which tests may read but never copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditEvent, AuditRecord, FlagRecord, LogRecord } from '../../lambda/model/records';
import type { ScanResult } from '../../lambda/model/findings';
import type { Finding } from '../../lambda/model/findings';
import type { Rule } from '../../lambda/model/rule';
import { Engine } from '../../lambda/engine/engine';
import { apiserverAdmissionMissingNoderestriction } from '../../lambda/rules/apiserver/apiserver-admission-missing-noderestriction';
import { apiserverAuthzAlwaysAllow } from '../../lambda/rules/apiserver/apiserver-authz-always-allow';
import { apiserverAuthzConfig } from '../../lambda/rules/apiserver/apiserver-authz-config';
import { apiserverAuthzMissingNode } from '../../lambda/rules/apiserver/apiserver-authz-missing-node';
import { apiserverAuthzMissingRbac } from '../../lambda/rules/apiserver/apiserver-authz-missing-rbac';
import { awsAuthInvalid } from '../../lambda/rules/audit/aws-auth-invalid';
import { awsAuthNodeMissingGroups } from '../../lambda/rules/audit/aws-auth-node-missing-groups';
import { awsAuthNodeSystemMasters } from '../../lambda/rules/audit/aws-auth-node-system-masters';
import { awsAuthNodeUsername } from '../../lambda/rules/audit/aws-auth-node-username';
import { awsAuthSystemMasters } from '../../lambda/rules/audit/aws-auth-system-masters';

/** The aws-auth rules, in catalogue order. */
export const AWS_AUTH_RULES: readonly Rule[] = [
  awsAuthNodeUsername,
  awsAuthNodeMissingGroups,
  awsAuthNodeSystemMasters,
  awsAuthSystemMasters,
  awsAuthInvalid,
];

/** The kube-apiserver flag rules, in catalogue order. */
export const APISERVER_RULES: readonly Rule[] = [
  apiserverAuthzAlwaysAllow,
  apiserverAuthzMissingNode,
  apiserverAuthzMissingRbac,
  apiserverAdmissionMissingNoderestriction,
  apiserverAuthzConfig,
];

export const REAL_DIR = resolve(import.meta.dirname, '../../../shared/fixtures/real');
export const hasReal = existsSync(REAL_DIR);

export const CLUSTER = 'prod';
export const ACCOUNT = '111122223333';
export const NODE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/WorkerNodeRole`;
export const ADMIN_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`;

/** Where EKS puts kube-apiserver's own log: the stream name says who printed a FLAG line. */
export const APISERVER_STREAM = { logStream: 'kube-apiserver-0123456789abcdef' } as const;

/** Feeds records to the given rules through the real Engine and returns what it found. */
export function scan(rules: Rule | readonly Rule[], records: readonly LogRecord[]): ScanResult {
  const engine = new Engine(Array.isArray(rules) ? rules : [rules as Rule], { cluster: CLUSTER });
  engine.file('test');
  for (const r of records) engine.record(r);
  return engine.finish();
}

export function only(result: ScanResult, ruleId: string): Finding[] {
  return result.findings.filter((f) => f.ruleId === ruleId);
}

let line = 0;

export function auditRecord(event: AuditEvent, opts: { truncated?: boolean; file?: string } = {}): AuditRecord {
  return { kind: 'audit', event, truncated: opts.truncated ?? false, origin: { file: opts.file ?? 'audit.jsonl', line: ++line } };
}

/** A YAML mapRoles / mapUsers value, written as kubectl / eksctl write it. */
export function yamlList(entries: { arn: string; username?: string; groups?: string[]; key?: string }[]): string {
  return entries
    .map((e) => {
      const lines = [`- ${e.key ?? 'rolearn'}: ${e.arn}`];
      if (e.username !== undefined) lines.push(`  username: ${e.username}`);
      if (e.groups) lines.push('  groups:', ...e.groups.map((g) => `  - ${g}`));
      return lines.join('\n');
    })
    .join('\n') + '\n';
}

export interface WriteOptions {
  verb?: 'create' | 'update' | 'patch' | 'delete';
  requestObject?: unknown;
  username?: string;
  userAgent?: string;
  time?: string;
  code?: number;
  level?: string;
  stage?: string;
  requestURI?: string;
  truncated?: boolean;
}

/** An audit event of a write to ConfigMap kube-system/aws-auth by kubernetes-admin via eksctl (EKS shape). */
export function awsAuthWrite(o: WriteOptions = {}): AuditRecord {
  const verb = o.verb ?? 'update';
  const event: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: o.level ?? 'RequestResponse',
    auditID: `aws-auth-${++line}`,
    stage: o.stage ?? 'ResponseComplete',
    requestURI: o.requestURI ?? '/api/v1/namespaces/kube-system/configmaps/aws-auth',
    verb,
    user: {
      username: o.username ?? 'kubernetes-admin',
      uid: `aws-iam-authenticator:${ACCOUNT}:AIDAEXAMPLEUSER00001`,
      groups: ['system:masters', 'system:authenticated'],
      extra: { canonicalArn: [`arn:aws:iam::${ACCOUNT}:user/cli`] },
    },
    sourceIPs: ['203.0.113.10'],
    userAgent: o.userAgent ?? 'eksctl/v0.0.0 (linux/amd64) kubernetes/$Format',
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', apiVersion: 'v1' },
    responseStatus: { code: o.code ?? 200 },
    requestReceivedTimestamp: o.time ?? '2024-03-01T10:00:00.000000Z',
    stageTimestamp: o.time ?? '2024-03-01T10:00:00.000000Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
  if (o.requestObject !== undefined) event.requestObject = o.requestObject;
  return auditRecord(event, { truncated: o.truncated ?? false });
}

/** The whole ConfigMap, as an update or create carries it. */
export function configMap(data: Record<string, string>): unknown {
  return { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'aws-auth', namespace: 'kube-system' }, data };
}

/** A kubelet lease renewal signed by an IAM role: what puts that role in ScanContext.nodeRoleArns. */
export function kubeletRequest(roleArn: string, username: string, time = '2024-03-01T10:05:00.000000Z'): AuditRecord {
  const node = 'ip-10-1-2-3.eu-west-1.compute.internal';
  return auditRecord({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `kubelet-${++line}`,
    stage: 'ResponseComplete',
    requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`,
    verb: 'update',
    user: {
      username,
      groups: ['system:masters', 'system:authenticated'],
      extra: { canonicalArn: [roleArn], sessionName: ['i-0a1b2c3d4e5f60718'] },
    },
    userAgent: 'kubelet/v1.29.3 (linux/amd64) kubernetes/6813625',
    objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: node, apiGroup: 'coordination.k8s.io' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: time,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  });
}

/** The audit events (`@message`) of a CloudWatch Logs Insights JSON export. */
export function insightsAuditRecords(path: string): AuditRecord[] {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as { '@message': AuditEvent }[];
  return rows.map((row, i) => ({ kind: 'audit', event: row['@message'], truncated: false, origin: { file: path, line: i + 1 } }));
}

export function flag(name: string, value: string, o: { file?: string; line?: number; logStream?: string; timestamp?: string; time?: string } = {}): FlagRecord {
  const origin = { file: o.file ?? 'apiserver.log', line: o.line ?? ++line, ...(o.logStream ? { logStream: o.logStream } : {}), ...(o.timestamp ? { timestamp: o.timestamp } : {}) };
  return o.time ? { kind: 'apiserver-flag', flag: name, value, time: o.time, origin } : { kind: 'apiserver-flag', flag: name, value, origin };
}

/** The FLAG lines EKS prints at every kube-apiserver start (values as in the real logs). */
export function eksStart(o: { logStream?: string; timestamp?: string; mode?: string; enable?: string } = {}): FlagRecord[] {
  const at = { ...(o.logStream ? { logStream: o.logStream } : {}), ...(o.timestamp ? { timestamp: o.timestamp } : {}) };
  return [
    flag('admission-control', '[]', at),
    flag('authorization-config', '', at),
    flag('authorization-mode', o.mode ?? '[Node,RBAC,Webhook]', at),
    flag('disable-admission-plugins', '[]', at),
    flag('enable-admission-plugins', o.enable ?? '[NodeRestriction,ExtendedResourceToleration]', at),
  ];
}

const KLOG_FLAG = /^[IWEF]\d{4} [\d:.]+\s+\d+ flags\.go:\d+\] FLAG: --([^=]+)="(.*)"$/;

/** FlagRecords of a klog file, as a reader would make them (no year in the header, so no time). */
export function klogFlags(path: string): FlagRecord[] {
  const out: FlagRecord[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const m = KLOG_FLAG.exec(text.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out.push(flag(m[1], m[2].replace(/\\"/g, '"'), { file: path, line: i + 1 }));
  });
  return out;
}
