/**
 * The misconfigurations planted in the steady traffic, each at a fraction of the file's size so that every
 * size holds all of them: the three aws-auth node mappings of domain.md section 2, a stolen node credential,
 * an aws-auth edit the authenticator cannot parse, and a bad mapping written just before the end that only
 * the kubelets' earlier (healthy, fast-pathed) requests reveal as a node role's. Each incident counts the
 * findings it plants; the steady traffic counts the kubelet requests a bad mapping turns into findings.
 */
import type { AuditEventJson, Caller } from '../tools/eks-events';
import {
  SECOND, awsAuthPatch, awsAuthUpdate, kubeletLease, kubeletRegisterNode, kubeletServingCsrCreate,
  mapRolesYaml, notFound, servingCsr,
} from '../tools/eks-events';
import type { FleetGroup, FleetNode, Mapping } from './fleet';
import { ADMIN, BREAK_GLASS_ARN, joiningNode, kubeletCaller, mapRoles, roleMapping } from './fleet';
import type { Ctx } from './traffic';
import { kubeletEvent, nextRv, within } from './traffic';
import { compromisedCredential } from './stolen-credential';

export interface Incident {
  readonly name: string;
  /** Starts once this fraction of the target size is written. */
  readonly at: number;
  /** Seconds it lasts; end() runs after them. */
  readonly seconds: number;
  start(ctx: Ctx): void;
  /** Each second while it lasts (0 = the second it started). */
  second?(ctx: Ctx, elapsed: number): void;
  end?(ctx: Ctx): void;
}

const AWS_AUTH = { uid: '9f2d4c1a-6b3e-4e8f-a0d5-2c7b9e1f3a64', created: 1_795_000_000 * SECOND };
const NODE_MANAGER: Caller = {
  user: { username: 'eks:node-manager', groups: ['system:authenticated'] },
  sourceIP: '198.51.100.23',
  userAgent: 'vpcLambda/v0.0.0 (linux/amd64) kubernetes/$Format',
};

/** A write of aws-auth with every group as mapped now (or as `written`), and the findings it plants. */
function writeAwsAuth(ctx: Ctx, caller: Caller, verb: 'update' | 'patch', text?: string, written?: Partial<Record<string, Mapping>>): void {
  const groups = Object.values(ctx.fleet.groups);
  const entries = mapRoles(ctx.fleet).map((e) => {
    const g = groups.find((x) => x.roleArn === e.rolearn);
    const as = g && written?.[g.name];
    return g && as ? roleMapping(g, as) : e;
  });
  const w = {
    rng: ctx.rng, time: within(ctx), caller, manager: verb === 'patch' ? 'kubectl-edit' : 'kubectl-client-side-apply', reason: '',
    mapRoles: text ?? mapRolesYaml(entries),
    state: { uid: AWS_AUTH.uid, resourceVersion: nextRv(ctx), nextResourceVersion: nextRv(ctx), created: AWS_AUTH.created },
  };
  ctx.out.event(verb === 'patch' ? awsAuthPatch(w) : awsAuthUpdate(w));
  if (text !== undefined) return;
  ctx.expect.add('aws-auth-system-masters', { arn: BREAK_GLASS_ARN });
  for (const g of groups) countMapping(ctx, g, written?.[g.name] ?? g.mapping);
}

/** What the aws-auth rules say about a node group's entry. Every group's kubelets call, so each is a node role. */
function countMapping(ctx: Ctx, g: FleetGroup, mapping: Mapping): void {
  const arn = { arn: g.roleArn };
  if (mapping === 'wrong-username' || mapping === 'masters-username') ctx.expect.add('aws-auth-node-username', arn);
  if (mapping === 'masters-username' || mapping === 'masters-node-identity') {
    ctx.expect.add('aws-auth-node-missing-groups', arn);
    ctx.expect.add('aws-auth-node-system-masters', arn);
  }
}

/** A group mapped wrongly for a while, then put right; the steady traffic shows the effect. */
function misMapped(name: string, at: number, group: 'batch' | 'gpu' | 'web', mapping: Mapping, verb: 'update' | 'patch'): Incident {
  return {
    name, at, seconds: 60,
    start(ctx) {
      ctx.fleet.groups[group].mapping = mapping;
      writeAwsAuth(ctx, ADMIN, verb);
    },
    end(ctx) {
      ctx.fleet.groups[group].mapping = 'correct';
      writeAwsAuth(ctx, ADMIN, verb);
    },
  };
}

