import { createHash } from 'node:crypto';
import type { AuditFilter, LogRecord, MalformedLine, RecordSink } from '../model/records';
import type { Evidence, Finding, RuleError, ScanResult, ScanStats } from '../model/findings';
import type { ScanTimelines } from '../model/timeline';
import { MAX_EVIDENCE, MAX_MALFORMED_SAMPLES } from '../model/limits';
import { emptyStats } from '../model/findings';
import type { Severity } from '../model/severity';
import { atLeast, severityRank } from '../model/severity';
import type { Emit, Observation, ObservationGroup, Rule, RuleRun, ScanContext } from '../model/rule';
import type { RuleSettings } from '../model/rule-settings';
import { resolveRuleSettings } from '../model/rule-settings';
import { nodeRoleArnOf, runsFilter } from './audit-filter';
import { DuplicateEvents } from './duplicate-events';
import { clean, cleanMultiline } from '../model/sanitize';
import { recordTime } from '../model/audit';
import { RequestOnce, requestId } from '../model/request-once';
import { AwsAuthWriteMarks } from './aws-auth-write-marks';
import { TimeHistogram } from './time-histogram';
import type { AwsAuthMemory } from '../model/aws-auth-memory';
import { isAwsAuthHead } from '../rules/support/aws-auth-writes';
import { AwsAuthLog } from './aws-auth-log';
import { AwsAuthHistory } from './root-cause';
import type { FindingEntry } from './incident-join';
import { buildIncidents } from './incidents';
import type { Suppression } from '../model/suppression';
import { applySuppressions } from './suppress';
import { normalizeAuditEvent } from '../model/audit-fields';
import { GroupCap, addTally } from './group-cap';

const MAX_SUBJECT_VALUE = 256;
/** Distinct IAM roles remembered as node roles (ScanContext.nodeRoleArns): see addNodeRole. */
export const MAX_NODE_ROLES = 10_000;

export interface EngineOptions {
  /** Cluster name written into each finding and its fingerprint. */
  readonly cluster: string;
  /** Findings below this severity are left out of the result (default: info, i.e. all). */
  readonly minSeverity?: Severity;
  /** Rule thresholds by name; what is left out takes the rule's declared default. */
  readonly settings?: Partial<RuleSettings>;
  /** Collect ScanResult.timelines (per finding, events over time; the aws-auth writes) for the HTML report. */
  readonly timelines?: boolean;
  /**
   * aws-auth content and writes remembered from earlier runs (the Lambda's state store): for root causes, and
   * judged by the mapping rules when the input holds no write that sets mapRoles (ScanContext.knownAwsAuth).
   */
  readonly knownAwsAuth?: AwsAuthMemory;
  /** Known exceptions: a matching finding is left out of findings and incidents, and counted with its reason. */
  readonly suppressions?: readonly Suppression[];
  /** The time suppressions are judged at (default: now). */
  readonly now?: Date;
  /** The engine only lends its fast path to another thread (ScanContext.statelessFilter). */
  readonly statelessFilter?: boolean;
}

interface Group {
  /** Small and unique per finding: the key of its requests in `requests`. */
  id: number;
  rule: Rule;
  subject: Record<string, string>;
  count: number;
  first: number;
  firstSeen: string | null;
  last: number;
  lastSeen: string | null;
  tally: Record<string, number>;
  /** Tally keys that name something (`node:<name>`): bounded, see addTally. */
  namedTallyKeys: number;
  facts: Record<string, string>;
  evidence: Evidence[];
  histogram?: TimeHistogram;
}

/**
 * The detection engine: feeds every record to every rule, merges what they observe into findings.
 * One instance per cluster per scan. The CLI and the Lambda both drive it.
 */
export class Engine implements RecordSink {
  readonly stats: ScanStats = emptyStats();
  private readonly runs: { rule: Rule; run: RuleRun }[];
  private readonly groups = new Map<string, Group>();
  /** Subjects past MAX_GROUPS_PER_RULE: counted, not kept. */
  private readonly cap = new GroupCap();
  /** Requests already counted, per finding (bounded: see RequestOnce). */
  private readonly requests = new RequestOnce();
  private nextGroupId = 0;
  private readonly malformedSamples: MalformedLine[] = [];
  private readonly ruleErrors = new Map<string, RuleError>();
  private readonly nodeRoleArns = new Set<string>();
  /** The same event read twice (overlapping exports) counts once. */
  private readonly duplicates = new DuplicateEvents();
  private finished: ScanResult | undefined;
  private readonly awsAuthWrites: AwsAuthWriteMarks | undefined;
  /** aws-auth writes, for the root cause of node-role incidents (whatever rules run). */
  private readonly awsAuthLog = new AwsAuthLog();
  /** The fast path readers may take (see AuditFilter), when every rule run says which events it needs. */
  readonly auditFilter: AuditFilter | undefined;

