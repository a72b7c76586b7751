import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, AuthenticatorRecord } from '../../lambda/model/records';
import { InputError, readInputs, type SkippedPath } from '../../lambda/scan/index';
import { CollectingSink } from './collect';
import { fixture, read, useTmpDir } from './helpers';

const { dir: tmpDir, write } = useTmpDir();
const audit = (r: unknown): AuditRecord => r as AuditRecord;

describe('readInputs: bytes', () => {
  it('reads a gzip file by its magic bytes, whatever its name', async () => {
    // Prepare
    const plain = await readFile(fixture('audit.jsonl'));
    const gz = await write('audit.jsonl.gz', gzipSync(plain));
    const renamed = await write('audit-gz.log', gzipSync(plain));

    // Act
    const sink = await read([gz, renamed]);

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'audit@3', 'audit@4', 'audit@1', 'audit@3', 'audit@4']);
    expect(sink.records[3]!.origin.file).toBe(renamed);
  });

  it('reads a gzip file of several members (concatenated .gz files)', async () => {
    // Prepare
    const path = await write('multi.gz', Buffer.concat([gzipSync('level=info msg=a\n'), gzipSync('level=info msg=b\n')]));

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.records.map((r) => (r as AuthenticatorRecord).fields['msg'])).toEqual(['a', 'b']);
  });

  it('reports a corrupt gzip stream at the line reached and goes on with the next file', async () => {
    // Prepare
    const lines = Array.from({ length: 20_000 }, (_, i) => `level=info msg="line ${i}" n=${(i * 7919) % 10007}`).join('\n');
    const gz = gzipSync(lines);
    const cut = await write('cut.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const garbled = Buffer.from(gz);
    for (let i = Math.floor(gz.length / 2); i < Math.floor(gz.length / 2) + 64; i++) garbled[i] = 0xff;
    const bad = await write('garbled.gz', garbled);
    const next = fixture('authenticator.log');

    // Act
    const sink = await read([cut, bad, next]);

    // Assess
    expect(sink.files).toEqual([cut, bad, next]);
    // Cut short: every whole line before the cut is read, then one malformed line where it stopped.
    const records = sink.records.filter((r) => r.origin.file === cut);
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(20_000);
    expect(records.map((r) => r.origin.line)).toEqual(records.map((_, i) => i + 1));
    expect(sink.malformedLines.filter((m) => m.file === cut)).toEqual([
      { file: cut, line: records.length + 1, reason: 'corrupt gzip data: unexpected end of file' },
    ]);
    // Garbled: deflate may inflate garbage before it notices, so only the end is certain.
    const garbledPushes = sink.pushed.filter((p) => (p.type === 'record' ? p.record.origin.file : p.type === 'malformed' ? p.line.file : '') === bad);
    const last = garbledPushes[garbledPushes.length - 1];
    expect(last?.type).toBe('malformed');
    expect(last?.type === 'malformed' && last.line.reason).toMatch(/^corrupt gzip data: /);
    expect(sink.records.filter((r) => r.origin.file === bad).length).toBeGreaterThan(100);
    expect(sink.records.filter((r) => r.origin.file === next)).toHaveLength(3);
  });

  it('reads an empty file as a file with nothing in it', async () => {
    // Prepare
    const path = await write('empty.log', '');

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.pushed).toEqual([{ type: 'file', name: path }]);
  });

  it('reads a file of blank lines as nothing', async () => {
    // Prepare
    const path = await write('blank.log', '\n  \n\t\r\n\n');

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.pushed).toEqual([{ type: 'file', name: path }]);
  });

  it('handles CRLF line endings and a UTF-8 BOM, in JSON lines and in a JSON document', async () => {
    // Prepare
    const lines = await write('crlf.jsonl', `\ufeff{"kind":"Event","verb":"get"}\r\n\r\nlevel=info msg="x"\r\nI0101 00:00:00.000000 1 a.go:1] FLAG: --a="b"\r\n`);
    const doc = await write('crlf.json', `\ufeff[\r\n  {"@message": "level=info msg=y"}\r\n]\r\n`);

    // Act
    const sink = await read([lines, doc]);

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'authenticator@3', 'apiserver-flag@4', 'authenticator@2']);
    expect(sink.records[2]).toMatchObject({ flag: 'a', value: 'b' });
    expect((sink.records[1] as AuthenticatorRecord).fields).toEqual({ level: 'info', msg: 'x' });
  });

  it('reports a line over the cap and reads the next one', async () => {
    // Prepare
    const path = await write('long.jsonl', `{"kind":"Event","verb":"a"}\n{"kind":"Event","verb":"${'x'.repeat(300)}"}\n{"kind":"Event","verb":"c"}\n`);

    // Act
    const sink = await read([path], { maxLineBytes: 100 });

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'malformed@2', 'audit@3']);
    expect(sink.malformedLines[0]!.reason).toBe('line longer than 100 bytes');
  });

  it('reads a 2 MB audit event on one line', async () => {
    // Prepare
    const big = { kind: 'Event', verb: 'update', requestObject: { data: 'y'.repeat(2_000_000) } };
    const path = await write('big.jsonl', `${JSON.stringify(big)}\n{"kind":"Event","verb":"get"}\n`);

    // Act
    const sink = await read([path]);

    // Assess
    expect(sink.outline).toEqual(['audit@1', 'audit@2']);
    expect((audit(sink.records[0]).event.requestObject as { data: string }).data).toHaveLength(2_000_000);
  });
});