/** Misconfiguration 2 plus two new GPU nodes: their kubelet-serving CSRs come from WorkerNodeRole. */
function mastersUsernameJoin(at: number): Incident {
  const joined: FleetNode[] = [];
  return {
    name: 'masters-username', at, seconds: 90,
    start(ctx) {
      const gpu = ctx.fleet.groups.gpu;
      gpu.mapping = 'masters-username';
      writeAwsAuth(ctx, ADMIN, 'patch');
      for (let k = 0; k < 2; k++) {
        const n = joiningNode(ctx.fleet, gpu, k);
        joined.push(n);
        join(ctx, n);
      }
    },
    second(ctx, elapsed) {
      for (const n of joined) {
        if ((elapsed + n.phase) % 10 !== 0) continue;
        kubeletEvent(ctx, n, kubeletLease({ rng: ctx.rng, time: within(ctx), kubelet: kubeletCaller(n), verb: 'update', leaseUid: n.leaseUid, resourceVersion: nextRv(ctx) }));
      }
    },
    end(ctx) {
      ctx.fleet.groups.gpu.mapping = 'correct';
      writeAwsAuth(ctx, ADMIN, 'patch');
      // The new nodes are drained and terminated with the fix.
      ctx.fleet.groups.gpu.nodes.splice(ctx.fleet.groups.gpu.nodes.length - joined.length);
    },
  };
}

/** A kubelet's first requests: register, lease 404 then create, serving CSR. */
function join(ctx: Ctx, n: FleetNode): void {
  const { rng } = ctx;
  const k = kubeletCaller(n);
  kubeletEvent(ctx, n, kubeletRegisterNode({ rng, time: within(ctx), kubelet: k, labels: { 'kubernetes.io/hostname': n.name, 'eks.amazonaws.com/nodegroup': n.group.name } }));
  kubeletEvent(ctx, n, kubeletLease({ rng, time: within(ctx), kubelet: k, verb: 'get', outcome: notFound() }));
  kubeletEvent(ctx, n, kubeletLease({ rng, time: within(ctx), kubelet: k, verb: 'create' }));
  const time = within(ctx);
  const csr: AuditEventJson = kubeletServingCsrCreate({ rng, time, kubelet: k, csr: servingCsr(rng, time, nextRv(ctx)) });
  kubeletEvent(ctx, n, csr);
  ctx.expect.add('node-csr-unapprovable', { username: k.user.username });
}

/** `kubectl edit` that leaves mapRoles with a tab in its indentation: YAML refuses it, so does the authenticator. */
const invalidAwsAuth: Incident = {
  name: 'aws-auth-invalid', at: 0.85, seconds: 30,
  start(ctx) {
    const text = mapRolesYaml(mapRoles(ctx.fleet)).replace('\n  rolearn:', '\n\trolearn:');
    writeAwsAuth(ctx, ADMIN, 'patch', text);
    ctx.expect.add('aws-auth-invalid', { field: 'mapRoles' });
  },
  end(ctx) {
    writeAwsAuth(ctx, ADMIN, 'patch');
  },
};

/**
 * The general group's role mapped to system:masters as WorkerNodeRole just before the file ends: no kubelet
 * has re-authenticated yet, so only the role's earlier healthy kubelet requests say it is a node role.
 */
const pendingGeneral: Incident = {
  name: 'pending-general', at: 0.995, seconds: 0,
  start(ctx) {
    writeAwsAuth(ctx, ADMIN, 'update', undefined, { general: 'masters-username' });
  },
};

/** EKS's node manager rewrites aws-auth with the same (correct) content: routine. */
const routineWrite: Incident = {
  name: 'routine-aws-auth', at: 0, seconds: 0,
  start(ctx) {
    writeAwsAuth(ctx, NODE_MANAGER, 'patch');
  },
};

/** Fresh incidents for one file (they keep state). */
export function incidents(): Incident[] {
  return [
    routineWrite,
    misMapped('wrong-username', 0.15, 'batch', 'wrong-username', 'update'),
    mastersUsernameJoin(0.35),
    misMapped('masters-node-identity', 0.55, 'web', 'masters-node-identity', 'update'),
    compromisedCredential(0.7),
    invalidAwsAuth,
    pendingGeneral,
  ];
}
