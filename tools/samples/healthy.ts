/**
 * 10:00-10:05, the cluster as it should be: kubelets named system:node:<name> in system:nodes, one new node
 * joining (lease 404 then 201, serving CSR approved), controllers renewing their leader leases, service
 * accounts watching, EKS's node manager and an admin writing a correct aws-auth, and one oversized event
 * that CloudWatch cut. A scan must find nothing above info.
 */
import { Rng } from '../prng';
import { SECOND, micros } from '../time';
import type { AuditEventJson, ServiceAccountToken } from '../audit-event';
import { allow, auditEvent, rbacAllowed } from '../audit-event';
import { kubeletRead, nodeStatusPatch, podStatusPatch } from '../kubelet-events';
import type { LeaderElector } from '../control-plane-events';
import { awsAuthPatch, awsAuthUpdate, leaderElectionRenew, mapRolesYaml, serviceAccountWatch } from '../control-plane-events';
import { accessGranted, truncateLikeCloudWatch } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import {
  ACCOUNT, CONTROL_PLANE_BUILD, EKSCTL_USER_AGENT, EKS_SERVICE_ACCOUNT, K8S_VERSION, KUBECTL_USER_AGENT, READONLY_MAPPING,
  ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, kubelet, node, nodeManagerCaller, roleMapping, ticks, GROUPS,
} from './cluster';
import type { Out } from './traffic';
import { grantLine, heartbeats, nodeStartup } from './traffic';
import { eksApiserverStart } from './apiserver-log';
import { bigCrd } from './big-crd';

const START = at('10:00:00');
const END = at('10:05:00');

/**
 * 256 KiB, CloudWatch Logs' per-event limit for years (raised to 1 MB in 2025). Where exactly EKS cuts an
 * oversized audit event is not documented; this is the classic size of a cut event.
 */
export const CLOUDWATCH_EVENT_LIMIT = 256 * 1024;

/** The authorization flags of the EKS API server start below, as the configuration incident quotes them. */
export const EKS_APISERVER_CONFIG = '--authorization-mode=[Node,RBAC,Webhook] --enable-admission-plugins=[NodeRestriction,ExtendedResourceToleration]';

export const AWS_AUTH_UID = new Rng('aws-auth').uuid();
export const AWS_AUTH_CREATED = micros('2026-07-30T09:12:41Z');

/** aws-auth as EKS keeps it for the two healthy managed node groups. */
export const HEALTHY_MAP_ROLES = [roleMapping(GROUPS.system, 'correct'), roleMapping(GROUPS.apps, 'correct')];

function controllers(out: Out): void {
  const ips: Record<LeaderElector, string> = { 'kube-controller-manager': '172.16.41.9', 'kube-scheduler': '172.16.52.130' };
  for (const component of ['kube-controller-manager', 'kube-scheduler'] as const) {
    const leaseUid = out.rng.uuid();
    for (const t of ticks(out.rng, START + out.rng.int(2 * SECOND), END, 2 * SECOND, 20_000)) {
      out.audit.add(t, leaderElectionRenew({
        rng: out.rng, time: t, component, version: K8S_VERSION, build: CONTROL_PLANE_BUILD, sourceIP: ips[component],
        leaseUid, resourceVersion: out.rv.at(t - 2 * SECOND),
      }));
    }
  }
}

function serviceAccounts(out: Out): void {
  const { rng } = out;
  const coredns = (pod: number, n = node('system', pod)): ServiceAccountToken => ({
    namespace: 'kube-system', name: 'coredns', uid: new Rng('sa:coredns').uuid(), podName: `coredns-6f8d9c7b5-${['k2x7p', 'm9q4w'][pod]}`,
    podUid: new Rng(`pod:coredns:${pod}`).uuid(), nodeName: n.name, nodeUid: n.uid, jti: rng.uuid(),
  });
  const reason = rbacAllowed({ binding: 'system:coredns', role: 'system:coredns', subjectKind: 'ServiceAccount', subject: 'coredns/kube-system' });
  for (const pod of [0, 1]) {
    const token = coredns(pod);
    for (const [resource, group] of [['endpointslices', 'discovery.k8s.io'], ['services', ''], ['namespaces', '']] as const) {
      const t = START + rng.int(5 * 60 * SECOND);
      out.audit.add(t, serviceAccountWatch({
        rng, time: t, token, sourceIP: `10.0.${pod + 1}.${60 + pod * 7}`, userAgent: `coredns/v1.11.4-eksbuild.2 (linux/amd64) kubernetes/${CONTROL_PLANE_BUILD}`,
        resource, group, resourceVersion: out.rv.at(t - 2 * SECOND - rng.int(60 * SECOND)), reason,
      }));
    }
  }
}

