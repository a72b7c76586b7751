/**
 * Misconfiguration 1 (domain.md section 2): at 10:10 an admin maps the `batch` node role with
 * `username: WorkerNodeRole`. Once the API server's token cache (7 min) lets go of each kubelet's old
 * identity, the Node authorizer ignores it, RBAC refuses, and every lease and status write is 403: the
 * three nodes go NotReady.
 */
import { Rng } from '../prng';
import type { Micros } from '../time';
import { SECOND } from '../time';
import type { AuditEventJson } from '../audit-event';
import { allow, auditEvent, forbid } from '../audit-event';
import { kubeletLease, nodeStatusPatch } from '../kubelet-events';
import { awsAuthUpdate, mapRolesYaml } from '../control-plane-events';
import { accessGranted } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import {
  GROUPS, KUBECTL_USER_AGENT, READONLY_MAPPING, ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, kubelet,
  roleMapping, ticks,
} from './cluster';
import type { Out } from './traffic';
import { LEASE_PERIOD, grantLine, heartbeats } from './traffic';
import { AWS_AUTH_CREATED, AWS_AUTH_UID } from './healthy';

const START = at('10:10:00');
const END = at('10:16:00');
const MAPPING_CHANGED = at('10:10:12.480');

/** When each batch kubelet's cached identity expires and its next token maps to WorkerNodeRole. */
const SWITCH = [at('10:11:21.304'), at('10:12:07.851'), at('10:13:34.127')];

/**
 * After the switch, per node: the lease controller's five update attempts, then `ensureLease` getting the
 * lease with a backoff from 200 ms doubling to its 7 s cap; and the status patch every 10 s. (The kubelet
 * also re-reads its Node between patch retries; those GETs are left out to keep the sample small.)
 */
function refused(out: Out, index: number, from: Micros): void {
  const { rng } = out;
  const n = GROUPS.batch.nodes[index];
  if (!n) return;
  const k = kubelet(n, 'wrong-username');
  grantLine(out, n, 'wrong-username', from - 45_000);
  let t = from;
  for (let i = 0; i < 5; i++) {
    out.audit.add(t, kubeletLease({ rng, time: t, kubelet: k, verb: 'update', outcome: forbid() }));
    t += 12_000 + rng.int(20_000);
  }
  for (let backoff = 200_000; t < END; backoff = Math.min(backoff * 2, 7 * SECOND)) {
    out.audit.add(t, kubeletLease({ rng, time: t, kubelet: k, verb: 'get', outcome: forbid() }));
    t += backoff + rng.int(3000);
  }
  for (const s of ticks(rng, from + 2 * SECOND + rng.int(8 * SECOND), END, 10 * SECOND, 100_000)) {
    out.audit.add(s, nodeStatusPatch({ rng, time: s, kubelet: k, outcome: forbid() }));
  }
}

export function wrongNodeUsernameFiles(): { audit: string; authenticator: string } {
  const rng = new Rng('scenario:wrong-node-username');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };

  const admin = adminCaller(KUBECTL_USER_AGENT);
  out.authenticator.add(at('10:10:04.611'), accessGranted({
    time: at('10:10:04.611'), arn: admin.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:53310', groups: ['system:masters'],
    uid: admin.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  out.audit.add(at('10:10:04.902'), auditEvent({
    rng, time: at('10:10:04.902'), level: 'Metadata', caller: admin,
    request: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }, outcome: allow(),
  }));
  // `kubectl replace -f aws-auth.yaml` with the batch role added under the wrong username.
  out.audit.add(MAPPING_CHANGED, awsAuthUpdate({
    rng, time: MAPPING_CHANGED, caller: admin, manager: 'kubectl-replace', reason: '',
    mapRoles: mapRolesYaml([
      roleMapping(GROUPS.system, 'correct'), roleMapping(GROUPS.apps, 'correct'), roleMapping(GROUPS.batch, 'wrong-username'), READONLY_MAPPING,
    ]),
    mapUsers: '[]\n',
    state: { uid: AWS_AUTH_UID, resourceVersion: out.rv.at(at('10:03:48.115')), nextResourceVersion: out.rv.at(MAPPING_CHANGED), created: AWS_AUTH_CREATED },
  }));

  GROUPS.batch.nodes.forEach((n, i) => {
    const from = SWITCH[i] ?? END;
    // Until its cached identity expires the kubelet still renews as system:node:<name>.
    heartbeats(out, kubelet(n, 'correct'), new Rng(`lease:${n.name}`).uuid(), START + rng.int(LEASE_PERIOD), from - 2 * SECOND);
    refused(out, i, from);
  });

  return { audit: jsonLines(out.audit.sorted()), authenticator: textLines(out.authenticator.sorted()) };
}

export const wrongNodeUsername: Scenario = {
  dir: 'wrong-node-username',
  title: 'Misconfiguration 1: node role mapped with a username that is not system:node:…',
  story:
    'At 10:10 `kubernetes-admin` replaces aws-auth and maps the `batch` node group role ' +
    '(`arn:aws:iam::111122223333:role/eks-ng-batch-NodeInstanceRole`) with `username: WorkerNodeRole` and groups ' +
    '`system:bootstrappers`, `system:nodes`. As each kubelet\'s cached identity expires, its requests arrive as ' +
    '`WorkerNodeRole`: the Node authorizer ignores a user not named `system:node:<name>`, RBAC grants nodes nothing ' +
    'but CSR creation, so every lease update/get in `kube-node-lease` and every node status patch is refused ' +
    '(403, decision `forbid`, empty reason). The three batch nodes stop heart-beating and go NotReady.',
  expected: [
    { ruleId: 'aws-auth-node-username', because: 'the aws-auth write maps the batch node role to `WorkerNodeRole`' },
    { ruleId: 'node-identity-unrecognized', because: 'kubelets in `system:nodes` call as `WorkerNodeRole`: the username half is wrong' },
    { ruleId: 'node-lease-forbidden', because: 'each of the three batch kubelets gets 403 on its Lease, one finding per node' },
    { ruleId: 'authenticator-node-wrong-username', because: 'the authenticator grants the batch role `system:nodes` under the username `WorkerNodeRole`' },
  ],
  info: [],
  incidents: [
    {
      kind: 'node-role', key: GROUPS.batch.roleArn, cause: `node role \`${GROUPS.batch.roleName}\` mapped as \`WorkerNodeRole\``,
      findings: ['aws-auth-node-username', 'node-identity-unrecognized', 'node-lease-forbidden', 'node-lease-forbidden', 'node-lease-forbidden', 'authenticator-node-wrong-username'],
    },
  ],
  formats: '`kube-apiserver-audit.jsonl` (audit events, one per line), `authenticator.log`',
  files() {
    const f = wrongNodeUsernameFiles();
    return [
      { path: 'wrong-node-username/kube-apiserver-audit.jsonl', content: f.audit },
      { path: 'wrong-node-username/authenticator.log', content: f.authenticator },
    ];
  },
};
