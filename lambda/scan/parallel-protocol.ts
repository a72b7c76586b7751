import type { RuleSettings } from '../model/rule-settings';
import type { Segment, SegmentResult } from './segment';

/**
 * How a worker rebuilds the scan's fast path: the engine's rules are the registry's, so the cluster and the
 * settings are all it needs (structured-cloneable, unlike the predicates themselves).
 */
export interface FilterRecipe {
  readonly cluster: string;
  readonly settings?: Partial<RuleSettings>;
}

export interface WorkerData {
  readonly maxLineBytes: number;
  readonly recipe: FilterRecipe;
  /** How many predicates the main thread's filter has (a guard against a drifted recipe). */
  readonly wants: number;
}

/** A segment of a file to read: the size is the file's when the scan began (the segments cover [0, size)). */
export interface WorkerTask {
  readonly path: string;
  readonly size: number;
  readonly segment: Segment;
}

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly result: SegmentResult }
  | { readonly kind: 'error'; readonly message: string; readonly code?: string };