function nodeManagerAndAdmin(out: Out, crdLine: { value: string }): void {
  const { rng } = out;
  // aws-auth was last written at 09:12:41 by the node manager; each write here stores a new version.
  const rv1 = out.rv.at(at('09:12:41'));
  const rv2 = out.rv.at(at('10:01:12.204'));
  const nm = nodeManagerCaller(at('10:01:12'));
  out.authenticator.add(at('10:01:11.930'), accessGranted({
    time: at('10:01:11.930'), arn: nm.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:51822', groups: [],
    uid: nm.user.uid ?? '', username: 'eks:node-manager', stsEndpoint: STS_ENDPOINT,
  }));
  out.audit.add(at('10:01:12.204'), awsAuthPatch({
    rng, time: at('10:01:12.204'), caller: nm, mapRoles: mapRolesYaml(HEALTHY_MAP_ROLES), manager: 'vpcLambda',
    state: { uid: AWS_AUTH_UID, resourceVersion: rv1, nextResourceVersion: rv2, created: AWS_AUTH_CREATED },
    reason: rbacAllowed({ binding: 'eks:node-manager', bindingNamespace: 'kube-system', role: 'eks:node-manager', subjectKind: 'User', subject: 'eks:node-manager' }),
    query: 'timeout=19s',
  }));

  const kubectl = adminCaller(KUBECTL_USER_AGENT);
  const eksctl = adminCaller(EKSCTL_USER_AGENT);
  out.authenticator.add(at('10:03:01.700'), accessGranted({
    time: at('10:03:01.700'), arn: kubectl.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:52904', groups: ['system:masters'],
    uid: kubectl.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  const reads: [string, { resource: string; namespace?: string; name?: string; verb: string; query?: string }][] = [
    ['10:03:02.118', { resource: 'nodes', verb: 'list', query: 'limit=500' }],
    ['10:03:09.540', { resource: 'pods', verb: 'list', query: 'limit=500' }],
    ['10:03:15.261', { resource: 'nodes', verb: 'get', name: node('apps', 2).name }],
    ['10:03:31.007', { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }],
  ];
  for (const [hms, request] of reads) {
    out.audit.add(at(hms), auditEvent({ rng, time: at(hms), level: 'Metadata', caller: kubectl, request, outcome: allow() }));
  }
  // `eksctl create iamidentitymapping` for a read-only role: reads aws-auth, writes it back whole.
  out.audit.add(at('10:03:47.902'), auditEvent({
    rng, time: at('10:03:47.902'), level: 'Metadata', caller: eksctl,
    request: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', verb: 'get' }, outcome: allow(),
  }));
  out.audit.add(at('10:03:48.115'), awsAuthUpdate({
    rng, time: at('10:03:48.115'), caller: eksctl, mapRoles: mapRolesYaml([...HEALTHY_MAP_ROLES, READONLY_MAPPING]), mapUsers: '[]\n',
    manager: 'eksctl', state: { uid: AWS_AUTH_UID, resourceVersion: rv2, nextResourceVersion: out.rv.at(at('10:03:48.115')), created: AWS_AUTH_CREATED }, reason: '',
  }));

  // `kubectl apply --server-side` of a large CRD: logged with both bodies, over the limit, cut by CloudWatch.
  const crd = bigCrd(rng.fork('crd'));
  const crdEvent = auditEvent({
    rng, time: at('10:04:12.377'), latency: 61_000, level: 'RequestResponse', caller: kubectl,
    request: {
      verb: 'patch', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io', name: 'ingestpipelines.platform.example.com',
      query: 'fieldManager=kubectl&fieldValidation=Strict&force=false',
    },
    outcome: allow(201), requestObject: crd,
    responseObject: { ...crd, metadata: { name: 'ingestpipelines.platform.example.com', uid: rng.uuid(), resourceVersion: out.rv.at(at('10:04:12.377')), generation: 1 } },
  });
  crdLine.value = truncateLikeCloudWatch(JSON.stringify(crdEvent), CLOUDWATCH_EVENT_LIMIT);
}

/** A shop pod starting on a healthy node: the kubelet may read the Secret it mounts (Node authorizer). */
function shopPod(out: Out): void {
  const { rng } = out;
  const n = node('apps', 1);
  const k = kubelet(n, 'correct');
  let t = at('10:02:10.412');
  for (const [resource, name] of [['secrets', 'checkout-db-credentials'], ['configmaps', 'kube-root-ca.crt']] as const) {
    out.audit.add(t, kubeletRead({ rng, time: t, kubelet: k, resource, namespace: 'shop', name, verb: 'list' }));
    t += 30_000 + rng.int(50_000);
    out.audit.add(t, kubeletRead({ rng, time: t, kubelet: k, resource, namespace: 'shop', name, verb: 'watch', resourceVersion: out.rv.at(t - 50_000) }));
    t += 30_000 + rng.int(50_000);
  }
  const ready = at('10:02:19.870');
  out.audit.add(ready, podStatusPatch({
    rng, time: ready, kubelet: k, startedAt: ready - 3 * SECOND,
    pod: { namespace: 'shop', name: 'checkout-7d9f8b6c5d-x2k4q', uid: rng.uuid(), container: 'checkout', image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/shop/checkout:2.14.0`, podIP: '10.0.3.119' },
  }));
}

export function healthyFiles(): { audit: string; apiserver: string; authenticator: string } {
  const rng = new Rng('scenario:healthy');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };
  for (const n of [node('system', 0), node('system', 1), node('apps', 0), node('apps', 1)]) {
    const k = kubelet(n, 'correct');
    heartbeats(out, k, new Rng(`lease:${n.name}`).uuid(), START + rng.int(10 * SECOND), END);
    const status = START + rng.int(5 * 60 * SECOND);
    out.audit.add(status, nodeStatusPatch({ rng, time: status, kubelet: k }));
    grantLine(out, n, 'correct', START + rng.int(5 * 60 * SECOND));
  }
  nodeStartup(out, node('apps', 2), 'correct', { start: at('10:01:30.015'), end: END, csrApproved: true });
  controllers(out);
  serviceAccounts(out);
  const crdLine = { value: '' };
  nodeManagerAndAdmin(out, crdLine);
  out.audit.add(at('10:04:12.377'), crdLine.value);
  shopPod(out);

  const addon = `arn:aws:iam::${EKS_SERVICE_ACCOUNT}:role/AWSWesleyClusterManagerLambda-Add-AddonManagerRole-7U8I9O0P1A2S`;
  out.authenticator.add(at('10:02:40'), accessGranted({
    time: at('10:02:40.300'), arn: addon, client: '127.0.0.1:47718', groups: [],
    uid: `aws-iam-authenticator:${EKS_SERVICE_ACCOUNT}:AROA${new Rng('addon').chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    username: 'eks:addon-manager', stsEndpoint: STS_ENDPOINT,
  }));

  return {
    audit: jsonLines(out.audit.sorted()),
    apiserver: textLines(eksApiserverStart(rng.fork('apiserver'), at('10:00:07.208311'), '10.0.91.17', new Rng('oidc').hex(32).toUpperCase())),
    authenticator: textLines(out.authenticator.sorted()),
  };
}

export const healthy: Scenario = {
  dir: 'healthy',
  title: 'Healthy cluster',
  story:
    'Five minutes of a well-configured cluster: kubelets named `system:node:<name>` in `system:nodes` renew their leases ' +
    'every 10 s, a new node of the `apps` group joins (lease get 404 then create 201, its kubelet-serving CSR approved by ' +
    '`eks:certificate-controller`), the controller manager and scheduler renew their leader leases, CoreDNS watches, EKS\'s ' +
    '`eks:node-manager` patches aws-auth and `kubernetes-admin` adds a read-only role with eksctl, both with correct node ' +
    'mappings. One `kubectl apply --server-side` of a large CRD was over the CloudWatch event limit and arrives cut ' +
    '(`[Truncated...]`): the scan salvages what is readable instead of dropping it.',
  expected: [],
  info: [{ ruleId: 'apiserver-authz-config', because: 'the API server started with `[Node,RBAC,Webhook]` and `[NodeRestriction,ExtendedResourceToleration]`' }],
  incidents: [
    {
      kind: 'apiserver-config', key: EKS_APISERVER_CONFIG, cause: 'the EKS API server\'s configuration, recorded at info for reference',
      findings: ['apiserver-authz-config'],
    },
  ],
  formats:
    '`kube-apiserver-audit.jsonl` (audit events, one JSON per line, incl. the truncated one), `kube-apiserver.log` ' +
    '(klog, with the `FLAG:` dump of a start), `authenticator.log` (aws-iam-authenticator logrus lines)',
  files() {
    const f = healthyFiles();
    return [
      { path: 'healthy/kube-apiserver-audit.jsonl', content: f.audit },
      { path: 'healthy/kube-apiserver.log', content: f.apiserver },
      { path: 'healthy/authenticator.log', content: f.authenticator },
    ];
  },
};
