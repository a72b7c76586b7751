import { parseDocument } from 'yaml';
import type { MappingList } from './aws-auth-writes';
import { BOOTSTRAPPERS_GROUP, NODES_GROUP, NODE_USER_PREFIX } from '../../model/identity';

/**
 * mapRoles / mapUsers are YAML strings inside the ConfigMap. aws-iam-authenticator converts them to JSON and
 * unmarshals them into Go structs (kubernetes-sigs/aws-iam-authenticator pkg/mapper/configmap ParseMap), so
 * this parser follows Go's rules where they differ from plain YAML: field names match case-insensitively,
 * a duplicate key is not an error (the last one wins), and a field of the wrong type is an error.
 */

export interface Mapping {
  readonly list: MappingList;
  readonly index: number;
  /** rolearn (mapRoles) or userarn (mapUsers), as written. */
  readonly arn: string;
  readonly username: string | undefined;
  readonly groups: readonly string[];
}

export type ProblemKind = 'unparsable' | 'wrong-type' | 'missing-arn';

export interface MappingProblem {
  /** `mapRoles`, `mapRoles[2]`, `mapRoles[2].rolearn`, ... */
  readonly field: string;
  readonly kind: ProblemKind;
  readonly reason: string;
}

export interface ParsedList {
  readonly mappings: Mapping[];
  readonly problems: MappingProblem[];
}

/** An alias bomb in a 1 MB ConfigMap could otherwise expand to gigabytes. */
const MAX_ALIAS_COUNT = 100;

export function parseMappingList(list: MappingList, raw: unknown): ParsedList {
  const out: ParsedList = { mappings: [], problems: [] };
  // null deletes the key in a merge patch; a non-string cannot be stored in a ConfigMap.
  if (typeof raw !== 'string') return out;
  const doc = parseDocument(raw, { uniqueKeys: false, prettyErrors: false, logLevel: 'silent' });
  const error = doc.errors[0];
  if (error) {
    // Without prettyErrors the error has an offset, not a line: the line is what a person can find.
    const offset = error.pos[0];
    const where = Number.isInteger(offset) ? ` at line ${raw.slice(0, offset).split('\n').length}` : '';
    out.problems.push({ field: list, kind: 'unparsable', reason: `YAML error${where}: ${error.message.split('\n')[0]}` });
    return out;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    out.problems.push({ field: list, kind: 'unparsable', reason: `YAML could not be expanded: ${err instanceof Error ? err.message : String(err)}` });
    return out;
  }
  // Empty, `""` and `[]` all mean "no mappings" to the authenticator.
  if (value === null || value === undefined || value === '') return out;
  if (!Array.isArray(value)) {
    // Unmarshalling a non-list into the Go slice fails as a whole, like a syntax error.
    out.problems.push({ field: list, kind: 'unparsable', reason: `is a YAML ${describeType(value)}, not a list of mappings` });
    return out;
  }
  value.forEach((item, index) => readEntry(list, index, item, out));
  return out;
}

function readEntry(list: MappingList, index: number, item: unknown, out: ParsedList): void {
  const at = `${list}[${index}]`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    out.problems.push({ field: at, kind: 'wrong-type', reason: `is a YAML ${describeType(item)}, not a mapping with ${arnKey(list)}, username and groups` });
    return;
  }
  const fields = lowerKeys(item as Record<string, unknown>);
  const arn = fields[arnKey(list)];
  if (arn === undefined || arn === null || arn === '') {
    // Newer authenticators also accept an `sso` matcher instead of rolearn: not ours to judge.
    if (list === 'mapRoles' && fields['sso'] !== undefined) return;
    out.problems.push({ field: `${at}.${arnKey(list)}`, kind: 'missing-arn', reason: `is missing: the entry names no IAM ${list === 'mapRoles' ? 'role' : 'user'}` });
    return;
  }
  if (typeof arn !== 'string') {
    out.problems.push({ field: `${at}.${arnKey(list)}`, kind: 'wrong-type', reason: `is a YAML ${describeType(arn)}, not a string` });
    return;
  }
  const user = fields['username'];
  if (user !== undefined && user !== null && typeof user !== 'string') {
    out.problems.push({
      field: `${at}.username`, kind: 'wrong-type',
      reason: `is a YAML ${describeType(user)}, not a string (an unquoted {{...}} template is read as a YAML mapping: quote it)`,
    });
    return;
  }
  const groups = fields['groups'];
  if (groups !== undefined && groups !== null && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string'))) {
    out.problems.push({ field: `${at}.groups`, kind: 'wrong-type', reason: `is a YAML ${describeType(groups)}, not a list of strings` });
    return;
  }
  out.mappings.push({
    list, index, arn,
    username: typeof user === 'string' ? user : undefined,
    groups: Array.isArray(groups) ? (groups as string[]) : [],
  });
}

function arnKey(list: MappingList): string {
  return list === 'mapRoles' ? 'rolearn' : 'userarn';
}

/** Go's encoding/json prefers an exact field-name match, then a case-insensitive one. */
function lowerKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const lower = k.toLowerCase();
    if (k === lower || !(lower in out)) out[lower] = v;
  }
  return out;
}

function describeType(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

/** The username templates EKS documents for node roles: EC2 nodes, and Fargate / hybrid nodes. */
export const NODE_USERNAME_TEMPLATES: readonly string[] = [
  `${NODE_USER_PREFIX}{{EC2PrivateDNSName}}`,
  `${NODE_USER_PREFIX}{{SessionName}}`,
];

/**
 * Why a mapping is a node role's, or undefined when it is not. Only mapRoles entries: nodes authenticate
 * with an instance (or pod execution) role. `nodeRoleArns` are lower-cased canonical ARNs of kubelet requests.
 */
export function nodeRoleReason(m: Mapping, nodeRoleArns: ReadonlySet<string>): string | undefined {
  if (m.list !== 'mapRoles') return undefined;
  if (m.groups.includes(NODES_GROUP)) return `its groups include ${NODES_GROUP}`;
  if (m.groups.includes(BOOTSTRAPPERS_GROUP)) return `its groups include ${BOOTSTRAPPERS_GROUP}`;
  if (m.username?.startsWith(NODE_USER_PREFIX)) return `its username starts with ${NODE_USER_PREFIX}`;
  if (nodeRoleArns.has(m.arn.toLowerCase())) return 'kubelet requests in this input were signed by this role';
  // Requests carry the role's ARN without its path (see rolePathOf).
  const path = rolePathOf(m.arn);
  if (path && nodeRoleArns.has(path.withoutPath.toLowerCase())) return 'kubelet requests in this input were signed by this role';
  return undefined;
}

/** IAM's character set for role names (CreateRole RoleName: `[\w+=,.@-]+`, at most 64). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(.+)$/;

/**
 * A role ARN written with an IAM path (`role/service-role/x`, `role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_...`):
 * the path and the ARN without it. A role's credentials name the role without its path (the assumed-role ARN has
 * none), which is why EKS documents that an aws-auth rolearn cannot include one. Undefined when there is no path,
 * or when the last segment is no valid role name (then no corrected ARN can be offered).
 */
export function rolePathOf(arn: string): { readonly path: string; readonly name: string; readonly withoutPath: string } | undefined {
  const m = ROLE_ARN.exec(arn.trim());
  if (!m) return undefined;
  const resource = m[3] ?? '';
  const slash = resource.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const name = resource.slice(slash + 1);
  if (!ROLE_NAME.test(name)) return undefined;
  return { path: `/${resource.slice(0, slash + 1)}`, name, withoutPath: `arn:${m[1]}:iam::${m[2]}:role/${name}` };
}
