/**
 * Misconfiguration 3 (domain.md section 2): the `web` node role keeps the right username,
 * `system:node:{{EC2PrivateDNSName}}`, but its groups become `[system:masters]`. The nodes keep working, yet
 * they are no longer in system:nodes, so neither the Node authorizer nor NodeRestriction confine them: two
 * unconfined cluster admins. Works != safe. Written gzipped, to show that input format.
 */
import { gzipSync } from 'node:zlib';
import { Rng } from '../prng';
import type { Micros } from '../time';
import { SECOND } from '../time';
import type { AuditEventJson } from '../audit-event';
import { allow, auditEvent } from '../audit-event';
import { nodeStatusPatch, podStatusPatch } from '../kubelet-events';
import { awsAuthUpdate, mapRolesYaml } from '../control-plane-events';
import { accessGranted } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import {
  EKSCTL_USER_AGENT, GROUPS, READONLY_MAPPING, ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, kubelet, roleMapping,
} from './cluster';
import type { Out } from './traffic';
import { LEASE_PERIOD, daemonPods, grantLine, heartbeats } from './traffic';
import { AWS_AUTH_CREATED, AWS_AUTH_UID } from './healthy';

const START = at('10:30:00');
const END = at('10:40:00');
const UPDATED = at('10:30:08.733');
const SWITCH: Micros[] = [at('10:31:40.205'), at('10:33:12.918')];

export function mastersNodeIdentityFiles(): { audit: string; authenticator: string } {
  const rng = new Rng('scenario:masters-node-identity');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };

  const eksctl = adminCaller(EKSCTL_USER_AGENT);
  out.authenticator.add(at('10:30:08.210'), accessGranted({
    time: at('10:30:08.210'), arn: eksctl.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:38552', groups: ['system:masters'],
    uid: eksctl.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  out.audit.add(at('10:30:08.514'), auditEvent({
    rng, time: at('10:30:08.514'), level: 'Metadata', caller: eksctl,
    request: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }, outcome: allow(),
  }));
  // `eksctl create iamidentitymapping --group system:masters --username system:node:{{EC2PrivateDNSName}}`.
  out.audit.add(UPDATED, awsAuthUpdate({
    rng, time: UPDATED, caller: eksctl, manager: 'eksctl', reason: '',
    mapRoles: mapRolesYaml([
      roleMapping(GROUPS.system, 'correct'), roleMapping(GROUPS.apps, 'correct'), READONLY_MAPPING, roleMapping(GROUPS.web, 'masters-node-identity'),
    ]),
    mapUsers: '[]\n',
    state: { uid: AWS_AUTH_UID, resourceVersion: out.rv.at(at('10:20:31.066')), nextResourceVersion: out.rv.at(UPDATED), created: AWS_AUTH_CREATED },
  }));

  GROUPS.web.nodes.forEach((n, i) => {
    const leaseUid = new Rng(`lease:${n.name}`).uuid();
    const from = SWITCH[i] ?? END;
    heartbeats(out, kubelet(n, 'correct'), leaseUid, START + rng.int(LEASE_PERIOD), from - 2 * SECOND);
    // From here on its token maps to system:node:<name> in [system:masters]: all allowed, nothing confined.
    const k = kubelet(n, 'masters-node-identity');
    grantLine(out, n, 'masters-node-identity', from - 40_000);
    heartbeats(out, k, leaseUid, from, END);
    const status = from + 60 * SECOND + rng.int(60 * SECOND);
    out.audit.add(status, nodeStatusPatch({ rng, time: status, kubelet: k }));
    const pod = daemonPods(rng, n)[0];
    const ready = from + 3 * 60 * SECOND + rng.int(60 * SECOND);
    if (pod) out.audit.add(ready, podStatusPatch({ rng, time: ready, kubelet: k, pod, startedAt: ready - 6 * SECOND }));
  });

  return { audit: jsonLines(out.audit.sorted()), authenticator: textLines(out.authenticator.sorted()) };
}

/** gzip with mtime 0 and no file name: the same bytes on every run with the same zlib. */
export function gzipDeterministic(text: string): Buffer {
  return gzipSync(Buffer.from(text), { level: 9 });
}

export const mastersNodeIdentity: Scenario = {
  dir: 'masters-node-identity',
  title: 'Misconfiguration 3: node identity kept, but in system:masters instead of system:nodes',
  story:
    'At 10:30 `kubernetes-admin` uses eksctl to map the `web` node group role (`eks-ng-web-NodeInstanceRole`) with ' +
    '`username: system:node:{{EC2PrivateDNSName}}` and `groups: [system:masters]`. The web kubelets keep working: their ' +
    'requests come from `system:node:ip-…` in `[system:masters, system:authenticated]` and are all allowed. But without ' +
    '`system:nodes` neither the Node authorizer nor NodeRestriction applies to them: each web node is an unconfined ' +
    'cluster admin. Works is not safe.',
  expected: [
    { ruleId: 'aws-auth-node-missing-groups', because: 'the web node role mapping lacks `system:nodes`' },
    { ruleId: 'aws-auth-node-system-masters', because: 'that mapping grants `system:masters`' },
    { ruleId: 'node-identity-unrecognized', because: 'kubelets named `system:node:…` are not in `system:nodes`: the group half is wrong' },
    { ruleId: 'node-system-masters', because: 'the kubelets\' groups include `system:masters`' },
  ],
  info: [],
  incidents: [
    {
      kind: 'node-role', key: GROUPS.web.roleArn,
      cause: `node role \`${GROUPS.web.roleName}\` mapped to \`system:masters\` instead of \`system:nodes\`, each kubelet judged under its own name`,
      findings: ['aws-auth-node-missing-groups', 'aws-auth-node-system-masters', 'node-identity-unrecognized', 'node-identity-unrecognized', 'node-system-masters', 'node-system-masters'],
    },
  ],
  formats: '`kube-apiserver-audit.jsonl.gz` (the same one-event-per-line audit log, gzipped as archived logs often are), `authenticator.log`',
  files() {
    const f = mastersNodeIdentityFiles();
    return [
      { path: 'masters-node-identity/kube-apiserver-audit.jsonl.gz', content: gzipDeterministic(f.audit) },
      { path: 'masters-node-identity/authenticator.log', content: f.authenticator },
    ];
  },
};
