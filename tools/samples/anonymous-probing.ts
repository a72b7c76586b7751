/**
 * Probing from outside, on a cluster with a public endpoint. At 10:51 an admin binds ClusterRole `view` to
 * group system:unauthenticated "to debug a dashboard". An internet scanner then walks web paths (403), reads
 * /version (allowed to everyone) and, through the new binding, lists ConfigMaps and Pods without credentials.
 * From another address someone uses the `checkout` service account's token to try one resource after another,
 * and someone with the leaked keys of IAM user `ci-deployer`, mapped nowhere,
 * retries every few seconds. Benign look-alikes: an uptime monitor polling /livez and /readyz, and the load
 * balancer controller refused on one new resource after its upgrade until Helm updates its ClusterRole.
 */
import { Rng } from '../prng';
import type { Micros } from '../time';
import { SECOND, isoMicros } from '../time';
import type { ApiRequest, AuditEventJson, Caller, Outcome, ServiceAccountToken, UserInfo } from '../audit-event';
import { DECISION, REASON, allow, auditEvent, forbid, rbacAllowed, serviceAccountUser } from '../audit-event';
import { accessDenied, accessGranted } from '../text-logs';
import type { Scenario } from './scenario';
import { jsonLines, textLines } from './scenario';
import { ACCOUNT, KUBECTL_USER_AGENT, ResourceVersions, STS_ENDPOINT, Timeline, adminCaller, at, node, ticks } from './cluster';
import type { Out } from './traffic';

const START = at('10:51:00');
const END = at('10:59:00');
export const SCANNER_IP = '198.51.100.66';
export const TOKEN_THIEF_IP = '203.0.113.77';
export const CI_DEPLOYER_ARN = `arn:aws:iam::${ACCOUNT}:user/ci-deployer`;

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const PUBLIC_INFO = rbacAllowed({ binding: 'system:public-info-viewer', role: 'system:public-info-viewer', subjectKind: 'Group', subject: 'system:unauthenticated' });
export const ANONYMOUS_VIEW = rbacAllowed({ binding: 'anonymous-view', role: 'view', subjectKind: 'Group', subject: 'system:unauthenticated' });

/**
 * A non-resource request (/version, /livez, a scanner's /.env): no objectRef; a refusal says
 * `forbidden: User "u" cannot get path "/p"` (responsewriters.ForbiddenStatusError for a non-resource URL).
 */
function pathRequest(rng: Rng, time: Micros, caller: Caller, path: string, allowedBy: string | undefined): AuditEventJson {
  const responseStatus: Record<string, unknown> = allowedBy !== undefined
    ? { metadata: {}, code: 200 }
    : {
        metadata: {}, status: 'Failure', message: `forbidden: User "${caller.user.username}" cannot get path "${path}"`,
        reason: 'Forbidden', details: {}, code: 403,
      };
  // Built key by key in the API server's print order; the type has no place for an absent objectRef.
  const event = {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: rng.uuid(), stage: 'ResponseComplete',
    requestURI: path, verb: 'get', user: caller.user, sourceIPs: [caller.sourceIP], userAgent: caller.userAgent, responseStatus,
    requestReceivedTimestamp: isoMicros(time), stageTimestamp: isoMicros(time + 300 + rng.int(900)),
    annotations: { [DECISION]: allowedBy !== undefined ? 'allow' : 'forbid', [REASON]: allowedBy ?? '' },
  };
  return event as unknown as AuditEventJson;
}

function uptimeMonitor(out: Out): void {
  const monitor: Caller = { user: ANONYMOUS, sourceIP: '192.0.2.50', userAgent: 'Blackbox-Exporter/0.25.0' };
  for (const path of ['/livez', '/readyz']) {
    for (const t of ticks(out.rng, START + out.rng.int(30 * SECOND), END, 30 * SECOND, 200_000)) {
      out.audit.add(t, pathRequest(out.rng, t, monitor, path, PUBLIC_INFO));
    }
  }
}