describe('readInputs: paths', () => {
  it('walks a directory recursively in sorted order, skipping dot-files and dot-directories', async () => {
    // Prepare
    const root = join(tmpDir(), 'tree');
    for (const name of ['b.log', 'a/z.log', 'a/.hidden.log', '.git/x.log', 'c/d/e.log', 'A.log', 'a/m/n.log']) {
      await write(join('tree', name), 'level=info msg=x\n');
    }
    await symlink(join(root, 'c'), join(root, 'c', 'd', 'loop'));

    // Act
    const sink = await read([root]);

    // Assess
    expect(sink.files).toEqual(['A.log', 'a/m/n.log', 'a/z.log', 'b.log', 'c/d/e.log'].map((n) => join(root, n)));
  });

  it('skips Markdown documentation inside a directory but reads it when named', async () => {
    // Prepare
    const root = join(tmpDir(), 'export');
    await write(join('export', 'README.md'), '# Exported logs\n');
    await write(join('export', 'notes.markdown'), 'notes\n');
    await write(join('export', 'audit.jsonl'), '{"kind":"Event","verb":"get"}\n');

    // Act
    const walked = await read([root]);
    const named = await read([join(root, 'README.md')]);

    // Assess
    expect(walked.files).toEqual([join(root, 'audit.jsonl')]);
    expect(named.files).toEqual([join(root, 'README.md')]);
    expect(named.outline).toEqual(['malformed@1']);
  });

  it('reads an empty directory as no files', async () => {
    // Prepare
    const dir = join(tmpDir(), 'nothing-here');
    await mkdir(dir);

    // Act
    const sink = await read([dir]);

    // Assess
    expect(sink.pushed).toEqual([]);
  });

  it('reads stdin for "-", from an injected stream, gzip or not, Buffers or strings', async () => {
    // Prepare
    const text = '{"kind":"Event","verb":"get"}\nlevel=info msg=x\n';
    const plain = Readable.from([text.slice(0, 10), text.slice(10)]);
    const gz = Readable.from([gzipSync(text)]);

    // Act
    const a = await read(['-'], { stdin: plain });
    const b = await read(['-'], { stdin: gz });

    // Assess
    for (const sink of [a, b]) {
      expect(sink.files).toEqual(['-']);
      expect(sink.outline).toEqual(['audit@1', 'authenticator@2']);
      expect(sink.records[0]!.origin).toEqual({ file: '-', line: 1 });
    }
  });

  it('fails fast on a path that does not exist, naming it, before reading anything', async () => {
    // Prepare
    const missing = join(tmpDir(), 'x.log');
    const sink = new CollectingSink();

    // Act
    const error = await readInputs([fixture('audit.jsonl'), missing], sink).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.message).toBe(`cannot read ${JSON.stringify(missing)}: no such file or directory`);
    expect(e.path).toBe(missing);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(sink.pushed).toEqual([]);
  });

  it('skips a broken symbolic link inside a directory, saying so, and reads the rest', async () => {
    // Prepare
    const dir = join(tmpDir(), 'broken-link');
    await mkdir(dir);
    await symlink(join(dir, 'gone.log'), join(dir, 'link.log'));
    await write(join('broken-link', 'z.log'), 'level=info msg=x\n');
    const skipped: SkippedPath[] = [];

    // Act
    const sink = await read([dir], { observer: { skipped: (s) => skipped.push(s) } });

    // Assess
    expect(sink.files).toEqual([join(dir, 'z.log')]);
    expect(skipped).toEqual([{ path: join(dir, 'link.log'), why: 'broken symbolic link (its target does not exist)' }]);
  });

  it('fails on a broken symbolic link named by the user, naming the link', async () => {
    // Prepare
    const dir = join(tmpDir(), 'broken-named');
    await mkdir(dir);
    await symlink(join(dir, 'gone.log'), join(dir, 'link.log'));

    // Act
    const error = await readInputs([join(dir, 'link.log')], new CollectingSink()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`cannot read ${JSON.stringify(join(dir, 'link.log'))}: no such file or directory`);
  });

  it('reads a file reached by two links (or named twice) once, saying so', async () => {
    // Prepare
    const dir = join(tmpDir(), 'two-links');
    await mkdir(dir);
    const target = await write('two-links-target.log', 'level=info msg=x\n');
    await symlink(target, join(dir, 'a.log'));
    await symlink(target, join(dir, 'b.log'));
    const skipped: SkippedPath[] = [];

    // Act
    const sink = await read([dir, target], { observer: { skipped: (s) => skipped.push(s) } });

    // Assess
    expect(sink.files).toEqual([join(dir, 'a.log')]);
    expect(sink.outline).toEqual(['authenticator@1']);
    expect(skipped.map((s) => s.path)).toEqual([join(dir, 'b.log'), target]);
    expect(skipped[0]!.why).toBe(`the same file as ${JSON.stringify(join(dir, 'a.log'))}, read once`);
  });

  it.each([
    ['plain', Buffer.from('level=info msg=x\n')],
    ['gzip', gzipSync('level=info msg=x\n'.repeat(50_000)).subarray(0, 1000)],
  ])('turns a read error after the start into an InputError naming the input (%s)', async (_name, head) => {
    // Prepare
    const failing = Readable.from((async function* () {
      yield head;
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    })());
    const sink = new CollectingSink();

    // Act
    const error = await readInputs(['-'], sink, { stdin: failing }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('cannot read "-": input/output error');
    expect(((error as InputError).cause as NodeJS.ErrnoException).code).toBe('EIO');
    expect(sink.malformedLines).toEqual([]);
  });
});
