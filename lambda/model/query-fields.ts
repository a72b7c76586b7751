/**
 * The result columns every query of this tool returns besides its group keys: what the Lambda reads from
 * GetQueryResults, and what a console export of the same query (JSON or CSV) holds. Shared by the query
 * builder (runtime) and the readers, so the two cannot drift apart.
 */
export const RESULT_FIELDS = {
  count: 'n',
  firstSeen: 'firstSeen',
  lastSeen: 'lastSeen',
  sample: 'sample',
  firstSample: 'firstSample',
  logStream: 'logStream',
  /** Audit queries only: distinct request URIs in the group, so path probing stays countable after grouping. */
  distinctPaths: 'paths',
} as const;
