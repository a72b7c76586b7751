import type { Rule } from '../../model/rule';
import { declareThreshold, thresholdOf } from '../../model/rule-settings';
import type { AuditEvent } from '../../model/records';
import type { Buffered } from '../support/buffered-observation';
import { addRecord, emitBuffered, emptyBuffered, recordCount } from '../support/buffered-observation';
import { auditEvidence, isForbidden } from '../../model/audit';
import { RequestOnce, requestId } from '../../model/request-once';
import { isNodeCredential, isRecognizedNode, str, username } from '../../model/identity';
import { claimedSourceIPs, requestTarget, sourceIP } from '../support/request-target';
import { tallyText, timeSpan } from '../support/node-mapping';
import { DistinctCounter } from '../../model/distinct-counter';

/** Enough distinct resources to judge any sane threshold, without letting a scanner's million paths grow memory. */
const MAX_TRACKED_RESOURCES = 10_000;
/** Resources named in the message, most refused first. */
const LISTED_RESOURCES = 8;
/** Forwarded-for addresses a principal claimed that are kept to show (all distinct ones are counted up to the cap). */
const LISTED_CLAIMED = 3;
const MAX_TRACKED_CLAIMED = 1_000;
/**
 * Principals followed one by one. A million callers from a million addresses (a scan of the internet, or a log
 * written to exhaust memory) would each cost a buffer (about 2 KB with its evidence: 10,000 of them were most of a
 * scan's live heap); past this many, new principals are counted, not followed, and a burst among them is reported
 * as one finding.
 */
export const MAX_PRINCIPALS = 2_000;
/** Distinct resources tracked over all principals: what bounds the rule when many principals each try many paths. */
const MAX_TRACKED_RESOURCES_TOTAL = 200_000;

interface Principal {
  username: string;
  ip: string;
  buffered: Buffered;
  resources: Map<string, number>;
  /** Paths a grouped query row counted (Aggregate.distinctPaths) beyond the two its samples show. */
  unlistedPaths: number;
  /** X-Forwarded-For / X-Real-Ip addresses the client sent: evidence, never part of the key. */
  claimed: Set<string>;
  userAgent?: string;
}

/**
 * Identities this rule leaves to others: node credentials (node-* rules explain their 403s, and a thief
 * with a node credential shows up in node-unrelated-object-access) and EKS's own principals (eks:*), whose
 * refusals come from AWS-managed RBAC during upgrades and are not the user's to fix.
 */
function leftToOthers(e: AuditEvent, user: string): boolean {
  return isNodeCredential(e) || isRecognizedNode(e) || user.startsWith('eks:');
}

/**
 * Permission probing: one principal (username and source address) refused many times across many
 * resources, as when a stolen token is tried against everything or a scanner walks paths. A controller
 * briefly forbidden during an upgrade repeats a few resources and stays under the thresholds
 * (FORBIDDEN_BURST and FORBIDDEN_BURST_RESOURCES, per window: the input scanned).
 */
export const FORBIDDEN_BURST = declareThreshold({
  name: 'forbiddenBurst',
  default: 50,
  doc: 'forbidden-burst: 403s of one principal (username and source IP) in one window that make a burst',
});
export const FORBIDDEN_BURST_RESOURCES = declareThreshold({
  name: 'forbiddenBurstResources',
  default: 5,
  doc: 'forbidden-burst: distinct resources (or URL paths) those 403s must span',
});

