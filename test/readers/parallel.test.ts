/**
 * The worker threads of a parallel scan: which files they take, what a scan through them gives (the same as
 * one thread: also checked on generated, sample and real logs in test/perf/fast-path.test.ts), and what
 * happens when a worker cannot start or cannot read.
 */
import { readFileSync, statSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../lambda/engine/engine';
import { FileReader } from '../../lambda/readers/file-reader';
import { InputError, readInputs } from '../../lambda/scan/index';
import type { AuditFilter } from '../../lambda/model/records';
import { ScanWorkers, defaultWorkers, readInParallel } from '../../lambda/scan/parallel';
import type { WorkerTask } from '../../lambda/scan/parallel-protocol';
import type { SegmentResult } from '../../lambda/scan/segment';
import { RULES } from '../../lambda/rules/registry';
import { generateAuditLog } from '../../bench/generate';
import { CollectingSink } from './collect';
import { useTmpDir } from './helpers';

const tmp = useTmpDir();
const MAX = 16 * 1024 * 1024;
const recipe = { cluster: 'parallel', settings: { forbiddenBurst: 5 } };
const filter = (): NonNullable<Engine['auditFilter']> => new Engine(RULES, recipe).auditFilter!;

/** An AuditFilter that only counts the events the fast path took. */
class CountingFilter implements AuditFilter {
  taken = 0;
  readonly wants = [];
  keep(): undefined {
    return undefined;
  }
  skipped(): void {
    this.taken++;
  }
}

let log = '';
let workers: ScanWorkers | undefined;

beforeAll(async () => {
  log = generateAuditLog(join(tmp.dir(), 'audit.jsonl'), { bytes: 2_000_000, nodes: 12, damaged: true, seed: 'parallel' }).path;
  workers = await ScanWorkers.start(2, { maxLineBytes: MAX, recipe, wants: filter().wants.length });
});

afterAll(async () => {
  await workers?.close();
});

async function scan(paths: string[], parallel?: Parameters<typeof readInputs>[2]): Promise<ReturnType<Engine['finish']>> {
  const engine = new Engine(RULES, recipe);
  await readInputs(paths, engine, { fastPath: true, ...parallel });
  return engine.finish();
}

describe('ScanWorkers', () => {
  it('start from source in a worker thread and give the same scan as one thread, over many small segments', async () => {
    // Prepare
    expect(workers).toBeDefined();
    const sequential = await scan([log]);
    const engine = new Engine(RULES, recipe);
    engine.file(log);

    // Act
    await workers!.read(log, statSync(log).size, 64 * 1024, new FileReader(log, engine, MAX), engine.auditFilter!);

    // Assess
    const parallel = engine.finish();
    expect(parallel).toEqual(sequential);
    expect(parallel.stats.malformed).toBe(3);
    expect(parallel.findings.length).toBeGreaterThan(5);
  });

  it('report a file that cannot be read as an InputError naming it', async () => {
    // Prepare
    const missing = join(tmp.dir(), 'gone.jsonl');
    const engine = new Engine(RULES, recipe);

    // Act
    const read = workers!.read(missing, 1000, 100, new FileReader(missing, engine, MAX), engine.auditFilter!);

    // Assess
    await expect(read).rejects.toThrow(InputError);
    await expect(read).rejects.toThrow(`cannot read ${JSON.stringify(missing)}: no such file or directory`);
  });

  it('do not start when their fast path would differ from the scan\'s (the scan then reads on one thread)', async () => {
    // Act
    const drifted = await ScanWorkers.start(2, { maxLineBytes: MAX, recipe, wants: 999 });

    // Assess
    expect(drifted).toBeUndefined();
  });
});

describe('defaultWorkers', () => {
  it('is one (no threads) when the code runs from source, as here: each worker would compile it again', () => {
    // Act + Assess
    expect(defaultWorkers()).toBe(1);
  });
});

describe('readInParallel', () => {
  const options = { minFileBytes: 1000, maxLineBytes: MAX };

  it.each([
    ['smaller than the minimum', () => tmp.write('small.jsonl', '{"kind":"Event"}\n')],
    ['gzip', () => tmp.write('big.jsonl.gz', gzipSync(Buffer.alloc(50_000, '{"a":1}\n')))],
    ['a JSON document (CloudWatch export)', () => tmp.write('export.json', `[${'{"message":"x"},'.repeat(200)}{"message":"x"}]`)],
    ['lines that are not JSON (klog: nothing for the fast path)', () => tmp.write('klog.log', 'I0610 12:00:00.000000 1 flags.go:64] FLAG: --v="2"\n'.repeat(100))],
  ])('leaves a file that is %s to the sequential reader, without starting workers', async (_what, write) => {
    // Prepare
    const path = await write();
    const start = vi.fn(async () => workers);

    // Act
    const taken = await readInParallel(path, new FileReader(path, new CollectingSink(), MAX), filter(), start, options);

    // Assess
    expect(taken).toBe(false);
    expect(start).not.toHaveBeenCalled();
  });

  it('takes a large JSON Lines file, and leaves it when the workers could not start', async () => {
    // Prepare
    const sink = new CollectingSink();

    // Act
    const taken = await readInParallel(log, new FileReader(log, sink, MAX), filter(), async () => workers, options);
    const left = await readInParallel(log, new FileReader(log, new CollectingSink(), MAX), filter(), async () => undefined, options);

    // Assess
    expect(taken).toBe(true);
    expect(sink.malformedLines.map((m) => m.line).length).toBe(3);
    expect(left).toBe(false);
  });
});

describe('readInputs with threads allowed', () => {
  it('uses them when the files add up to minBytes, though neither reaches it alone, and not below', async () => {
    // Prepare
    const copy = await tmp.write('copy.jsonl', readFileSync(log));
    const total = statSync(log).size * 2;
    const read = vi.spyOn(ScanWorkers.prototype, 'read');
    const parallel = (minBytes: number) => ({ parallel: { recipe, minBytes, minFileBytes: 0, workers: 2 } });

    // Act
    const threaded = await scan([log, copy], parallel(total));
    const threadedReads = read.mock.calls.length;
    read.mockClear();
    const single = await scan([log, copy], parallel(total + 1));

    // Assess
    expect(threadedReads).toBe(2);
    expect(read).not.toHaveBeenCalled();
    expect(threaded).toEqual(single);
    read.mockRestore();
  });
});

describe('ScanWorkers.read, with workers that answer when told', () => {
  /** Takes tasks and answers only when the test says so: the order of answers is the test's. */
  class FakeWorker extends EventEmitter {
    readonly tasks: number[] = [];
    postMessage(task: WorkerTask): void {
      this.tasks.push(task.segment.id);
    }
    answer(id: number): void {
      const result: SegmentResult = { id, lines: 1, skipped: { '': [-1] }, numbers: [], texts: [] };
      this.emit('message', { kind: 'result', result });
    }
    async terminate(): Promise<number> {
      return 0;
    }
  }

  it('sends no segment beyond the window while an earlier one is unanswered, and applies all in order', async () => {
    // Prepare: 10 segments of 100 bytes, two workers holding two each (a window of four).
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    const pool = Reflect.construct(ScanWorkers, [[a, b]]) as ScanWorkers;
    const filter = new CountingFilter();
    const done = pool.read('fake.jsonl', 1000, 100, new FileReader('fake.jsonl', new CollectingSink(), MAX), filter);

    // Act + Assess: b races ahead while a sits on segment 0.
    expect([a.tasks, b.tasks]).toEqual([[0, 1], [2, 3]]);
    b.answer(2);
    b.answer(3);
    expect(b.tasks).toEqual([2, 3]);
    a.answer(0);
    expect(a.tasks).toEqual([0, 1, 4]);
    a.answer(1);
    expect([a.tasks, b.tasks]).toEqual([[0, 1, 4, 5], [2, 3, 6, 7]]);
    for (const id of [4, 5]) a.answer(id);
    for (const id of [6, 7]) b.answer(id);
    // a, free first, holds both of the last two.
    expect(a.tasks.slice(-2)).toEqual([8, 9]);
    a.answer(9);
    a.answer(8);
    await done;
    expect(filter.taken).toBe(10);
  });
});
