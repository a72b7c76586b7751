import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../lambda/cli/main';
import { memoryIO, type MemoryIO } from './memory-io';

const REPO = join(import.meta.dirname, '..', '..');
const SAMPLE = join(REPO, 'samples', 'wrong-node-username', 'kube-apiserver-audit.jsonl');

const io = (): MemoryIO => memoryIO();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'eks-authz-audit-inputs-'));
}

function tempFile(name: string, content: string | Buffer): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

describe('scan: a scan that reads no record is not a pass', () => {
  it.each([
    ['an empty folder', () => tempDir(), 'held no file to read'],
    ['a binary file', () => tempFile('blob.bin', Buffer.from([0, 1, 2, 3, 255, 254, 10, 0, 7])), 'looks like binary data'],
    ['a corrupt .gz', () => tempFile('audit.jsonl.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(40, 7)])), 'gzip'],
    ['a Markdown table', () => tempFile('results.txt', '| @timestamp | @message |\n|---|---|\n| 2026 | x |\n'), 'looks like a Markdown table'],
    ['a CSV file no reader takes', () => tempFile('results.csv', 'time,host,text\n2026-11-27,ip-10-0-1-2,hello\n'), 'comma-separated'],
  ])('%s: exit 2 even with --fail-on, naming the path and the formats read', async (_what, make, hint) => {
    // Prepare
    const path = make();
    const cli = io();

    // Act
    const code = await main(['scan', '--fail-on', 'high', path], cli);

    // Assess
    expect(code).toBe(2);
    expect(cli.out()).toBe('');
    expect(cli.err()).toContain(JSON.stringify(path));
    expect(cli.err()).toContain(hint);
    expect(cli.err()).toContain('Formats read');
    expect(cli.err()).toContain('Kubernetes audit events as JSON Lines');
    expect(cli.err()).toContain('--allow-empty');
  });

  it('--allow-empty accepts it: the usual report, exit 0', async () => {
    const cli = io();
    expect(await main(['scan', '--allow-empty', tempDir()], cli)).toBe(0);
    expect(cli.out()).toContain('No incidents.');
  });
});

describe('scan: a truncated .gz', () => {
  const whole = readFileSync(SAMPLE);
  const gz = gzipSync(whole);
  // Cut within the stream: the first few events decompress, the rest is lost.
  const cut = tempFile('kube-apiserver-audit.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 3)));

  it('keeps what it read and says so; --fail-on fails the scan on the input error', async () => {
    // Prepare
    const text = io();
    const gate = io();
    const json = io();

    // Act
    const plain = await main(['scan', cut], text);
    const failOn = await main(['scan', '--fail-on', 'critical', cut], gate);
    await main(['scan', '--format', 'json', cut], json);

    // Assess
    expect(plain).toBe(0);
    expect(text.out()).toMatch(/Warning: 1 input broke part way and was read only up to the break: .*kube-apiserver-audit\.jsonl\.gz \(corrupt gzip data/);
    expect(failOn).toBe(2);
    const report = JSON.parse(json.out());
    expect(report.stats.auditEvents).toBeGreaterThan(0);
    expect(report.inputs.brokenCount).toBe(1);
    expect(report.inputs.broken[0].file).toBe(cut);
  });
});

describe('scan: --fail-on judges every finding, --min-severity only hides', () => {
  it('exits 1 on a high finding hidden by --min-severity critical, and says how many were hidden', async () => {
    // Prepare
    const all = io();
    await main(['scan', '--format', 'json', SAMPLE], all);
    const below = JSON.parse(all.out()).findings.filter((f: { severity: string }) => f.severity !== 'critical').length;
    expect(below).toBeGreaterThan(0);
    const cli = io();

    // Act
    const code = await main(['scan', '--min-severity', 'critical', '--fail-on', 'high', SAMPLE], cli);

    // Assess
    expect(code).toBe(1);
    expect(cli.out()).toContain(`Note: ${below} finding${below === 1 ? '' : 's'} below --min-severity critical not shown (--fail-on still judges them).`);
  });
});

describe('scan: paths that are not plain files', () => {
  it('reads a named FIFO once, to its end, instead of hanging', () => {
    // Prepare
    const dir = tempDir();
    const fifo = join(dir, 'audit.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer opens the FIFO and waits for a reader; it is gone once the first reader closes it.
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', SAMPLE, fifo], { stdio: 'ignore' });

    // Act
    const run = spawnSync(process.execPath, [join(REPO, 'bin', 'eks-authz-audit.mjs'), 'scan', '--format', 'json', fifo], {
      cwd: REPO, encoding: 'utf8', timeout: 20_000,
    });
    writer.kill();

    // Assess
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).stats.auditEvents).toBe(readFileSync(SAMPLE, 'utf8').trim().split('\n').length);
  });

  it('skips a broken link in a folder with a note, and reads a file behind two links once', async () => {
    // Prepare
    const dir = tempDir();
    mkdirSync(join(dir, 'logs'));
    symlinkSync(join(dir, 'gone.jsonl'), join(dir, 'logs', 'broken.jsonl'));
    symlinkSync(SAMPLE, join(dir, 'logs', 'a.jsonl'));
    symlinkSync(SAMPLE, join(dir, 'logs', 'b.jsonl'));
    const once = io();
    const cli = io();

    // Act
    await main(['scan', '--format', 'json', SAMPLE], once);
    const code = await main(['scan', join(dir, 'logs')], cli);

    // Assess
    expect(code).toBe(0);
    const events = JSON.parse(once.out()).stats.auditEvents;
    expect(cli.out()).toContain(`read 1 file(s), ${events} records`);
    expect(cli.out()).toContain(`Note: skipped 2 paths: ${join(dir, 'logs', 'b.jsonl')} (the same file as ${JSON.stringify(join(dir, 'logs', 'a.jsonl'))}, read once), ${join(dir, 'logs', 'broken.jsonl')} (broken symbolic link (its target does not exist)).`);
  });
});

describe('scan: where the unreadable lines are', () => {
  it('names the files that hold them, how many each, and what an unread file looks like', async () => {
    // Prepare
    const dir = tempDir();
    writeFileSync(join(dir, 'audit.jsonl'), `${readFileSync(SAMPLE, 'utf8')}not a log line\n`);
    writeFileSync(join(dir, 'table.txt'), '| @timestamp | @message |\n|---|---|\n| 2026 | x |\n');
    const cli = io();

    // Act
    await main(['scan', dir], cli);

    // Assess
    expect(cli.out()).toContain(
      `Note: unreadable lines by file: ${join(dir, 'table.txt')} (3 lines, no record; looks like a Markdown table (copied from the console): export the results as JSON (or CSV) instead), ${join(dir, 'audit.jsonl')} (1 line).`,
    );
  });
});
