import type { AuditRecord } from '../model/records';
import { recordTime, statusCode } from '../model/audit';
import { str, username } from '../model/identity';
import { clean, cleanOpt } from '../model/sanitize';
import { MAX_AWS_AUTH_WRITE_MARKS, type AwsAuthWriteMark } from '../model/timeline';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

/**
 * The writes of ConfigMap kube-system/aws-auth that the API server accepted, for the timeline markers: any
 * accepted write, whatever it changed (the aws-auth rules judge the content; a marker only says "someone wrote
 * aws-auth here"). Each request once (its RequestReceived stage is skipped, a repeated auditID too), dry runs
 * left out, at most MAX_AWS_AUTH_WRITE_MARKS kept.
 */
export class AwsAuthWriteMarks {
  private readonly marks: AwsAuthWriteMark[] = [];
  private readonly seen = new Set<string>();
  private notKept = 0;

  constructor(private readonly max = MAX_AWS_AUTH_WRITE_MARKS) {}

  audit(record: AuditRecord): void {
    const e = record.event;
    const ref = e.objectRef;
    if (!ref || typeof ref !== 'object') return;
    if (ref.resource !== 'configmaps' || ref.namespace !== 'kube-system' || ref.name !== 'aws-auth' || ref.subresource) return;
    const verb = str(e.verb);
    if (!verb || !WRITE_VERBS.has(verb) || e.stage === 'RequestReceived') return;
    const code = statusCode(e);
    if (code !== undefined && code >= 400) return;
    if (/[?&]dryRun=/.test(str(e.requestURI) ?? '')) return;
    const time = recordTime(record);
    if (!time || Number.isNaN(Date.parse(time))) return;
    const auditID = cleanOpt(e.auditID, 64);
    if (auditID && this.seen.has(auditID)) return;
    if (this.marks.length >= this.max) {
      this.notKept++;
      return;
    }
    if (auditID) this.seen.add(auditID);
    const mark: AwsAuthWriteMark = { time: clean(time, 40), verb };
    const user = cleanOpt(username(e), 256);
    if (user) mark.username = user;
    const agent = cleanOpt(str(e.userAgent), 200);
    if (agent) mark.userAgent = agent;
    if (auditID) mark.auditID = auditID;
    this.marks.push(mark);
  }

  /** The kept writes in time order, and how many were not kept. */
  result(): { awsAuthWrites: AwsAuthWriteMark[]; awsAuthWritesNotKept: number } {
    const awsAuthWrites = [...this.marks].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    return { awsAuthWrites, awsAuthWritesNotKept: this.notKept };
  }
}
