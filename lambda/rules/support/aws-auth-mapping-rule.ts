import type { IncidentJoin, ObservationGroup, RuleRun, ScanContext } from '../../model/rule';
import type { Evidence } from '../../model/findings';
import type { Mapping } from './aws-auth-mappings';
import type { AwsAuthWrite } from './aws-auth-writes';
import { MAPPING_LISTS, agentName, isAwsAuthHead, readAwsAuthWrite } from './aws-auth-writes';
import { readMapRolesWrite } from './map-roles-write';
import type { RememberedMapRoles } from './remembered-aws-auth';
import { rememberedMapRoles } from './remembered-aws-auth';
import { NODE_USERNAME_TEMPLATES, nodeRoleReason, parseMappingList } from './aws-auth-mappings';
import { BOOTSTRAPPERS_GROUP, MASTERS_GROUP, NODES_GROUP } from '../../model/identity';
import { shellArg, yamlScalar } from '../../model/quote';

/** Kept here too: other rules and the engine's incident words import it from this file. */
export { yamlScalar } from '../../model/quote';

/**
 * Shared run for the rules that judge single aws-auth mappings. Whether a mapping belongs to a node role may
 * only be known from kubelet requests seen later in the input (ScanContext.nodeRoleArns is complete only in
 * finish()), so the parsed mappings of every write are kept and judged at the end. aws-auth writes are rare
 * and small: buffering them costs little. When the input holds no write that sets mapRoles, the mapRoles that
 * earlier runs remembered (ScanContext.knownAwsAuth) is judged instead: aws-auth still holds it, so a bad node
 * role mapping stays a finding (same rule, subject and fingerprint) until a write changes it.
 */

/** What a rule says about one mapping: facts for its message, or undefined when the mapping is fine. */
export type JudgeMapping = (m: Mapping, nodeRole: string | undefined) => Record<string, string> | undefined;

const WRITER_TALLY = 'writer:';

/** A node role's aws-auth entry joins the incident of that role: the mapping is its cause, not a failure. */
export const NODE_ROLE_MAPPING_INCIDENT: IncidentJoin = { cause: 'node-role', by: 'arn', username: 'username', groups: 'groups' };

export function mappingRuleRun(context: ScanContext, judge: JudgeMapping): RuleRun {
  const writes: { write: AwsAuthWrite; mappings: Mapping[] }[] = [];
  // A write of mapRoles in the input replaces what earlier runs remembered (it is judged itself).
  let mapRolesWritten = false;
  return {
    wantsAudit: isAwsAuthHead,
    onAudit(record) {
      if (!mapRolesWritten && readMapRolesWrite(record)) mapRolesWritten = true;
      const write = readAwsAuthWrite(record);
      if (!write) return;
      const mappings = MAPPING_LISTS.flatMap((list) => parseMappingList(list, write.data[list]).mappings);
      if (mappings.length > 0) writes.push({ write, mappings });
    },
    finish(emit) {
      const nodeArns = new Set([...context.nodeRoleArns].map((a) => a.toLowerCase()));
      // count = writes that carried the bad mapping, so one write counts once per subject.
      const judgeAll = (mappings: readonly Mapping[], source: MappingSource): void => {
        const judged = new Set<string>();
        for (const m of mappings) {
          if (judged.has(m.arn)) continue;
          const nodeRole = nodeRoleReason(m, nodeArns);
          const facts = judge(m, nodeRole);
          if (!facts) continue;
          judged.add(m.arn);
          emit({
            subject: { arn: m.arn },
            ...(source.time !== undefined ? { time: source.time } : {}),
            evidence: source.evidence,
            ...(source.tally ? { tally: source.tally } : {}),
            facts: { ...mappingFacts(m), ...source.facts, ...(nodeRole ? { nodeRole } : {}), ...facts },
          });
        }
      };
      for (const { write, mappings } of writes) {
        judgeAll(mappings, { time: write.time, evidence: write.evidence, tally: { [`${WRITER_TALLY}${write.writer}`]: 1 }, facts: writerFacts(write) });
      }
      const remembered = mapRolesWritten ? undefined : rememberedMapRoles(context.knownAwsAuth);
      if (remembered) judgeAll(parseMappingList('mapRoles', remembered.mapRoles).mappings, rememberedSource(remembered));
    },
  };
}

/** Where the judged mappings come from: a write in the input, or the content earlier runs remembered. */
interface MappingSource {
  readonly time: string | undefined;
  readonly evidence: Evidence;
  readonly tally?: Record<string, number>;
  readonly facts: Record<string, string>;
}

/** Fact set on findings judged from remembered content: when that content was last known. */
const REMEMBERED_FACT = 'remembered';
const REMEMBERED_SOURCE = 'aws-auth as remembered from an earlier run';

