import type { ScanResult } from '../model/findings';
import { loadHtmlAssets } from '../report/html-assets';
import { renderHtml, type HtmlReportInput } from '../report/html';
import { UsageError, type OutputStream } from './io';

/** `--format html` writes a whole page: on a terminal that is noise, so it wants a file. */
export function checkHtmlTarget(stdout: OutputStream): void {
  if (stdout.isTTY) throw new UsageError('--format html writes a page to standard output: redirect it to a file, e.g. > report.html');
}

/** The notes a reader of the page must see, in the words the text report uses. */
export function scanNotes(result: Pick<ScanResult, 'stats' | 'malformedSamples' | 'ruleErrors'>): string[] {
  const notes: string[] = [];
  if (result.stats.malformed > 0) {
    const where = result.malformedSamples.map((m) => `${m.file}:${m.line} (${m.reason})`).join('; ');
    notes.push(`${result.stats.malformed} line(s) could not be read and were skipped. First: ${where}`);
  }
  if (result.stats.truncated > 0) notes.push(`${result.stats.truncated} truncated audit event(s) were salvaged: their fields may be incomplete.`);
  for (const e of result.ruleErrors) notes.push(`Rule ${e.ruleId} failed ${e.count} time(s): ${e.error}`);
  return notes;
}

export function renderHtmlPage(input: HtmlReportInput): string {
  return renderHtml(input, loadHtmlAssets());
}
