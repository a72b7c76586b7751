import type { AwsAuthMemory, AwsAuthWriteRecord } from '../../model/aws-auth-memory';

/**
 * The mapRoles that earlier runs left in memory (ScanContext.knownAwsAuth), for the mapping rules to judge
 * when this input holds no write of it. The memory comes from the state store: plain JSON, read defensively.
 */
export interface RememberedMapRoles {
  readonly mapRoles: string;
  /** ISO 8601: when that content was last known (the time of the write that left it), when known. */
  readonly seenAt?: string;
  /** The write that left this content: the last remembered write whose result it is, not later than seenAt. */
  readonly write?: AwsAuthWriteRecord;
}

/** Undefined when nothing is remembered, or aws-auth had no mapRoles (then no mapping is left to judge). */
export function rememberedMapRoles(memory: AwsAuthMemory | undefined): RememberedMapRoles | undefined {
  const content = memory?.content;
  if (!content || typeof content.mapRoles !== 'string') return undefined;
  const seenAt = typeof content.time === 'string' ? content.time : undefined;
  const until = seenAt === undefined ? Infinity : ms(seenAt);
  const writes = Array.isArray(memory?.writes) ? memory.writes : [];
  let write: AwsAuthWriteRecord | undefined;
  for (const w of writes) {
    if (!w || w.mapRoles !== content.mapRoles || ms(w.time) > until) continue;
    // Writes are kept oldest first, but a hand-edited or older item need not be: the latest wins.
    if (!write || ms(w.time) >= ms(write.time)) write = w;
  }
  return { mapRoles: content.mapRoles, ...(seenAt !== undefined ? { seenAt } : {}), ...(write ? { write } : {}) };
}

function ms(time: string | undefined): number {
  const t = typeof time === 'string' ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}
