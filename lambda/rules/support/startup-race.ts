import type { AuditHead, AuditRecord, FlagRecord, LogRecord } from '../../model/records';
import type { Evidence } from '../../model/findings';
import { recordTime, statusCode } from '../../model/audit';
import { isRecognizedNode, nodeName, str } from '../../model/identity';
import { programOf } from '../../model/program';
import type { Buffered } from './buffered-observation';
import { addRecord, emptyBuffered } from './buffered-observation';

/**
 * The Node authorizer decides from a graph of pods, volumes and secrets that it fills from informers after the API
 * server starts. A kubelet that asks in the first moments is refused ("no relationship found", "cannot get unknown
 * pv") and succeeds on its next try. That is a start-up race, not a stolen credential, when:
 * - an API-server start is seen in the same input (its FLAG dump: EKS prints the flags at every start),
 * - every refusal of the node, unrelated-object kind, falls within STARTUP_WINDOW_MS after that start, and
 * - the same requests (node, resource, namespace/name) succeed afterwards (audit events with a 2xx).
 * node-unrelated-object-access and node-authorizer-startup-race each keep one of these and split the nodes
 * between them. Bounded: MAX_STARTS start times, MAX_NODES nodes, MAX_OBJECTS objects per node and
 * MAX_OBJECTS_TOTAL over all nodes (a node past either is never called a race: its objects could not all be
 * checked, and node-unrelated-object-access reports it).
 */
export const STARTUP_WINDOW_MS = 120_000;
const MAX_STARTS = 1_000;
const MAX_NODES = 2_000;
const MAX_OBJECTS = 1_000;
/** Objects over all nodes: 2,000 nodes of 1,000 forged objects each would otherwise keep two million keys. */
export const MAX_OBJECTS_TOTAL = 20_000;
/** Flags of one start are printed within milliseconds; starts closer than this are one. */
const SAME_START_MS = 10_000;

/** Resources the Node authorizer checks against its graph. */
const GRAPH_RESOURCES = new Set([
  'secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'volumeattachments', 'resourceclaims', 'serviceaccounts', 'pods',
]);

interface NodeDenials {
  first: number;
  last: number;
  untimed: boolean;
  /** object -> time of its last refusal; success after it sets the time to -Infinity (done). */
  readonly objects: Map<string, number>;
  overflow: boolean;
  readonly audit: Buffered;
  readonly text: Buffered;
}

export interface Race {
  readonly node: string;
  readonly start: string;
  readonly buffered: Buffered;
  readonly objects: number;
  readonly evidence: readonly Evidence[];
}

/**
 * RuleRun.wantsAudit addition: a recognized node's successful read of a graph object, which may end a race, but
 * only for a node refused before (`races`; any node when the filter must be stateless). Kubelets read their pods'
 * secrets and configmaps all day: parsing every such read for a race that needs a refusal first made a healthy
 * scan twice as slow (bench/README.md).
 */
export function isNodeGraphSuccessHead(head: AuditHead, races: StartupRaces, stateless: boolean | undefined): boolean {
  const code = statusCode(head);
  if (code === undefined || code < 200 || code > 299 || !isRecognizedNode(head) || !GRAPH_RESOURCES.has(str(head.objectRef?.resource) ?? '')) return false;
  return stateless === true || races.refused(str(head.user?.username)?.slice(NODE_USER.length) ?? '');
}

const NODE_USER = 'system:node:';

export class StartupRaces {
  private readonly starts: number[] = [];
  private readonly nodes = new Map<string, NodeDenials>();
  private objects = 0;

  /** A FLAG line of kube-apiserver (not of a kubelet): the server started about then. */
  addFlag(r: FlagRecord): void {
    const program = programOf(r.origin)?.name;
    if (program !== undefined && program !== 'kube-apiserver') return;
    const ms = timeOf(r.time ?? r.aggregate?.firstSeen ?? r.origin.timestamp);
    if (ms === undefined || this.starts.some((s) => Math.abs(s - ms) < SAME_START_MS)) return;
    if (this.starts.length < MAX_STARTS) this.starts.push(ms);
  }

  /** An unrelated-object refusal of `node` on `object` (`resource ns/name`). */
  addDenial(node: string, object: string, record: LogRecord, evidence: Evidence, fromAudit: boolean): void {
    let n = this.nodes.get(node);
    if (!n) {
      if (this.nodes.size >= MAX_NODES) return;
      n = { first: Infinity, last: -Infinity, untimed: false, objects: new Map(), overflow: false, audit: emptyBuffered(), text: emptyBuffered() };
      this.nodes.set(node, n);
    }
    addRecord(fromAudit ? n.audit : n.text, record, evidence);
    const agg = 'aggregate' in record ? record.aggregate : undefined;
    const first = timeOf(agg?.firstSeen ?? recordTimeOf(record));
    const last = timeOf(agg?.lastSeen ?? recordTimeOf(record));
    if (first === undefined || last === undefined) n.untimed = true;
    else {
      n.first = Math.min(n.first, first);
      n.last = Math.max(n.last, last);
    }
    const known = n.objects.get(object);
    if (known === undefined && (n.objects.size >= MAX_OBJECTS || this.objects >= MAX_OBJECTS_TOTAL)) {
      n.overflow = true;
      return;
    }
    if (known === undefined) this.objects++;
    n.objects.set(object, Math.max(known ?? -Infinity, last ?? Infinity));
  }

  /** Whether `node` was refused on some object (what a success could end). */
  refused(node: string): boolean {
    return this.nodes.has(node);
  }

  /** A successful audit event: a recognized node's 2xx on a graph object. */
  addSuccess(r: AuditRecord): void {
    const e = r.event;
    const code = statusCode(e);
    if (code === undefined || code < 200 || code > 299 || !isRecognizedNode(e)) return;
    const n = this.nodes.get(nodeName(e) ?? '');
    const resource = str(e.objectRef?.resource);
    if (!n || !resource) return;
    const key = objectKey(resource, str(e.objectRef?.namespace), str(e.objectRef?.name));
    const deniedAt = n.objects.get(key);
    const at = timeOf(recordTime(r));
    if (deniedAt !== undefined && at !== undefined && at > deniedAt) n.objects.set(key, -Infinity);
  }

  /** The race of `node`, when its refusals are one; else undefined. */
  race(node: string): Race | undefined {
    const n = this.nodes.get(node);
    if (!n || n.untimed || n.overflow || n.objects.size === 0) return undefined;
    for (const t of n.objects.values()) if (t !== -Infinity) return undefined;
    const start = this.starts.find((s) => s <= n.first && n.last <= s + STARTUP_WINDOW_MS);
    if (start === undefined) return undefined;
    const buffered = n.audit.count > 0 ? n.audit : n.text;
    return { node, start: new Date(start).toISOString(), buffered, objects: n.objects.size, evidence: buffered.evidence };
  }

  get nodeNames(): IterableIterator<string> {
    return this.nodes.keys();
  }
}

export function objectKey(resource: string, namespace: string | undefined, name: string | undefined): string {
  return `${resource} ${namespace ?? ''}/${name ?? ''}`;
}

function recordTimeOf(r: LogRecord): string | undefined {
  if (r.kind === 'audit') return recordTime(r);
  return ('time' in r ? r.time : undefined) ?? r.origin.timestamp;
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