/**
 * The remembered content, described as honestly as the memory allows: who wrote it and when when its write is
 * still remembered, else only when it was last seen. Not a write of this window: no writer tally.
 */
function rememberedSource(r: RememberedMapRoles): MappingSource {
  const w = r.write;
  const time = w?.time ?? r.seenAt;
  const facts: Record<string, string> = { [REMEMBERED_FACT]: r.seenAt ?? w?.time ?? 'an unknown time' };
  if (w) {
    facts['writer'] = w.username ?? '(unknown user)';
    facts['writerAgent'] = agentName(w.userAgent);
    facts['writtenAt'] = w.time ?? 'an unknown time';
    if (w.arn) facts['writerArn'] = w.arn;
  }
  const evidence: Evidence = { source: REMEMBERED_SOURCE, truncated: false };
  if (time !== undefined) evidence.time = time;
  if (w?.auditID) evidence.auditID = w.auditID;
  if (w) evidence.verb = w.verb;
  return { time, evidence, facts };
}

function mappingFacts(m: Mapping): Record<string, string> {
  return {
    list: m.list,
    username: m.username ?? '(none)',
    groups: `[${m.groups.join(', ')}]`,
  };
}

function writerFacts(w: AwsAuthWrite): Record<string, string> {
  const facts: Record<string, string> = { writer: w.writer, writerAgent: w.agent, writtenAt: w.time ?? 'an unknown time' };
  if (w.writerArn) facts['writerArn'] = w.writerArn;
  return facts;
}

/**
 * "written by kubernetes-admin via eksctl at 2023-07-05T22:54:54Z", plus the other writers when there were several
 * writes. For content remembered from an earlier run, says so: no write of this window set it.
 */
export function writtenBy(g: ObservationGroup): string {
  const f = g.facts;
  const first = `written by ${f['writer']} via ${f['writerAgent']} at ${f['writtenAt']}`;
  const remembered = f[REMEMBERED_FACT];
  if (remembered !== undefined) {
    const origin = f['writer'] !== undefined ? first : `as last seen at ${remembered}`;
    return `${origin} (still in aws-auth as remembered from an earlier run: no write in this window changed mapRoles)`;
  }
  if (g.count <= 1) return first;
  const writers = Object.entries(g.tally)
    .filter(([k]) => k.startsWith(WRITER_TALLY))
    .map(([k, n]) => `${k.slice(WRITER_TALLY.length)} x${n}`)
    .join(', ');
  return `carried by ${g.count} writes (${writers}), first ${first}`;
}

/** How sure we are that this is a node role's mapping. */
export function nodeRoleCertainty(g: ObservationGroup): string {
  return `It is a node role's mapping because ${g.facts['nodeRole'] ?? 'it looks like one'}.`;
}

function isFargateLike(g: ObservationGroup): boolean {
  return (g.facts['username'] ?? '').includes('{{SessionName}}') || (g.facts['groups'] ?? '').includes('system:node-proxier');
}

/** A YAML scalar that survives as written: plain when safe, else double-quoted (JSON strings are YAML). */

/**
 * The corrected aws-auth entry for a node role (extra groups such as system:node-proxier kept, system:masters
 * dropped), and the access entry that can replace it. Flow style, because findings are one line of text.
 */
export function nodeRoleFix(g: ObservationGroup): string {
  const arn = g.subject['arn'] ?? '<node role ARN>';
  const fargate = isFargateLike(g);
  const kept = (g.facts['groups'] ?? '[]')
    .slice(1, -1)
    .split(', ')
    .filter((x) => x && x !== MASTERS_GROUP && x !== BOOTSTRAPPERS_GROUP && x !== NODES_GROUP);
  const groups = [BOOTSTRAPPERS_GROUP, NODES_GROUP, ...kept].map(yamlScalar).join(', ');
  const user = fargate ? NODE_USERNAME_TEMPLATES[1]! : NODE_USERNAME_TEMPLATES[0]!;
  const type = fargate ? 'FARGATE_LINUX' : 'EC2_LINUX';
  return (
    `In aws-auth mapRoles, replace the entry with: - {rolearn: ${g.subject['arn'] ? yamlScalar(arn) : arn}, username: ${JSON.stringify(user)}, groups: [${groups}]} ` +
    `or create an access entry and then delete the aws-auth entry: ` +
    `aws eks create-access-entry --cluster-name ${shellArg(g.cluster)} --principal-arn ${g.subject['arn'] ? shellArg(arn) : arn} --type ${type}` +
    (fargate ? '. ' : ' (EC2_WINDOWS for Windows nodes). ') +
    `Access entries need authentication mode API_AND_CONFIG_MAP or API; with both, the access entry wins over aws-auth for the same role.`
  );
}
