import { describe, expect, it } from 'vitest';
import { CsvExportReader, isCsvExportHeader, splitCsvLine } from '../../lambda/readers/csv';
import { CollectingSink } from './collect';

/** Reads `text` as a CSV export, pushed in chunks of `size` bytes (0: whole). */
function readCsv(text: string, size = 0, max = 1024 * 1024): CollectingSink {
  const sink = new CollectingSink();
  const reader = new CsvExportReader('export.csv', sink, max);
  const bytes = Buffer.from(text);
  if (size === 0) reader.push(bytes);
  else for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
  reader.end();
  return sink;
}

const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const EVENT = { kind: 'Event', auditID: 'a-1', verb: 'get', user: { username: 'system:node:n1, the first' } };
const LOGRUS = 'time="2024-03-01T10:00:01Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:role/N" groups="[system:nodes]" username="system:node:n1"';

describe('Logs Insights CSV exports', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, with each row\'s first line', () => {
    // Prepare: the event pretty-printed, so its field spans lines.
    const text = [
      '@timestamp,@logStream,@message',
      `2024-03-01 10:00:00.000,kube-apiserver-audit-1,${q(JSON.stringify(EVENT, null, 2))}`,
      `2024-03-01 10:00:01.000,authenticator-1,${q(LOGRUS)}`,
      '',
    ].join('\r\n');

    // Act
    const sink = readCsv(text);

    // Assess
    expect(sink.malformedLines).toEqual([]);
    expect(sink.outline).toEqual(['audit@2', 'authenticator@10']);
    expect(sink.records[0]).toMatchObject({ kind: 'audit', event: EVENT, origin: { logStream: 'kube-apiserver-audit-1', timestamp: '2024-03-01T10:00:00.000Z' } });
    expect(sink.records[1]).toMatchObject({ kind: 'authenticator', fields: { username: 'system:node:n1', groups: '[system:nodes]' } });
  });

  it.each([[1], [2], [7]])('reads the same whatever the chunking (%i-byte chunks, split characters)', (size) => {
    // Prepare
    const text = `"@message","@logStream"\n${q('I0301 10:00:00.000001 1 flags.go:64] FLAG: --x="日本, é"')},kube-apiserver-1\n`;

    // Act / Assess
    expect(readCsv(text, size).pushed).toEqual(readCsv(text).pushed);
    expect(readCsv(text, size).records[0]).toMatchObject({ kind: 'apiserver-flag', value: '日本, é' });
  });

  it('reports a row with the wrong number of fields, a quote left open, and an over-long row, and reads on', () => {
    // Prepare
    const ok = `x,${q(LOGRUS)}`;
    const text = ['@logStream,@message', 'a,b,c', `y,"${'z'.repeat(200)}"`, ok, 'w,"never closed'].join('\n');

    // Act
    const sink = readCsv(text, 0, 170);

    // Assess
    expect(sink.outline).toEqual(['malformed@2', 'malformed@3', 'authenticator@4', 'malformed@5']);
    expect(sink.malformedLines.map((m) => m.reason)).toEqual([
      'CSV row has 3 fields, the header 2', 'CSV row longer than 170 bytes', 'CSV row ends inside a quoted field',
    ]);
  });

  it('reads an export of this tool\'s own query as the Lambda reads its rows', () => {
    // Prepare
    const text = [
      '@message,n,firstSeen,lastSeen,sample,firstSample,logStream',
      `${q(LOGRUS)},3,2024-03-01 10:00:00.000,2024-03-01 10:05:00.000,${q(LOGRUS)},${q(LOGRUS)},authenticator-1`,
    ].join('\n');

    // Act
    const sink = readCsv(text);

    // Assess
    expect(sink.records).toEqual([expect.objectContaining({
      kind: 'authenticator',
      aggregate: { count: 3, firstSeen: '2024-03-01T10:00:00.000Z', lastSeen: '2024-03-01T10:05:00.000Z' },
      origin: { file: 'export.csv', line: 2, timestamp: '2024-03-01T10:05:00.000Z', logStream: 'authenticator-1' },
    })]);
  });

  it.each([
    ['@timestamp,@message', true],
    ['"@logStream","@timestamp","@message"', true],
    ['user.username,n,firstSeen,lastSeen,sample,firstSample,logStream', true],
    ['time,host,text', false],
    ['I0301 10:00:00.000001 1 flags.go:64] FLAG: --authorization-mode="[Node,RBAC]"', false],
    ['time="2024-03-01T10:00:01Z" level=info msg="a, b"', false],
    ['@timestamp,,@message', false],
  ])('knows the header %j: %s', (line, expected) => {
    // Assess
    expect(isCsvExportHeader(line)).toBe(expected);
  });

  it('splits a header line, undoing quotes', () => {
    // Assess
    expect(splitCsvLine('"a ""b""",c,"d,e"')).toEqual(['a "b"', 'c', 'd,e']);
    expect(splitCsvLine('"open,b')).toBeUndefined();
  });
});
