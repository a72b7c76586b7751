/**
 * The most common way an EKS node fails, one step before the audit log: its IAM role is not mapped at all.
 * At 10:05:40 Karpenter launches two nodes with `KarpenterNodeRole-demo`, a role nobody added to aws-auth or
 * to an access entry; at 10:06:10 a Terraform apply rewrites aws-auth from a template that never knew the
 * `apps` node group. Every token review of those roles ends in `access denied ... error="ARN is not mapped"`:
 * the Karpenter nodes never join, and the apps kubelets stop heart-beating once their cached identity
 * expires. A developer whose role was never mapped is refused three times: not a node, and not a burst.
 */
import { Rng } from '../prng';
import type { Micros } from '../time';
import { SECOND } from '../time';
import type { AuditEventJson, Caller } from '../audit-event';
import { allow, auditEvent, roleArn } from '../audit-event';
import { awsAuthUpdate, mapRolesYaml } from '../control-plane-events';
import { accessDenied, accessGranted, logrusLine } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import {
  ACCOUNT, GROUPS, READONLY_MAPPING, ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, kubelet, nodeManagerCaller, roleMapping,
} from './cluster';
import type { Out } from './traffic';
import { LEASE_PERIOD, heartbeats } from './traffic';
import { AWS_AUTH_CREATED, AWS_AUTH_UID } from './healthy';

const START = at('10:05:00');
const END = at('10:10:00');
const REWRITTEN = at('10:06:10.377');
/** When each apps kubelet's cached identity expires and its next token review is refused. */
const EXPIRY: readonly Micros[] = [at('10:07:32.118'), at('10:08:15.604'), at('10:09:03.271')];

export const KARPENTER_ROLE = 'KarpenterNodeRole-demo';
export const KARPENTER_ROLE_ARN = roleArn(ACCOUNT, KARPENTER_ROLE);

/** What identifies one token review of an IAM role session in the authenticator log. */
interface Session {
  readonly roleName: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
}

/**
 * The `STS response` line aws-iam-authenticator logs once STS has checked a token (pkg/server/server.go):
 * the session ARN, the session name (an instance id for an instance profile), the account and user ids.
 */