function admin(out: Out): void {
  const kubectl = adminCaller(KUBECTL_USER_AGENT);
  out.authenticator.add(at('10:51:01.207'), accessGranted({
    time: at('10:51:01.207'), arn: kubectl.user.extra?.canonicalArn?.[0] ?? '', client: '127.0.0.1:49982', groups: ['system:masters'],
    uid: kubectl.user.uid ?? '', username: 'kubernetes-admin', stsEndpoint: STS_ENDPOINT,
  }));
  // `kubectl create clusterrolebinding anonymous-view --clusterrole=view --group=system:unauthenticated`.
  out.audit.add(at('10:51:02.044'), auditEvent({
    rng: out.rng, time: at('10:51:02.044'), level: 'Metadata', caller: kubectl,
    request: { verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', name: 'anonymous-view', query: 'fieldManager=kubectl-create&fieldValidation=Strict' },
    outcome: allow(201),
  }));
}

function scanner(out: Out): void {
  const caller: Caller = { user: ANONYMOUS, sourceIP: SCANNER_IP, userAgent: 'Mozilla/5.0 zgrab/0.x' };
  let t = at('10:52:31.118');
  const step = (): Micros => (t += 400_000 + out.rng.int(1_800_000));
  for (const path of ['/', '/.env', '/.git/config', '/vendor/phpunit/src/Util/PHP/eval-stdin.php', '/wp-login.php', '/actuator/env', '/server-status', '/api']) {
    out.audit.add(step(), pathRequest(out.rng, t, caller, path, undefined));
  }
  out.audit.add(step(), pathRequest(out.rng, t, caller, '/version', PUBLIC_INFO));
  // Through anonymous-view: what `view` allows, and not Secrets.
  const reads: [ApiRequest, Outcome][] = [
    [{ verb: 'list', resource: 'configmaps', namespace: 'kube-system', query: 'limit=500' }, allow(200, ANONYMOUS_VIEW)],
    [{ verb: 'list', resource: 'pods', query: 'limit=500' }, allow(200, ANONYMOUS_VIEW)],
    [{ verb: 'list', resource: 'configmaps', query: 'limit=500' }, allow(200, ANONYMOUS_VIEW)],
    [{ verb: 'list', resource: 'secrets', query: 'limit=500' }, forbid()],
  ];
  for (const [request, outcome] of reads) {
    out.audit.add(step(), auditEvent({ rng: out.rng, time: t, level: 'Metadata', caller, request, outcome }));
  }
}

/** What someone holding the checkout pod's token tries, each a few times: namespaced resources as [resource, group, namespace]. */
const PROBES: readonly (readonly [string, string, string?, string?])[] = [
  ['secrets', ''], ['secrets', '', 'shop'], ['configmaps', '', 'kube-system'], ['pods', ''], ['pods', '', 'shop', 'exec'],
  ['nodes', ''], ['clusterroles', 'rbac.authorization.k8s.io'], ['clusterrolebindings', 'rbac.authorization.k8s.io'],
  ['serviceaccounts', '', 'kube-system', 'token'], ['deployments', 'apps', 'kube-system'], ['daemonsets', 'apps'],
  ['persistentvolumes', ''], ['namespaces', ''], ['customresourcedefinitions', 'apiextensions.k8s.io'],
];

const ROUNDS = 4;
/** Refusals and distinct resources (`resource[/subresource]`, as forbidden-burst counts them) of the probing. */
export const PROBE_REFUSALS = PROBES.length * ROUNDS;
export const PROBED_RESOURCES = new Set(PROBES.map(([resource, , , sub]) => (sub ? `${resource}/${sub}` : resource))).size;

function stolenToken(out: Out): void {
  const n = node('apps', 1);
  const token: ServiceAccountToken = {
    namespace: 'shop', name: 'checkout', uid: new Rng('sa:checkout').uuid(), podName: 'checkout-7d9f8b6c5d-x2k4q',
    podUid: new Rng('pod:checkout').uuid(), nodeName: n.name, nodeUid: n.uid, jti: new Rng('jti:checkout').uuid(),
  };
  const caller: Caller = { user: serviceAccountUser(token), sourceIP: TOKEN_THIEF_IP, userAgent: 'kubectl/v1.30.4 (linux/amd64) kubernetes/a51b3b7' };
  let t = at('10:53:02.660');
  // The token's own permissions first (its Role lets it read ConfigMaps in shop), then everything else.
  out.audit.add(t, auditEvent({
    rng: out.rng, time: t, level: 'Metadata', caller, request: { verb: 'list', resource: 'configmaps', namespace: 'shop', query: 'limit=500' },
    outcome: allow(200, rbacAllowed({ binding: 'checkout', bindingNamespace: 'shop', role: 'checkout', subjectKind: 'ServiceAccount', subject: 'checkout/shop' })),
  }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [resource, group, namespace, subresource] of PROBES) {
      t += 300_000 + out.rng.int(2_500_000);
      const create = subresource === 'exec' || subresource === 'token';
      const request: ApiRequest = {
        verb: create ? 'create' : 'list', resource, group: group || undefined, namespace, subresource,
        name: subresource === 'exec' ? 'checkout-7d9f8b6c5d-x2k4q' : subresource === 'token' ? 'clusterrole-aggregation-controller' : undefined,
        query: create ? undefined : 'limit=500',
      };
      out.audit.add(t, auditEvent({ rng: out.rng, time: t, level: 'Metadata', caller, request, outcome: forbid() }));
    }
  }
}

/** After its upgrade, the controller watches a resource its old ClusterRole lacks; Helm fixes the role at 10:54:31. */
function controllerUpgrade(out: Out): void {
  const token: ServiceAccountToken = {
    namespace: 'kube-system', name: 'aws-load-balancer-controller', uid: new Rng('sa:albc').uuid(), podName: 'aws-load-balancer-controller-5f7c9d8b6-q8r2t',
    podUid: new Rng('pod:albc').uuid(), nodeName: node('system', 0).name, nodeUid: node('system', 0).uid, jti: new Rng('jti:albc').uuid(),
  };
  const caller: Caller = { user: serviceAccountUser(token), sourceIP: '10.0.1.201', userAgent: 'aws-load-balancer-controller/v2.9.2 (linux/amd64) kubernetes/$Format' };
  const request: ApiRequest = { verb: 'list', resource: 'ingressclassparams', group: 'elbv2.k8s.aws', version: 'v1beta1', query: 'limit=500&resourceVersion=0' };
  const fixed = at('10:54:31.590');
  for (const t of ticks(out.rng, at('10:52:04.310'), fixed, 8 * SECOND, 400_000)) {
    out.audit.add(t, auditEvent({ rng: out.rng, time: t, level: 'Metadata', caller, request, outcome: forbid() }));
  }
  const helm = adminCaller('Helm/3.16.2');
  out.audit.add(fixed, auditEvent({
    rng: out.rng, time: fixed, level: 'Metadata', caller: helm,
    request: { verb: 'update', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', name: 'aws-load-balancer-controller-role', query: 'fieldManager=helm' },
    outcome: allow(200),
  }));
  const after = fixed + 6 * SECOND + out.rng.int(SECOND);
  out.audit.add(after, auditEvent({
    rng: out.rng, time: after, level: 'Metadata', caller, request,
    outcome: allow(200, rbacAllowed({ binding: 'aws-load-balancer-controller-rolebinding', role: 'aws-load-balancer-controller-role', subjectKind: 'ServiceAccount', subject: 'aws-load-balancer-controller/kube-system' })),
  }));
}

/** The leaked keys of an IAM user nobody mapped, tried every ten seconds or so. */
function leakedKeys(out: Out): void {
  for (const t of ticks(out.rng, at('10:52:10.400'), at('10:58:40'), 11 * SECOND, 2 * SECOND)) {
    out.authenticator.add(t, accessDenied({ time: t, arn: CI_DEPLOYER_ARN, client: `127.0.0.1:${40000 + out.rng.int(20000)}`, error: 'ARN is not mapped' }));
  }
}

export function anonymousProbingFiles(): { audit: string; authenticator: string } {
  const rng = new Rng('scenario:anonymous-probing');
  const out: Out = { rng, audit: new Timeline<AuditEventJson | string>(), authenticator: new Timeline<string>(), rv: new ResourceVersions(48_211_530) };
  admin(out);
  uptimeMonitor(out);
  scanner(out);
  stolenToken(out);
  controllerUpgrade(out);
  leakedKeys(out);
  return { audit: jsonLines(out.audit.sorted()), authenticator: textLines(out.authenticator.sorted()) };
}

export const anonymousProbing: Scenario = {
  dir: 'anonymous-probing',
  title: 'Anonymous access and permission probing from outside',
  story:
    'At 10:51 `kubernetes-admin` binds ClusterRole `view` to group `system:unauthenticated` (ClusterRoleBinding `anonymous-view`). ' +
    `An internet scanner at \`${SCANNER_IP}\` walks web paths (\`/.env\`, \`/wp-login.php\` ...: 403), reads \`/version\` (allowed to ` +
    'everyone by `system:public-info-viewer`) and, through the new binding, lists ConfigMaps and Pods without credentials; ' +
    `Secrets stay refused. From \`${TOKEN_THIEF_IP}\` someone uses the \`shop/checkout\` service account's token to try one ` +
    `resource after another: ${PROBE_REFUSALS} refusals over ${PROBED_RESOURCES} resources. ` +
    'Someone with the leaked keys of IAM user `ci-deployer`, which is ' +
    'mapped nowhere, retries every ten seconds or so. Benign look-alikes: an uptime monitor polling `/livez` and `/readyz` ' +
    `anonymously, the scanner's few refusals (below the thresholds), and the load balancer controller refused on ` +
    '`ingressclassparams` for two minutes after its upgrade, until Helm updates its ClusterRole.',
  expected: [
    { ruleId: 'anonymous-request-allowed', because: '`system:anonymous` listed ConfigMaps and Pods through `anonymous-view`: one finding per resource' },
    { ruleId: 'forbidden-burst', because: `the checkout token from \`${TOKEN_THIEF_IP}\` got ${PROBE_REFUSALS} refusals across ${PROBED_RESOURCES} resources` },
    { ruleId: 'authenticator-denied-burst', because: '`ci-deployer` was refused (`ARN is not mapped`) more than 20 times' },
  ],
  info: [],
  incidents: [
    {
      kind: 'rbac-grant', key: ANONYMOUS_VIEW, cause: 'ClusterRoleBinding `anonymous-view` (ClusterRole `view` to `system:unauthenticated`)',
      findings: ['anonymous-request-allowed', 'anonymous-request-allowed'],
    },
    {
      kind: 'finding', key: `${TOKEN_THIEF_IP} system:serviceaccount:shop:checkout`, cause: `the \`shop/checkout\` token probing from \`${TOKEN_THIEF_IP}\``,
      findings: ['forbidden-burst'],
    },
    { kind: 'finding', key: CI_DEPLOYER_ARN, cause: 'the unmapped IAM user `ci-deployer` retrying', findings: ['authenticator-denied-burst'] },
  ],
  formats: '`kube-apiserver-audit.jsonl` (audit events, one per line), `authenticator.log`',
  files() {
    const f = anonymousProbingFiles();
    return [
      { path: 'anonymous-probing/kube-apiserver-audit.jsonl', content: f.audit },
      { path: 'anonymous-probing/authenticator.log', content: f.authenticator },
    ];
  },
};
