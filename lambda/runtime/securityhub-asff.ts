import type { AwsSecurityFinding, Resource, SeverityLabel } from '@aws-sdk/client-securityhub';
import type { Finding } from '../model/findings';
import type { Incident } from '../model/incident';
import type { Severity } from '../model/severity';
import { clean, cleanMultiline } from '../model/sanitize';

/**
 * Findings in the AWS Security Finding Format (ASFF, SchemaVersion 2018-10-08), imported with the account's default
 * product ARN. One finding of this tool is one Security Hub finding for its whole life: the Id comes from the
 * fingerprint (rule, cluster, subject), so each run updates it (UpdatedAt, LastObservedAt, the count) instead of
 * adding a duplicate, and a resolved incident archives its findings.
 */

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const PRODUCT_NAME = 'eks-authz-audit';

/** ASFF limits (AwsSecurityFinding in the Security Hub API reference). */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;
/** Remediation.Recommendation.Text: a longer text fails the import of that finding. */
export const MAX_RECOMMENDATION_TEXT = 512;
const MAX_PRODUCT_FIELD_VALUE = 2048;

/** The account, region and partition the function imports into. */
export interface SecurityHubTarget {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** The default product of an account: every account can import its own findings under it. */
export function defaultProductArn(t: SecurityHubTarget): string {
  return `arn:${t.partition}:securityhub:${t.region}:${t.accountId}:product/${t.accountId}/default`;
}

/** The Security Hub finding Id of one of this tool's findings (stable: the fingerprint holds rule, cluster and subject). */
export function asffId(t: SecurityHubTarget, fingerprint: string): string {
  return `${PRODUCT_NAME}/${t.region}/${fingerprint}`;
}

const LABELS: Record<Severity, SeverityLabel> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

export function severityLabel(s: Severity): SeverityLabel {
  return LABELS[s];
}

const BEST_PRACTICE = 'Software and Configuration Checks/AWS Security Best Practices';
/**
 * Types in the ASFF namespaces (namespace/category[/classifier]): a misconfiguration is a configuration check; a
 * node credential used beyond its node, or a burst of refusals, is probing (TTPs/Discovery) and unusual for that
 * user; a mapping that makes nodes cluster admins is also a privilege escalation path. A rule not listed is a
 * configuration check.
 */
const TYPES: Readonly<Record<string, readonly string[]>> = {
  'node-unrelated-object-access': ['TTPs/Discovery', 'Unusual Behaviors/User'],
  'node-name-mismatch': ['TTPs/Discovery', 'Unusual Behaviors/User'],
  'node-restriction-denied': ['TTPs/Discovery', 'Unusual Behaviors/User'],
  'node-forbidden-other': ['TTPs/Discovery', 'Unusual Behaviors/User'],
  'forbidden-burst': ['TTPs/Discovery', 'Unusual Behaviors/User'],
  'authenticator-denied-burst': ['TTPs/Credential Access', 'Unusual Behaviors/User'],
  'anonymous-request-allowed': [BEST_PRACTICE, 'Effects/Data Exposure'],
  'node-system-masters': [BEST_PRACTICE, 'TTPs/Privilege Escalation'],
  'aws-auth-node-system-masters': [BEST_PRACTICE, 'TTPs/Privilege Escalation'],
  'aws-auth-system-masters': [BEST_PRACTICE, 'TTPs/Privilege Escalation'],
  'apiserver-authz-always-allow': [BEST_PRACTICE, 'TTPs/Privilege Escalation'],
};

export function asffTypes(ruleId: string): string[] {
  return [...(TYPES[ruleId] ?? [BEST_PRACTICE])];
}

/** What the mapping needs of a finding: a full finding of this run, or the compact one the state keeps. */
export type AsffSource = Pick<Finding, 'fingerprint' | 'ruleId' | 'severity' | 'title' | 'subject' | 'count' | 'firstSeen' | 'lastSeen'> &
  Partial<Pick<Finding, 'message' | 'remediation'>>;

export interface AsffContext {
  readonly target: SecurityHubTarget;
  readonly cluster: string;
  /** The cluster's ARN (its account and region may differ from the function's: a linked source account). */
  readonly clusterArn: string;
  /** ISO 8601: this run's time, so UpdatedAt moves on every import. */
  readonly now: string;
  /** The rule's first reference (a URL), by rule id. */
  readonly reference: (ruleId: string) => string | undefined;
}

/**
 * One ASFF finding. `archived`: the incident it belongs to was resolved (RecordState ARCHIVED, Workflow RESOLVED);
 * otherwise ACTIVE. Severity and Types go both at the top level (required) and in FindingProviderFields, which is
 * where a provider updates them after the first import.
 */
export function toAsff(f: AsffSource, incident: Incident | undefined, ctx: AsffContext, archived: boolean): AwsSecurityFinding {
  const { target } = ctx;
  const label = severityLabel(f.severity);
  const types = asffTypes(f.ruleId);
  const created = incident?.firstSeen ?? f.firstSeen ?? ctx.now;
  const subject = Object.entries(f.subject).map(([k, v]) => `${k}=${v}`).join(', ');
  const finding: AwsSecurityFinding = {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(target, f.fingerprint),
    ProductArn: defaultProductArn(target),
    ProductName: PRODUCT_NAME,
    GeneratorId: f.ruleId,
    AwsAccountId: target.accountId,
    Types: types,
    CreatedAt: created,
    UpdatedAt: ctx.now,
    FirstObservedAt: f.firstSeen ?? created,
    LastObservedAt: f.lastSeen ?? ctx.now,
    Severity: { Label: label, Original: f.severity },
    FindingProviderFields: { Severity: { Label: label, Original: f.severity }, Types: types },
    Title: clean(subject ? `${f.title} (${subject})` : f.title, MAX_TITLE),
    Description: clean(f.message ?? incident?.impact ?? f.title, MAX_DESCRIPTION),
    Resources: resources(f, incident, ctx),
    RecordState: archived ? 'ARCHIVED' : 'ACTIVE',
    ProductFields: productFields(f, incident, ctx.cluster),
  };
  const text = recommendation(f.remediation ?? incident?.remediation);
  const url = ctx.reference(f.ruleId);
  if (text || url) finding.Remediation = { Recommendation: { ...(text ? { Text: text } : {}), ...(url ? { Url: url } : {}) } };
  // Security Hub takes Workflow from an import only when it creates the finding (after that the workflow belongs to
  // the people working it, and only BatchUpdateFindings changes it): sent with the archiving, it resolves a finding
  // first imported already resolved. Reopening (ARCHIVED to ACTIVE) resets the workflow to NEW on its own.
  if (archived) finding.Workflow = { Status: 'RESOLVED' };
  return finding;
}

/** The fix in at most 512 characters: whitespace folded, cut at a word with an ellipsis. */
export function recommendation(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const flat = cleanMultiline(text, 10_000).replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_RECOMMENDATION_TEXT) return flat || undefined;
  const cut = flat.slice(0, MAX_RECOMMENDATION_TEXT - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_RECOMMENDATION_TEXT / 2 ? cut.slice(0, space) : cut}…`;
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

function resources(f: AsffSource, incident: Incident | undefined, ctx: AsffContext): Resource[] {
  const [, partition = ctx.target.partition, , region = ctx.target.region] = ctx.clusterArn.split(':');
  const out: Resource[] = [
    { Type: 'AwsEksCluster', Id: ctx.clusterArn, Partition: partition as Resource['Partition'], Region: region, Details: { AwsEksCluster: { Name: ctx.cluster } } },
  ];
  const role = [f.subject['arn'], incident?.cause.roleArn].find((a): a is string => a !== undefined && IAM_ROLE_ARN.test(a));
  if (role) out.push({ Type: 'AwsIamRole', Id: role, Partition: role.split(':')[1] as Resource['Partition'], Region: ctx.target.region });
  return out;
}

function productFields(f: AsffSource, incident: Incident | undefined, cluster: string): Record<string, string> {
  const fields: Record<string, string> = {
    [`${PRODUCT_NAME}/RuleId`]: f.ruleId,
    [`${PRODUCT_NAME}/Cluster`]: cluster,
    [`${PRODUCT_NAME}/Count`]: String(f.count),
    [`${PRODUCT_NAME}/Fingerprint`]: f.fingerprint,
  };
  if (incident) {
    fields[`${PRODUCT_NAME}/IncidentId`] = incident.id;
    if (incident.status) fields[`${PRODUCT_NAME}/IncidentStatus`] = incident.status;
  }
  // Subject keys are few and short (the rules choose them); values are log text, already cleaned by the engine.
  for (const [k, v] of Object.entries(f.subject).slice(0, 20)) fields[`${PRODUCT_NAME}/Subject/${clean(k, 64)}`] = clean(v, MAX_PRODUCT_FIELD_VALUE);
  return fields;
}
