import { describe, expect, it } from 'vitest';
import { Progress, size } from '../../lambda/cli/progress';

function terminal(isTTY: boolean): { write: (s: string) => boolean; isTTY: boolean; text: () => string } {
  let text = '';
  return { write: (s: string) => ((text += s), true), isTTY, text: () => text };
}

describe('scan progress', () => {
  it('says nothing for the first second, then bytes, files done and the rate, and clears its line at the end', () => {
    // Prepare
    let now = 0;
    const stderr = terminal(true);
    const progress = new Progress(stderr, () => now);
    progress.listed(3);

    // Act
    progress.progress(400_000_000);
    const early = stderr.text();
    now = 2000;
    progress.fileDone();
    const drawn = stderr.text();
    progress.progress(100_000_000);
    const throttled = stderr.text();
    progress.end();

    // Assess
    expect(early).toBe('');
    expect(drawn).toBe('\r\u001b[Kscanning: 400 MB, 1 of 3 file(s) done, 200 MB/s');
    expect(throttled).toBe(drawn);
    expect(stderr.text().endsWith('\r\u001b[K')).toBe(true);
  });

  it('is only for a terminal, never a redirected stderr or TERM=dumb', () => {
    expect(Progress.on(terminal(false), {})).toBeUndefined();
    expect(Progress.on(terminal(true), { TERM: 'dumb' })).toBeUndefined();
    expect(Progress.on(terminal(true), {})).toBeInstanceOf(Progress);
  });

  it('writes sizes for people', () => {
    expect([size(999), size(1500), size(12_345_678), size(2_500_000_000)]).toEqual(['999 B', '1.5 KB', '12.3 MB', '2.5 GB']);
  });
});
