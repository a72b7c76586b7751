import type { AuditRecord } from '../../model/records';
import type { AwsAuthWriteRecord } from '../../model/aws-auth-memory';
import { recordTime } from '../../model/audit';
import { canonicalArn, str, strArray, username } from '../../model/identity';
import { isAcceptedAwsAuthWrite } from './aws-auth-writes';

/**
 * What an accepted aws-auth write left in mapRoles, read from the resulting ConfigMap when the API server logged
 * it (responseObject), else from the request body, whatever its shape: a full object (create, update), a merge
 * patch (strategic or JSON merge), a JSON patch, or a server-side apply. The engine keeps these for root causes;
 * the mapping rules ask it whether the input changed mapRoles at all (else they judge the remembered content).
 */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** mapRoles of a ConfigMap-shaped object: the string, null when its data has none, undefined when it has no data at all. */
function mapRolesOf(obj: unknown): string | null | undefined {
  if (!isObject(obj)) return undefined;
  const data = obj['data'];
  if (data === null) return null;
  if (!isObject(data)) return obj['kind'] === 'ConfigMap' ? null : undefined;
  const v = data['mapRoles'];
  return typeof v === 'string' ? v : null;
}

/** What a write left in mapRoles, or undefined when it did not touch mapRoles or cannot be read. */
export function readMapRolesWrite(record: AuditRecord): AwsAuthWriteRecord | undefined {
  if (!isAcceptedAwsAuthWrite(record)) return undefined;
  const e = record.event;
  const verb = str(e.verb) ?? 'unknown';
  const body = e.requestObject;
  let mapRoles: string | null | undefined;
  let mapRolesBefore: string | null | undefined;
  let patchType: AwsAuthWriteRecord['patchType'];
  if (verb === 'patch') {
    if (Array.isArray(body)) {
      patchType = 'json';
      ({ after: mapRoles, before: mapRolesBefore } = jsonPatchMapRoles(body));
    } else if (isObject(body)) {
      // A server-side apply sends the whole intended object, with apiVersion and kind; a merge patch need not.
      patchType = typeof body['apiVersion'] === 'string' && typeof body['kind'] === 'string' ? 'apply' : 'merge';
      mapRoles = mergePatchMapRoles(body);
    }
  } else {
    mapRoles = mapRolesOf(body);
  }
  // The resulting ConfigMap, when logged, is the truth; the request body says what was asked.
  const result = mapRolesOf(e.responseObject);
  if (result !== undefined && (mapRoles !== undefined || verb !== 'patch' || patchType === 'apply')) mapRoles = result;
  if (mapRoles === undefined) return undefined;
  const write: AwsAuthWriteRecord = { verb, mapRoles };
  if (patchType) write.patchType = patchType;
  if (mapRolesBefore !== undefined) write.mapRolesBefore = mapRolesBefore;
  const time = recordTime(record);
  if (time) write.time = time;
  const user = username(e);
  if (user) write.username = user;
  const arn = canonicalArn(e) ?? strArray((e.user?.extra as Record<string, unknown> | undefined)?.['arn'])[0];
  if (arn) write.arn = arn;
  const ips = strArray(e.sourceIPs);
  // X-Forwarded-For entries come first and are chosen by the client; the connection's address is last.
  if (ips.length > 0) write.sourceIP = ips[ips.length - 1]!;
  const agent = str(e.userAgent);
  if (agent) write.userAgent = agent;
  const auditID = str(e.auditID);
  if (auditID) write.auditID = auditID;
  return write;
}

/** A merge patch replaces mapRoles whole (it is a string); `null` deletes it, as does `data: null`. */
function mergePatchMapRoles(body: Record<string, unknown>): string | null | undefined {
  const data = body['data'];
  if (data === null) return null;
  if (!isObject(data) || !('mapRoles' in data)) return undefined;
  const v = data['mapRoles'];
  return typeof v === 'string' ? v : null;
}

/**
 * Applies a JSON patch's operations on /data and /data/mapRoles in order, as the server does. A `test` of
 * /data/mapRoles before any change proves what mapRoles was.
 */
function jsonPatchMapRoles(ops: readonly unknown[]): { after: string | null | undefined; before: string | null | undefined } {
  let after: string | null | undefined;
  let before: string | null | undefined;
  for (const op of ops) {
    if (!isObject(op)) continue;
    const path = op['path'];
    const value = op['value'];
    switch (op['op']) {
      case 'test':
        if (path === '/data/mapRoles' && after === undefined && before === undefined && typeof value === 'string') before = value;
        break;
      case 'add':
      case 'replace':
        if (path === '/data/mapRoles') after = typeof value === 'string' ? value : null;
        else if (path === '/data') after = isObject(value) && typeof value['mapRoles'] === 'string' ? value['mapRoles'] : null;
        break;
      case 'remove':
        if (path === '/data/mapRoles' || path === '/data') after = null;
        break;
    }
  }
  return { after, before };
}