  constructor(
    rules: readonly Rule[],
    private readonly options: EngineOptions,
  ) {
    const context: ScanContext = {
      cluster: options.cluster, nodeRoleArns: this.nodeRoleArns, settings: resolveRuleSettings(rules, options.settings),
      statelessFilter: options.statelessFilter ?? false,
      ...(options.knownAwsAuth ? { knownAwsAuth: options.knownAwsAuth } : {}),
    };
    this.awsAuthWrites = options.timelines ? new AwsAuthWriteMarks() : undefined;
    this.runs = [];
    for (const rule of rules) {
      try {
        this.runs.push({ rule, run: rule.create(context) });
      } catch (err) {
        this.fail(rule, err);
      }
    }
    const awsAuthRun: RuleRun = { wantsAudit: isAwsAuthHead, onAudit: (r) => this.awsAuthLog.onAudit(r) };
    this.auditFilter = runsFilter([...this.runs.map((r) => r.run), awsAuthRun], (arn, identity) => this.skipped(arn, identity));
  }

  file(_name?: string): void {
    this.stats.files++;
  }

  malformed(line: MalformedLine): void {
    this.stats.malformed++;
    if (this.malformedSamples.length < MAX_MALFORMED_SAMPLES) {
      this.malformedSamples.push({ file: clean(line.file, 300), line: line.line, reason: clean(line.reason, 200) });
    }
  }

  record(record: LogRecord): void {
    if (record.kind === 'audit' && this.duplicates.isDuplicate(record.event)) {
      this.stats.duplicates++;
      return;
    }
    this.stats.records++;
    switch (record.kind) {
      case 'audit': {
        this.stats.auditEvents++;
        if (record.truncated) this.stats.truncated++;
        // Rules read only well-typed fields: a field of the wrong type is dropped here and counted.
        this.stats.malformedFields += normalizeAuditEvent(record.event);
        const arn = nodeRoleArnOf(record.event);
        if (arn) this.addNodeRole(arn);
        this.awsAuthWrites?.audit(record);
        this.awsAuthLog.onAudit(record);
        for (const { rule, run } of this.runs) {
          if (run.onAudit) this.call(rule, () => run.onAudit!(record, this.emitter(rule, record)));
        }
        return;
      }
      case 'apiserver-flag':
        this.stats.apiserverLines++;
        for (const { rule, run } of this.runs) {
          if (run.onFlag) this.call(rule, () => run.onFlag!(record, this.emitter(rule, record)));
        }
        return;
      case 'apiserver-line':
        this.stats.apiserverLines++;
        return;
      case 'authenticator':
        this.stats.authenticatorLines++;
        for (const { rule, run } of this.runs) {
          if (run.onAuthenticator) this.call(rule, () => run.onAuthenticator!(record, this.emitter(rule, record)));
        }
        return;
      case 'node-denial':
        if (record.source === 'kubelet') this.stats.kubeletLines++;
        else this.stats.apiserverLines++;
        for (const { rule, run } of this.runs) {
          if (run.onNodeDenial) this.call(rule, () => run.onNodeDenial!(record, this.emitter(rule, record)));
        }
        return;
      case 'kubelet-certificate':
        this.stats.kubeletLines++;
        for (const { rule, run } of this.runs) {
          if (run.onKubeletCertificate) this.call(rule, () => run.onKubeletCertificate!(record, this.emitter(rule, record)));
        }
        return;
      case 'eks-cluster':
        for (const { rule, run } of this.runs) {
          if (run.onEksCluster) this.call(rule, () => run.onEksCluster!(record, this.emitter(rule, record)));
        }
        return;
    }
  }

