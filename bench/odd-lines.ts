/**
 * What only the damaged file holds (GenerateOptions.damaged): lines jq cannot read and the fast path must
 * not misjudge. CloudWatch-cut events, two events glued on one line, garbage, a blank line, CRLF, a leading
 * blank, an S3-export timestamp prefix, escaped quotes and non-ASCII text in the fields the fast path reads,
 * and traffic that only newer rules look at (anonymous requests, a burst of 403s, a lease name mismatch).
 */
import type { AuditEventJson, Caller } from '../tools/eks-events';
import { allow, auditEvent, forbid, iamRoleUser, kubeletLease, leaderElectionRenew, rbacAllowed } from '../tools/eks-events';
import type { FleetNode } from './fleet';
import { ADMIN, KUBELET_USER_AGENT, kubeletCaller } from './fleet';
import type { Incident } from './incidents';
import type { Ctx } from './traffic';
import { countKubeletEvent, kubeletEvent, nextRv, within } from './traffic';

function leader(ctx: Ctx): AuditEventJson {
  return leaderElectionRenew({
    rng: ctx.rng, time: within(ctx), component: 'kube-scheduler', version: 'v1.31.4', build: 'b8e0c2a', sourceIP: '172.16.88.14',
    leaseUid: '5e2f7c90-8d1a-4b6e-b3c4-91a0e7d2f385', resourceVersion: nextRv(ctx),
  });
}

/** A lease update by `n` under a username and groups of our choosing (the identity is what is odd). */
function leaseAs(ctx: Ctx, n: FleetNode, username: string, groups: string[], denied: boolean, userAgent = KUBELET_USER_AGENT): AuditEventJson {
  const base = kubeletCaller(n);
  const extra = base.user.extra ?? {};
  const user = iamRoleUser(username, groups, {
    account: '111122223333', roleName: n.group.roleName, roleId: n.group.roleId,
    sessionName: extra['sessionName']?.[0] ?? '', accessKeyId: extra['accessKeyId']?.[0] ?? '',
  });
  return kubeletLease({
    rng: ctx.rng, time: within(ctx), kubelet: { ...base, user, userAgent }, verb: 'update', leaseUid: n.leaseUid,
    resourceVersion: nextRv(ctx), outcome: denied ? forbid('') : allow(200),
  });
}

function writeOddLines(ctx: Ctx): void {
  const { out, rng, fleet } = ctx;
  const batch = fleet.groups.batch.nodes[0]!;
  const general = fleet.groups.general.nodes;
  out.raw('');
  out.raw(`${JSON.stringify(leader(ctx))}\r`, { auditEvents: 1 });
  out.raw(` ${JSON.stringify(leader(ctx))}`, { auditEvents: 1 });
  out.raw(`2026-11-27T10:00:00.000Z ${JSON.stringify(leader(ctx))}`, { auditEvents: 1 });
  out.garbage('this is not a log line');
  out.garbage('{"hello":"world"}');
  out.garbage('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata"[Truncated...]');
  // A lost newline: the first event is salvaged (and reported truncated), the second is lost with the line.
  out.raw(JSON.stringify(leader(ctx)) + JSON.stringify(leader(ctx)), { auditEvents: 1, truncated: 1 });
  out.cutEvent(auditEvent({
    rng, time: within(ctx), level: 'Request', caller: ADMIN,
    request: { verb: 'patch', resource: 'deployments', group: 'apps', namespace: 'shop', name: 'checkout' },
    outcome: allow(), requestObject: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-27T10:00:00Z' } } } } },
  }), 150);

  // Misconfiguration 1 caught in a cut event: the cut falls in the annotations, the 403 survives.
  const cut = leaseAs(ctx, batch, 'WorkerNodeRole', ['system:bootstrappers', 'system:nodes'], true);
  out.cutEvent(cut, 60);
  countUnrecognized(ctx, batch, cut);

  // Escaped quotes and non-ASCII text where the fast path reads identities and user agents.
  const quoted = leaseAs(ctx, batch, 'Worker"Node', ['system:bootstrappers', 'system:nodes'], true);
  out.event(quoted);
  countUnrecognized(ctx, batch, quoted);
  out.event(leaseAs(ctx, general[1]!, 'system:node:nœud-1.example', ['system:bootstrappers', 'system:nodes'], false, 'kubelet/v1.31.4 "patched" (linux/amd64) é'));
  kubeletEvent(ctx, general[2]!, kubeletLease({
    rng, time: within(ctx), kubelet: { ...kubeletCaller(general[2]!), userAgent: 'kubelet/v1.31.4 \\"é\u2028' }, verb: 'update',
    leaseUid: general[2]!.leaseUid, resourceVersion: nextRv(ctx),
  }));

  // A recognized node renewing another node's lease (hostname override): name mismatch and lease 403.
  const mine = general[1]!;
  const theirs = general[2]!.name;
  kubeletEvent(ctx, mine, kubeletLease({
    rng, time: within(ctx), kubelet: { ...kubeletCaller(mine), nodeName: theirs }, verb: 'update',
    outcome: forbid('can only access node lease with the same name as the requesting node'),
  }));
  ctx.expect.add('node-name-mismatch', { node: mine.name, object: theirs });

  // Anonymous requests and a burst of 403s from a service account: only newer rules look at these.
  const anonymous: Caller = { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIP: '203.0.113.9', userAgent: 'curl/8.5.0' };
  out.event(auditEvent({
    rng, time: within(ctx), level: 'Metadata', caller: anonymous, request: { verb: 'get', resource: 'namespaces' },
    outcome: allow(200, rbacAllowed({ binding: 'oops-anonymous', role: 'view', subjectKind: 'Group', subject: 'system:unauthenticated' })),
  }));
  out.event(auditEvent({ rng, time: within(ctx), level: 'Metadata', caller: anonymous, request: { verb: 'list', resource: 'secrets' }, outcome: forbid('') }));
  const sa: Caller = { user: { username: 'system:serviceaccount:shop:checkout', groups: ['system:serviceaccounts', 'system:authenticated'] }, sourceIP: '10.0.2.77', userAgent: 'checkout/1.0' };
  for (let i = 0; i < 25; i++) {
    out.event(auditEvent({ rng, time: within(ctx), level: 'Metadata', caller: sa, request: { verb: 'get', resource: 'secrets', namespace: 'payments', name: `key-${i}` }, outcome: forbid('') }));
  }
}

function countUnrecognized(ctx: Ctx, n: FleetNode, e: AuditEventJson): void {
  const saved = n.group.mapping;
  n.group.mapping = 'wrong-username';
  countKubeletEvent(ctx.expect, n, e);
  n.group.mapping = saved;
}

export const oddLines: Incident = { name: 'odd-lines', at: 0.5, seconds: 0, start: writeOddLines };