export function stsResponse(time: Micros, client: string, s: Session): string {
  return logrusLine(time, 'info', 'STS response', {
    accesskeyid: s.accessKeyId, accountid: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${s.roleName}/${s.sessionName}`,
    client, method: 'POST', path: '/authenticate', session: s.sessionName, userid: `${s.roleId}:${s.sessionName}`,
  });
}

/** One refused token review: the STS response, then the verdict a few milliseconds later. */
function refusedReview(out: Out, time: Micros, s: Session): void {
  const client = `127.0.0.1:${40000 + out.rng.int(20000)}`;
  out.authenticator.add(time, stsResponse(time, client, s));
  const verdict = time + 2_000 + out.rng.int(4_000);
  out.authenticator.add(verdict, accessDenied({ time: verdict, arn: roleArn(ACCOUNT, s.roleName), client, error: 'ARN is not mapped' }));
}

/** A kubelet that cannot authenticate retries with back-off: first after a few seconds, then every ~20 s. */
function retries(out: Out, from: Micros, s: Session): void {
  let wait = 2 * SECOND;
  for (let t = from; t < END; t += wait + out.rng.int(3 * SECOND)) {
    refusedReview(out, t, s);
    wait = Math.min(wait * 2, 20 * SECOND);
  }
}

function karpenterNodes(out: Out): void {
  const roleId = `AROA${new Rng(`role:${KARPENTER_ROLE}`).chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
  [at('10:06:20.512'), at('10:06:45.088')].forEach((first, i) => {
    const rng = new Rng(`karpenter-node:${i}`);
    const s: Session = { roleName: KARPENTER_ROLE, roleId, sessionName: `i-0${rng.hex(16)}`, accessKeyId: `ASIA${rng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` };
    retries(out, first, s);
  });
}

function appsNodes(out: Out): void {
  GROUPS.apps.nodes.forEach((n, i) => {
    const expiry = EXPIRY[i] ?? END;
    // Until its cached identity expires the kubelet still renews as system:node:<name>: the kubelet traffic
    // that ties this role to nodes.
    heartbeats(out, kubelet(n, 'correct'), new Rng(`lease:${n.name}`).uuid(), START + out.rng.int(LEASE_PERIOD), expiry - 2 * SECOND);
    retries(out, expiry, { roleName: n.group.roleName, roleId: n.group.roleId, sessionName: n.instanceId, accessKeyId: n.accessKeyId });
  });
}

function terraformRewrite(out: Out): void {
  const terraform: Caller = adminCaller('HashiCorp/1.0 Terraform/1.9.8');
  out.authenticator.add(at('10:06:09.902'), accessGranted({
    time: at('10:06:09.902'), arn: terraform.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:44120', groups: ['system:masters'],
    uid: terraform.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  out.audit.add(at('10:06:10.118'), auditEvent({
    rng: out.rng, time: at('10:06:10.118'), level: 'Metadata', caller: terraform,
    request: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }, outcome: allow(),
  }));
  // The template knows the system node group and the read-only role; the apps mapping is gone.
  out.audit.add(REWRITTEN, awsAuthUpdate({
    rng: out.rng, time: REWRITTEN, caller: terraform, manager: 'Terraform', reason: '',
    mapRoles: mapRolesYaml([roleMapping(GROUPS.system, 'correct'), READONLY_MAPPING]), mapUsers: '[]\n',
    state: { uid: AWS_AUTH_UID, resourceVersion: out.rv.at(at('10:03:48.115')), nextResourceVersion: out.rv.at(REWRITTEN), created: AWS_AUTH_CREATED },
  }));
}

/** Benign look-alikes: EKS's node manager is let in; a developer's unmapped role is refused three times. */
function lookAlikes(out: Out): void {
  const nm = nodeManagerCaller(at('10:05:31'));
  out.authenticator.add(at('10:05:31.440'), accessGranted({
    time: at('10:05:31.440'), arn: nm.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:51907', groups: [],
    uid: nm.user.uid ?? '', username: 'eks:node-manager', stsEndpoint: STS_ENDPOINT,
  }));
  const developer: Session = { roleName: 'developer', roleId: `AROA${new Rng('role:developer').chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, sessionName: 'alice', accessKeyId: `ASIA${new Rng('key:alice-dev').chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` };
  for (const hms of ['10:07:50.031', '10:07:58.460', '10:08:05.913']) refusedReview(out, at(hms), developer);
}

export function unmappedNodeFiles(): { audit: string; authenticator: string } {
  const rng = new Rng('scenario:unmapped-node');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };
  lookAlikes(out);
  terraformRewrite(out);
  karpenterNodes(out);
  appsNodes(out);
  return { audit: jsonLines(out.audit.sorted()), authenticator: textLines(out.authenticator.sorted()) };
}

export const unmappedNode: Scenario = {
  dir: 'unmapped-node',
  title: 'Node IAM roles that are not mapped: nodes that never join',
  story:
    `At 10:05:40 Karpenter launches two nodes with the role \`${KARPENTER_ROLE}\`, which nobody added to aws-auth or to an ` +
    'access entry; at 10:06:10 a Terraform apply rewrites aws-auth from a template that does not know the `apps` node group ' +
    `(\`${GROUPS.apps.roleName}\`). Every token review of those roles ends in \`msg="access denied" ... error="ARN is not mapped"\`: ` +
    'the Karpenter nodes never register (the audit log has nothing from them), and each apps kubelet, after heart-beating ' +
    'normally, is refused once its cached identity expires and goes NotReady. The authenticator also logs an `STS response` ' +
    'line per review, whose session is the instance id. A developer\'s unmapped role (`developer`, session `alice`) is refused ' +
    'three times: not a node role, and below the burst threshold; EKS\'s own `eks:node-manager` is let in as usual.',
  expected: [
    {
      ruleId: 'authenticator-node-unmapped',
      because:
        `two findings: \`${KARPENTER_ROLE}\`, judged a node role because its sessions are named like EC2 instances, and ` +
        `\`${GROUPS.apps.roleName}\`, certain because kubelet requests in the same input were signed by it`,
    },
  ],
  info: [],
  incidents: [
    {
      kind: 'node-role', key: GROUPS.apps.roleArn, cause: `node role \`${GROUPS.apps.roleName}\`, left out of aws-auth by the Terraform rewrite`,
      findings: ['authenticator-node-unmapped'],
    },
    { kind: 'node-role', key: KARPENTER_ROLE_ARN, cause: `node role \`${KARPENTER_ROLE}\`, mapped nowhere`, findings: ['authenticator-node-unmapped'] },
  ],
  formats: '`authenticator.log` (aws-iam-authenticator logrus lines, with `STS response` lines), `kube-apiserver-audit.jsonl` (audit events, one per line)',
  files() {
    const f = unmappedNodeFiles();
    return [
      { path: 'unmapped-node/authenticator.log', content: f.authenticator },
      { path: 'unmapped-node/kube-apiserver-audit.jsonl', content: f.audit },
    ];
  },
};
