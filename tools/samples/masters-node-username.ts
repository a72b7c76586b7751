/**
 * Misconfiguration 2 (domain.md section 2): the `gpu` node role is mapped to `system:masters` with username
 * `WorkerNodeRole`. Everything works through system:masters, so the two new GPU nodes join and are Ready,
 * but their kubelet-serving CSRs come from `WorkerNodeRole` and EKS never approves them; and every GPU node
 * is a cluster admin.
 */
import { Rng } from '../prng';
import type { AuditEventJson } from '../audit-event';
import { allow, auditEvent } from '../audit-event';
import { awsAuthPatch, mapRolesYaml } from '../control-plane-events';
import { accessGranted } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import {
  GROUPS, KUBECTL_USER_AGENT, READONLY_MAPPING, ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, roleMapping,
} from './cluster';
import type { Out } from './traffic';
import { nodeStartup } from './traffic';
import { AWS_AUTH_CREATED, AWS_AUTH_UID } from './healthy';

const END = at('10:30:00');
const EDITED = at('10:20:31.066');

export function mastersNodeUsernameFiles(): { audit: string; authenticator: string } {
  const rng = new Rng('scenario:masters-node-username');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };

  const admin = adminCaller(KUBECTL_USER_AGENT);
  out.authenticator.add(at('10:19:57.340'), accessGranted({
    time: at('10:19:57.340'), arn: admin.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:41276', groups: ['system:masters'],
    uid: admin.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  out.audit.add(at('10:19:57.655'), auditEvent({
    rng, time: at('10:19:57.655'), level: 'Metadata', caller: admin,
    request: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }, outcome: allow(),
  }));
  // `kubectl edit configmap aws-auth`: a merge patch carrying the whole new mapRoles text.
  out.audit.add(EDITED, awsAuthPatch({
    rng, time: EDITED, caller: admin, manager: 'kubectl-edit', reason: '', query: 'fieldManager=kubectl-edit',
    mapRoles: mapRolesYaml([
      roleMapping(GROUPS.system, 'correct'), roleMapping(GROUPS.apps, 'correct'), roleMapping(GROUPS.gpu, 'masters-username'), READONLY_MAPPING,
    ]),
    state: { uid: AWS_AUTH_UID, resourceVersion: out.rv.at(at('10:10:12.480')), nextResourceVersion: out.rv.at(EDITED), created: AWS_AUTH_CREATED },
  }));

  // Two GPU nodes launch and join as WorkerNodeRole: allowed everything, serving CSR never approved.
  const starts = [at('10:22:14.512'), at('10:22:16.938')];
  GROUPS.gpu.nodes.forEach((n, i) => {
    nodeStartup(out, n, 'masters-username', { start: starts[i] ?? END, end: END, csrApproved: false });
  });

  return { audit: jsonLines(out.audit.sorted()), authenticator: textLines(out.authenticator.sorted()) };
}

export const mastersNodeUsername: Scenario = {
  dir: 'masters-node-username',
  title: 'Misconfiguration 2: node role mapped to system:masters with username WorkerNodeRole',
  story:
    'At 10:20 `kubernetes-admin` edits aws-auth and maps the `gpu` node group role ' +
    '(`eks-ng-gpu-NodeInstanceRole`) with `groups: [system:masters]` and `username: WorkerNodeRole`. Two GPU nodes ' +
    'launch at 10:22 and everything they ask is allowed (decision `allow`, empty reason: system:masters), so they look ' +
    'healthy. But their kubelet-serving CSRs are requested by `WorkerNodeRole`, not `system:node:<name>`: EKS never ' +
    'approves them (no `eks:certificate-controller` approval follows), so `kubectl logs`/`exec` to these nodes fail. ' +
    'And every GPU node is a cluster admin.',
  expected: [
    { ruleId: 'aws-auth-node-username', because: 'the gpu role is mapped to `WorkerNodeRole`; it is a node role because its kubelets call with it' },
    { ruleId: 'aws-auth-node-missing-groups', because: 'that mapping lacks `system:nodes`' },
    { ruleId: 'aws-auth-node-system-masters', because: 'that mapping grants `system:masters`' },
    { ruleId: 'node-identity-unrecognized', because: 'kubelets call as `WorkerNodeRole` without `system:nodes`: both halves are wrong' },
    { ruleId: 'node-system-masters', because: 'the kubelets\' groups include `system:masters`' },
    { ruleId: 'node-csr-unapprovable', because: 'kubelet-serving CSRs created by `WorkerNodeRole`' },
  ],
  info: [],
  incidents: [
    {
      kind: 'node-role', key: GROUPS.gpu.roleArn, cause: `node role \`${GROUPS.gpu.roleName}\` mapped to \`system:masters\` as \`WorkerNodeRole\``,
      findings: ['aws-auth-node-username', 'aws-auth-node-missing-groups', 'aws-auth-node-system-masters', 'node-identity-unrecognized', 'node-system-masters', 'node-csr-unapprovable'],
    },
  ],
  formats: '`kube-apiserver-audit.jsonl` (audit events, one per line), `authenticator.log`',
  files() {
    const f = mastersNodeUsernameFiles();
    return [
      { path: 'masters-node-username/kube-apiserver-audit.jsonl', content: f.audit },
      { path: 'masters-node-username/authenticator.log', content: f.authenticator },
    ];
  },
};
