/**
 * The worker thread of a parallel scan (parallel.ts): rebuilds the scan's fast path from its recipe, then
 * answers each WorkerTask with its SegmentResult. Loaded as a file of its own (bundled beside the CLI as
 * scan-worker.mjs, or through scan-worker-boot.mjs from source), never imported.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine/engine';
import { RULES } from '../rules/registry';
import type { WorkerData, WorkerReply, WorkerTask } from './parallel-protocol';
import { SegmentScanner } from './segment';

const data = workerData as WorkerData;
const port = parentPort!;
const reply = (message: WorkerReply): void => port.postMessage(message);
/** The file being read (segments of one file come in a row; a new path closes the old one). */
let open: { path: string; fd: number } | undefined;

try {
  // The same rules and settings as the main thread's engine give the same predicates (they are pure functions
  // of the event head); their count is compared as a guard against a recipe that drifted from the engine.
  const filter = new Engine(RULES, { ...data.recipe, statelessFilter: true }).auditFilter;
  if (!filter || filter.wants.length !== data.wants) {
    throw new Error(`the worker's fast path has ${filter?.wants.length ?? 'no'} predicates, the scan's ${data.wants}`);
  }
  const scanner = new SegmentScanner(filter, data.maxLineBytes);
  port.on('message', (task: WorkerTask) => {
    try {
      if (open?.path !== task.path) {
        if (open) closeSync(open.fd);
        // Cleared first: if the open below throws, no closed descriptor is left to be read.
        open = undefined;
        open = { path: task.path, fd: openSync(task.path, 'r') };
      }
      reply({ kind: 'result', result: scanner.scan(open.fd, task.size, task.segment) });
    } catch (err) {
      reply(failure(err));
    }
  });
  reply({ kind: 'ready' });
} catch (err) {
  reply(failure(err));
}

function failure(err: unknown): WorkerReply {
  const code = (err as { code?: unknown } | null)?.code;
  return {
    kind: 'error',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
