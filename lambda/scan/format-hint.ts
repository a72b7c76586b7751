/**
 * What a file that yielded no record looks like, when it is a format this tool does not read: said to the user
 * with what to do instead. Undefined when nothing is recognised. Looks only at the first bytes of the file.
 */
export function formatHint(head: Buffer): string | undefined {
  if (head.length === 0) return 'empty';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip data that could not be decompressed';
  if (head.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') return 'looks like a ZIP archive: unzip it and scan the files inside';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'looks like a PDF document, not a log';
  if (isBinary(head)) return 'looks like binary data, not a text log';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const [first = '', second = ''] = lines;
  if (first.startsWith('|') && /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(second)) {
    return 'looks like a Markdown table (copied from the console): export the results as JSON (or CSV) instead';
  }
  if (/^<(!doctype|html|\?xml)/i.test(first)) return 'looks like HTML or XML (a saved web page?): export the logs as JSON instead';
  if (/^"?@?(timestamp|message|logStream)"?\s*,|,\s*"?@(timestamp|message|logStream)"?/.test(first)) {
    return 'looks like a CSV export of Logs Insights results, but no row could be read: export them with their @message field, as JSON';
  }
  if (/^(apiVersion|kind|metadata)\s*:/.test(first) || first === '---') {
    return 'looks like YAML (a Kubernetes manifest?), not a log: scan the logs the cluster wrote';
  }
  if (first.split('\t').length >= 3) return 'looks like tab-separated values: export the logs as JSON instead';
  if (first.split(',').length >= 3) return 'looks like comma-separated values without a log message this tool reads: export the logs with their @message field, as JSON';
  return undefined;
}

/** NUL bytes, or many bytes that are neither text nor UTF-8: not a text log. */
function isBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  const text = head.toString('utf8');
  let odd = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13)) odd++;
  }
  return odd > text.length / 10;
}