export const forbiddenBurst: Rule = {
  id: 'forbidden-burst',
  severity: 'medium',
  title: 'Burst of 403s across many resources (permission probing)',
  description:
    'One principal (username and the connection\'s source IP, which the client cannot forge) got at least N 403 Forbidden responses across at least M distinct resources or URL paths in the scanned window (defaults 50 and 5; --forbidden-burst and --forbidden-burst-resources in the CLI): ' +
    'someone mapping what a credential may do. Node credentials (covered by the node-* rules) and EKS-internal eks:* principals are left out.',
  remediation:
    'Identify the workload or person behind the identity and source address; if it is not expected, revoke the credential (rotate the service account token, remove the IAM mapping) and investigate; if it is a controller missing permissions, grant exactly those.',
  references: [
    'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
    'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/',
  ],
  needs: {
    stream: 'audit',
    filter: "responseStatus.code = 403 and user.username not like /^(system:node:|eks:)/",
    // Per resource, so each row's count belongs to one target of one principal. Not sourceIPs: the keys of all
    // audit rules are grouped by together, and an address key would split the node traffic other rules count into
    // one row per node. Server-side, a username's 403s from several addresses share a row whose sample names one
    // address; a local scan separates them exactly. Non-resource paths are not keys (see anonymous-request-allowed).
    keys: ['user.username', 'objectRef.resource', 'objectRef.subresource'],
  },
  thresholds: [FORBIDDEN_BURST, FORBIDDEN_BURST_RESOURCES],
  create(context) {
    const minCount = thresholdOf(context.settings, FORBIDDEN_BURST);
    const minResources = thresholdOf(context.settings, FORBIDDEN_BURST_RESOURCES);
    const principals = new Map<string, Principal>();
    const requests = new RequestOnce();
    let trackedResources = 0;
    const untracked = { principals: new DistinctCounter(), buffered: emptyBuffered() };
    return {
      // The fast path's contract (RuleRun.wantsAudit): only 403s are counted.
      wantsAudit: (head) => isForbidden(head),
      onAudit(record) {
        const e = record.event;
        if (!isForbidden(e)) return;
        const user = username(e);
        if (user === undefined || leftToOthers(e, user)) return;
        const ip = sourceIP(e) ?? '(unknown)';
        const key = `${user}\u0000${ip}`;
        // The threshold counts requests: a request read twice (or logged at two stages) is one refusal.
        const id = requestId(record);
        if (id !== undefined && !requests.first(`${key}\u0000${id}`)) return;
        let p = principals.get(key);
        if (!p && principals.size >= MAX_PRINCIPALS) {
          untracked.principals.add(key);
          addRecord(untracked.buffered, record, untracked.buffered.evidence.length < 5 ? auditEvidence(record) : undefined);
          return;
        }
        if (!p) principals.set(key, (p = { username: user, ip, buffered: emptyBuffered(), resources: new Map(), unlistedPaths: 0, claimed: new Set() }));
        for (const claimed of claimedSourceIPs(e)) if (p.claimed.size < MAX_TRACKED_CLAIMED) p.claimed.add(claimed);
        addRecord(p.buffered, record, auditEvidence(record));
        p.userAgent ??= str(e.userAgent);
        const t = requestTarget(e);
        const target = t?.value ?? '(unknown)';
        // A query row stands for many paths of one principal; its samples name at most two of them.
        const counted = record.aggregate?.distinctPaths;
        if (t?.kind === 'path' && counted !== undefined && counted > 2) p.unlistedPaths += counted - 2;
        const seen = p.resources.get(target);
        if (seen !== undefined) p.resources.set(target, seen + recordCount(record));
        else if (p.resources.size < MAX_TRACKED_RESOURCES && trackedResources < MAX_TRACKED_RESOURCES_TOTAL) {
          p.resources.set(target, recordCount(record));
          trackedResources++;
        }
      },
      finish(emit) {
        if (untracked.buffered.count >= minCount) {
          // A burst may hide among them: say so, with how many there were, rather than judge them unseen.
          const n = untracked.principals;
          const facts = { untracked: n.text(untracked.buffered.count), thresholds: `${minCount} refusals across ${minResources} resources` };
          emitBuffered(emit, { username: '(principals not followed)', sourceIP: '(many)' }, untracked.buffered, { facts });
        }
        for (const p of principals.values()) {
          const distinct = p.resources.size + p.unlistedPaths;
          if (p.buffered.count < minCount || distinct < minResources) continue;
          const top = [...p.resources.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, LISTED_RESOURCES);
          const facts: Record<string, string> = {
            resources: String(distinct),
            thresholds: `${minCount} refusals across ${minResources} resources`,
          };
          if (p.userAgent) facts['userAgent'] = p.userAgent;
          if (p.claimed.size > 0) {
            const shown = [...p.claimed].slice(0, LISTED_CLAIMED).join(', ');
            const more = p.claimed.size > LISTED_CLAIMED ? ` and ${p.claimed.size - LISTED_CLAIMED}${p.claimed.size >= MAX_TRACKED_CLAIMED ? '+' : ''} more` : '';
            facts['claimed'] = `${shown}${more}`;
          }
          emitBuffered(emit, { username: p.username, sourceIP: p.ip }, p.buffered, { tally: Object.fromEntries(top), facts });
        }
      },
    };
  },
  describe(g) {
    const { username: user, sourceIP: ip } = g.subject;
    if (g.facts['untracked']) {
      return {
        message:
          `${g.facts['untracked']} more principals (username and address) got ${g.count.toLocaleString('en-US')} 403 Forbidden responses in this input${timeSpan(g.firstSeen, g.lastSeen)}, ` +
          `past the ${MAX_PRINCIPALS.toLocaleString('en-US')} this rule follows one by one (memory stays bounded whatever the input): ` +
          'a burst among them cannot be ruled out. So many refused callers is itself a sign of a scan or of a log written to flood this audit.',
        remediation: 'Look at the evidence and at the callers with the most refusals (a Logs Insights query grouped by user.username and sourceIPs), and limit who can reach the API endpoint.',
      };
    }
    const distinct = Number(g.facts['resources'] ?? '0');
    const listed = tallyText(g.tally);
    const more = distinct > LISTED_RESOURCES ? `, and ${distinct - LISTED_RESOURCES} more` : '';
    const agent = g.facts['userAgent'] ? ` with ${g.facts['userAgent']}` : '';
    const claimed = g.facts['claimed'] ? ` (claiming to forward for ${g.facts['claimed']}: X-Forwarded-For, set by the client, so not trusted)` : '';
    const anonymous = user === 'system:anonymous';
    const who = anonymous
      ? 'An unauthenticated client walking URLs is a scanner: common on a public endpoint, and a sign the endpoint is reachable by anyone.'
      : 'Refusals spread over many resources are what probing looks like: someone holding this identity (a stolen service account token, a leaked kubeconfig) is mapping what it may do. A controller missing permissions after an upgrade repeats a few resources instead.';
    return {
      message:
        `${user} from ${ip}${claimed}${agent} got 403 Forbidden ${g.count} times on ${distinct} distinct resources in this input${timeSpan(g.firstSeen, g.lastSeen)} ` +
        `(thresholds: ${g.facts['thresholds'] ?? '?'} per window; the window is the input scanned: all files for the CLI, one run for the Lambda): ` +
        `${listed}${more}. ${who} Certain of the refusals; the intent is inferred from their spread.`,
      remediation: anonymous
        ? `Limit who can reach the API endpoint: aws eks update-cluster-config --name <cluster-name> --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs="<your CIDRs>" ` +
          `(or endpointPrivateAccess=true,endpointPublicAccess=false), or block ${ip} upstream. The refusals show RBAC held.`
        : `Find what runs as ${user} at ${ip}. If it is not expected, revoke the credential (for a service account: delete the pod or the token Secret so the token rotates, and inspect the pod; ` +
          `for an IAM identity: remove its access entry or aws-auth mapping) and review what it was allowed in the same window. ` +
          'If it is a controller missing permissions, grant exactly the refused verbs and resources in its Role.',
    };
  },
};