  /** IAM roles seen on kubelet requests so far (user.extra.canonicalArn): whose access entries to read. */
  get kubeletRoleArns(): ReadonlySet<string> {
    return this.nodeRoleArns;
  }

  /**
   * A role that signed a kubelet request. A fleet has a handful; a log can name any number (every ARN forged):
   * past MAX_NODE_ROLES further ones are not remembered, so rules that ask whether a role is a node's may miss one.
   */
  private addNodeRole(arn: string): void {
    if (this.nodeRoleArns.size < MAX_NODE_ROLES) this.nodeRoleArns.add(arn);
  }

  /** An audit event no rule wanted (AuditFilter): counted, and its node role kept, without a parse. */
  private skipped(nodeRoleArn: string | undefined, identity: number | undefined): void {
    if (this.duplicates.seenBefore(identity)) {
      this.stats.duplicates++;
      return;
    }
    this.stats.records++;
    this.stats.auditEvents++;
    if (nodeRoleArn) this.addNodeRole(nodeRoleArn);
  }

  /** Runs every rule's finish() and returns the findings, most severe first. Idempotent. */
  finish(): ScanResult {
    if (this.finished) return this.finished;
    for (const { rule, run } of this.runs) {
      if (run.finish) this.call(rule, () => run.finish!(this.emitter(rule, undefined)));
    }
    const min = this.options.minSeverity ?? 'info';
    const findings: Finding[] = [];
    const timelines: ScanTimelines['findings'] = {};
    const entries: FindingEntry[] = [];
    for (const g of this.groups.values()) {
      if (!atLeast(g.rule.severity, min)) continue;
      const finding = this.toFinding(g);
      if (!finding) continue;
      findings.push(finding);
      const timeline = g.histogram?.toTimeline();
      if (timeline) timelines[finding.fingerprint] = timeline;
      entries.push({ rule: g.rule, finding, subject: g.subject, facts: g.facts, tally: g.tally });
    }
    const capped = this.cap.findings((rule, subject, text) => ({
      ruleId: rule.id, severity: rule.severity, title: rule.title, cluster: clean(this.options.cluster, 128), subject,
      firstSeen: null, lastSeen: null, ...text, fingerprint: fingerprint(rule.id, this.options.cluster, subject),
    }));
    findings.push(...capped.filter((f) => atLeast(f.severity, min)));
    findings.sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.count - a.count ||
        a.ruleId.localeCompare(b.ruleId) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
    this.stats.duplicatesUnchecked = this.duplicates.unchecked;
    const suppressions = this.options.suppressions ?? [];
    const outcome = suppressions.length > 0 ? applySuppressions(findings, suppressions, this.options.now ?? new Date()) : undefined;
    const kept = outcome ? outcome.kept : findings;
    const order = new Map(kept.map((f, i) => [f.fingerprint, i]));
    const joined = entries
      .filter((e) => order.has(e.finding.fingerprint))
      .sort((a, b) => order.get(a.finding.fingerprint)! - order.get(b.finding.fingerprint)!);
    const history = new AwsAuthHistory(this.options.knownAwsAuth, this.awsAuthLog.list());
    this.finished = {
      findings: kept,
      ...(outcome ? { suppressed: outcome.suppressed, expiredSuppressions: outcome.expired } : {}),
      incidents: buildIncidents(joined, { cluster: clean(this.options.cluster, 128), history }),
      awsAuth: history.memory(),
      stats: { ...this.stats },
      malformedSamples: [...this.malformedSamples],
      ruleErrors: [...this.ruleErrors.values()],
    };
    if (this.awsAuthWrites) this.finished.timelines = { findings: timelines, ...this.awsAuthWrites.result() };
    return this.finished;
  }

  private emitter(rule: Rule, record: LogRecord | undefined): Emit {
    return (o) => this.observe(rule, record, o);
  }

