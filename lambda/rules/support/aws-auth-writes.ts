import type { AuditHead, AuditRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import type { ServerNeeds } from '../../model/rule';
import { auditEvidence, recordTime, statusCode } from '../../model/audit';
import { canonicalArn, str, username } from '../../model/identity';

/**
 * Reading writes of ConfigMap kube-system/aws-auth out of audit events. The EKS audit policy logs them at
 * RequestResponse, so requestObject holds what was written: the whole ConfigMap for create/update, the
 * patch body for patch. Shared by the aws-auth-* rules.
 */

export type MappingList = 'mapRoles' | 'mapUsers';
export const MAPPING_LISTS: readonly MappingList[] = ['mapRoles', 'mapUsers'];

const WRITE_VERBS = new Set(['create', 'update', 'patch']);

/** Every aws-auth write is its own piece of evidence, so keep them distinct by auditID. */
export const AWS_AUTH_NEEDS: ServerNeeds = {
  stream: 'audit',
  filter:
    "objectRef.resource = 'configmaps' and objectRef.namespace = 'kube-system' and objectRef.name = 'aws-auth'" +
    " and (verb = 'update' or verb = 'patch' or verb = 'create')",
  keys: ['auditID'],
};

/** One write of aws-auth that set mapRoles and/or mapUsers, with who wrote it. */
export interface AwsAuthWrite {
  /** Raw values of the keys this write set (YAML strings, or anything an attacker put there). */
  readonly data: Partial<Record<MappingList, unknown>>;
  readonly writer: string;
  /** Product token of the user agent (`eksctl`, `kubectl`, `vpcLambda`), or `unknown client`. */
  readonly agent: string;
  readonly writerArn?: string;
  readonly time?: string;
  readonly evidence: Evidence;
}

/** RuleRun.wantsAudit of the aws-auth rules: what readAwsAuthWrite can accept, judged by objectRef alone. */
export function isAwsAuthHead(head: AuditHead): boolean {
  const ref = head.objectRef;
  return ref?.resource === 'configmaps' && ref.name === 'aws-auth';
}

/**
 * The mapRoles/mapUsers a write set, or undefined when there is nothing to judge: not an aws-auth write,
 * a write the API server refused or only dry-ran, a write logged without its body, or a truncated event
 * (CloudWatch cuts strings mid-value, so a salvaged mapRoles can look broken when the real one was fine).
 */
export function readAwsAuthWrite(record: AuditRecord): AwsAuthWrite | undefined {
  if (!isAcceptedAwsAuthWrite(record)) return undefined;
  const e = record.event;
  const data = e.verb === 'patch' ? patchData(e.requestObject) : pickData(e.requestObject);
  if (!data) return undefined;
  const write: AwsAuthWrite = {
    data,
    writer: username(e) ?? '(unknown user)',
    agent: agentName(str(e.userAgent)),
    time: recordTime(record),
    evidence: auditEvidence(record),
  };
  const arn = canonicalArn(e);
  return arn ? { ...write, writerArn: arn } : write;
}

/**
 * A write of kube-system/aws-auth that took effect and can be read whole: not refused, not a dry run, not the
 * RequestReceived copy of the same request, not truncated (CloudWatch cuts strings mid-value).
 */
export function isAcceptedAwsAuthWrite(record: AuditRecord): boolean {
  const e = record.event;
  const ref = e.objectRef;
  if (record.truncated || !ref || typeof ref !== 'object') return false;
  if (ref.resource !== 'configmaps' || ref.namespace !== 'kube-system' || ref.name !== 'aws-auth' || ref.subresource) return false;
  if (!WRITE_VERBS.has(str(e.verb) ?? '')) return false;
  // The same request is logged again at ResponseComplete; counting both would double every write.
  if (e.stage === 'RequestReceived') return false;
  const code = statusCode(e);
  if (code !== undefined && code >= 400) return false;
  return !/[?&]dryRun=/.test(str(e.requestURI) ?? '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** mapRoles/mapUsers of an object shaped like a ConfigMap (`{data: {...}}`). */
function pickData(obj: unknown): Partial<Record<MappingList, unknown>> | undefined {
  if (!isObject(obj) || !isObject(obj['data'])) return undefined;
  return pickLists(obj['data']);
}

function pickLists(data: Record<string, unknown>): Partial<Record<MappingList, unknown>> | undefined {
  const out: Partial<Record<MappingList, unknown>> = {};
  for (const list of MAPPING_LISTS) if (list in data) out[list] = data[list];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A patch body is either a merge patch (strategic or JSON merge: `{"data":{"mapRoles":"..."}}`) or a JSON
 * patch (`[{"op":"replace","path":"/data/mapRoles","value":"..."}]`). Later operations win, as on the server.
 */
function patchData(body: unknown): Partial<Record<MappingList, unknown>> | undefined {
  if (!Array.isArray(body)) return pickData(body);
  const out: Partial<Record<MappingList, unknown>> = {};
  for (const op of body) {
    if (!isObject(op) || (op['op'] !== 'add' && op['op'] !== 'replace')) continue;
    const path = op['path'];
    const value = op['value'];
    if (path === '/data' && isObject(value)) Object.assign(out, pickLists(value));
    else if (path === '' && isObject(value)) Object.assign(out, pickData(value));
    else if (path === '/data/mapRoles') out.mapRoles = value;
    else if (path === '/data/mapUsers') out.mapUsers = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The product token of a user agent, as AwsAuthWrite.agent says it. */
export function agentName(userAgent: string | undefined): string {
  const token = userAgent?.split(/[\s/]/)[0];
  return token ? token : 'unknown client';
}
