import type { AuditRecord } from '../model/records';
import type { AwsAuthWriteRecord } from '../model/aws-auth-memory';
import { readMapRolesWrite } from '../rules/support/map-roles-write';

export { readMapRolesWrite };

/**
 * The engine's record of aws-auth writes, for the root cause of node-role incidents. Only mapRoles matters:
 * nodes authenticate with a role. Each write is reduced to what it left in mapRoles (readMapRolesWrite).
 */

/** A cap against a flood of writes (a controller in a loop): the most recent ones are the ones that matter. */
const MAX_WRITES = 10_000;

export class AwsAuthLog {
  private readonly writes: AwsAuthWriteRecord[] = [];

  onAudit(record: AuditRecord): void {
    const write = readMapRolesWrite(record);
    if (!write) return;
    if (this.writes.length >= MAX_WRITES) this.writes.shift();
    this.writes.push(write);
  }

  /** Oldest first (the input need not be in time order). */
  list(): AwsAuthWriteRecord[] {
    return [...this.writes].sort((a, b) => timeOf(a) - timeOf(b));
  }
}

function timeOf(w: AwsAuthWriteRecord): number {
  const t = w.time === undefined ? NaN : Date.parse(w.time);
  return Number.isNaN(t) ? -Infinity : t;
}