  private observe(rule: Rule, record: LogRecord | undefined, o: Observation): void {
    const subject: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const key of Object.keys(o.subject).sort()) {
      const v = o.subject[key];
      if (v !== undefined && v !== '') subject[key] = clean(v, MAX_SUBJECT_VALUE);
    }
    const key = `${rule.id}\u0000${JSON.stringify(subject)}`;
    let g = this.groups.get(key);
    if (!g && !this.cap.admit(rule)) {
      const aggregate = record && 'aggregate' in record ? record.aggregate : undefined;
      this.cap.count(rule, key, Object.keys(subject), o.count ?? aggregate?.count ?? 1, o.evidence);
      return;
    }
    if (!g) {
      g = {
        id: this.nextGroupId++, rule, subject, count: 0, first: Infinity, firstSeen: null, last: -Infinity, lastSeen: null,
        // No prototype: keys come from logs, and `__proto__`, `constructor` or `toString` must count like any other.
        tally: Object.create(null) as Record<string, number>, namedTallyKeys: 0, facts: Object.create(null) as Record<string, string>, evidence: [],
      };
      if (this.options.timelines) g.histogram = new TimeHistogram();
      this.groups.set(key, g);
    }
    const agg = record && 'aggregate' in record ? record.aggregate : undefined;
    // A request logged at several stages (a watch's ResponseStarted and ResponseComplete), or read twice, counts
    // once per finding; its stages stay evidence. A rule that gives its own count has counted already.
    const auditID = record && o.count === undefined ? requestId(record) : undefined;
    const repeat = auditID !== undefined && !this.requests.first(`${g.id}\u0000${auditID}`);
    const count = repeat ? 0 : (o.count ?? agg?.count ?? 1);
    g.count += count;
    const time = o.time ?? (record?.kind === 'audit' ? recordTime(record) : record && 'time' in record ? record.time : undefined) ?? record?.origin.timestamp;
    const first = o.firstSeen ?? agg?.firstSeen ?? time;
    const last = o.lastSeen ?? agg?.lastSeen ?? time;
    this.widen(g, first);
    this.widen(g, last);
    if (g.histogram && first !== undefined && last !== undefined) g.histogram.addSpread(Date.parse(first), Date.parse(last), count);
    if (o.tally && !repeat) {
      for (const [k, n] of Object.entries(o.tally)) {
        g.namedTallyKeys += addTally(g.tally, clean(k, 64), n, g.namedTallyKeys);
      }
    }
    if (o.facts) {
      for (const [k, v] of Object.entries(o.facts)) if (!Object.hasOwn(g.facts, k)) g.facts[k] = clean(v, MAX_SUBJECT_VALUE);
    }
    if (o.evidence && g.evidence.length < MAX_EVIDENCE) g.evidence.push(o.evidence);
  }

  private widen(g: Group, time: string | undefined): void {
    if (!time) return;
    const t = Date.parse(time);
    if (Number.isNaN(t)) return;
    const iso = clean(time, 40);
    if (t < g.first) {
      g.first = t;
      g.firstSeen = iso;
    }
    if (t > g.last) {
      g.last = t;
      g.lastSeen = iso;
    }
  }

  private toFinding(g: Group): Finding | undefined {
    const group: ObservationGroup = {
      subject: g.subject, count: g.count, firstSeen: g.firstSeen, lastSeen: g.lastSeen, tally: g.tally,
      facts: g.facts, evidence: g.evidence, cluster: this.options.cluster,
    };
    let text: { message: string; remediation: string };
    try {
      text = g.rule.describe(group);
    } catch (err) {
      this.fail(g.rule, err);
      text = { message: g.rule.description, remediation: g.rule.remediation };
    }
    return {
      ruleId: g.rule.id,
      severity: g.rule.severity,
      title: g.rule.title,
      cluster: clean(this.options.cluster, 128),
      subject: g.subject,
      count: g.count,
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
      message: cleanMultiline(text.message, 2000),
      remediation: cleanMultiline(text.remediation, 2000),
      fingerprint: fingerprint(g.rule.id, this.options.cluster, g.subject),
      evidence: g.evidence,
    };
  }

  private call(rule: Rule, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(rule, err);
    }
  }

  private fail(rule: Rule, err: unknown): void {
    const prev = this.ruleErrors.get(rule.id);
    if (prev) prev.count++;
    else this.ruleErrors.set(rule.id, { ruleId: rule.id, error: clean(err instanceof Error ? err.message : String(err), 300), count: 1 });
  }
}

/** Stable identity of a finding across runs: rule, cluster and subject (keys sorted). */
export function fingerprint(ruleId: string, cluster: string, subject: Record<string, string>): string {
  const canonical = JSON.stringify([ruleId, cluster, Object.keys(subject).sort().map((k) => [k, subject[k]])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
