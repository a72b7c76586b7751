import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What the HTML report inlines from node_modules: uPlot (MIT), its script and its style sheet. */
export interface HtmlAssets {
  readonly chartScript: string;
  readonly chartStyle: string;
}

const UPLOT_SCRIPT = 'uplot/dist/uPlot.iife.min.js';
const UPLOT_STYLE = 'uplot/dist/uPlot.min.css';

let cached: HtmlAssets | undefined;

/**
 * Reads uPlot from the installed package when a report is rendered, so the page needs no network and the
 * library is the one package-lock.json pins. Resolved from this module, which also works from the CLI's
 * bundle (it lives under node_modules/.cache, inside the project).
 */
export function loadHtmlAssets(): HtmlAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (id: string): string => {
    let path: string;
    try {
      path = require.resolve(id);
    } catch (err) {
      throw new Error(`the HTML report needs the uplot package (${id}), which is not installed: run npm ci`, { cause: err });
    }
    return readFileSync(path, 'utf8');
  };
  cached = { chartScript: read(UPLOT_SCRIPT), chartStyle: read(UPLOT_STYLE) };
  return cached;
}
